import DAVCore
import Foundation
import HummingbirdTesting
import Testing

@testable import DAVServer

/// The methods of RFC 4918 end to end, in process (`.router`), over both sets of backends.
struct MethodTests {
    @Test(arguments: Backend.allCases)
    func optionsAdvertisesClasses(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let response = try await client.send("OPTIONS", "/")
            #expect(response.code == 200)
            #expect(response.header("DAV") == "1, 2")
            #expect(response.header("MS-Author-Via") == "DAV")
            #expect(response.header("Allow")?.contains("PROPFIND") == true)
        }
    }

    @Test(arguments: Backend.allCases)
    func hostileNamesListAndRoundTrip(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let listing = try await client.send("PROPFIND", "/", headers: ["Depth": "1"], body: propfindAll)
            #expect(listing.code == 207)
            let hrefs = try listing.multiStatus().responses.compactMap(\.href)
            var expected = Set(HostileNames.files.map { ResourcePath(segments: [$0.path[0]]).href(isCollection: $0.path.count > 1) })
            expected.insert("/")
            #expect(Set(hrefs) == expected)
            for (segments, content) in HostileNames.files {
                let href = ResourcePath(segments: segments).href(isCollection: false)
                let got = try await client.send("GET", href)
                #expect(got.code == 200, "\(href)")
                #expect(got.text == content, "\(href)")
            }
            let put = try await client.send("PUT", "/new%20%23%3F%25%F0%9F%98%80.txt", body: "fresh")
            #expect(put.code == 201)
            #expect(try await client.send("GET", "/new%20%23%3F%25%F0%9F%98%80.txt").text == "fresh")
            #expect(try await client.send("PUT", "/new%20%23%3F%25%F0%9F%98%80.txt", body: "again").code == 204)
        }
    }

    @Test(arguments: Backend.allCases)
    func getConditionalsAndRanges(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let full = try await client.send("GET", "/plain.txt")
            let etag = try #require(full.header("ETag"))
            #expect(full.header("Last-Modified")?.hasSuffix(" GMT") == true)
            #expect(try await client.send("GET", "/plain.txt", headers: ["If-None-Match": etag]).code == 304)
            #expect(try await client.send("GET", "/plain.txt", headers: ["If-Match": "\"other\""]).code == 412)
            let range = try await client.send("GET", "/plain.txt", headers: ["Range": "bytes=1-3"])
            #expect(range.code == 206)
            #expect(range.text == "lai")
            #expect(range.header("Content-Range") == "bytes 1-3/5")
            #expect(try await client.send("GET", "/plain.txt", headers: ["Range": "bytes=9-"]).code == 416)
            #expect(try await client.send("HEAD", "/plain.txt").header("Content-Length") == "5")
            let index = try await client.send("GET", "/sub%20dir/")
            #expect(index.code == 200)
            #expect(index.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(index.text.contains("nested.txt"))
        }
    }

    @Test(arguments: Backend.allCases)
    func putMkcolDeleteStatuses(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            #expect(try await client.send("PUT", "/missing/x.txt", body: "x").code == 409)
            #expect(try await client.send("MKCOL", "/c").code == 201)
            #expect(try await client.send("MKCOL", "/c/").code == 405)
            #expect(try await client.send("MKCOL", "/d/").code == 201)
            #expect(try await client.send("MKCOL", "/missing/c").code == 409)
            #expect(try await client.send("MKCOL", "/e", body: "<x/>").code == 415)
            #expect(try await client.send("PUT", "/c", body: "x").code == 405)
            #expect(try await client.send("DELETE", "/sub%20dir/").code == 204)
            #expect(try await client.send("GET", "/sub%20dir/nested.txt").code == 404)
            #expect(try await client.send("DELETE", "/sub%20dir/").code == 404)
        }
    }

    @Test(arguments: Backend.allCases)
    func copyAndMoveCarryDeadProperties(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let patch = #"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:tag>blue</Z:tag></D:prop></D:set></D:propertyupdate>"#
            #expect(try await client.send("PROPPATCH", "/sub%20dir/nested.txt", body: patch).code == 207)
            #expect(try await client.send("COPY", "/sub%20dir/", headers: ["Destination": "/copy/"]).code == 201)
            #expect(try await client.send("COPY", "/sub%20dir/", headers: ["Destination": "/copy/", "Overwrite": "F"]).code == 412)
            #expect(try await client.send("COPY", "/sub%20dir/", headers: ["Destination": "/copy/"]).code == 204)
            #expect(try await client.send("MOVE", "/copy/", headers: ["Destination": "/moved/"]).code == 201)
            let ask = #"<D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop><Z:tag/></D:prop></D:propfind>"#
            let found = try await client.send("PROPFIND", "/moved/nested.txt", headers: ["Depth": "0"], body: ask)
            #expect(try found.multiStatus().responses.first?.value(of: QualifiedName("urn:z", "tag"))?.text == "blue")
            #expect(try await client.send("COPY", "/plain.txt", headers: ["Destination": "http://elsewhere.example/x"]).code == 502)
            #expect(try await client.send("COPY", "/plain.txt", headers: ["Destination": "/nowhere/x"]).code == 409)
            #expect(try await client.send("COPY", "/plain.txt", headers: ["Destination": "/plain.txt"]).code == 403)
            #expect(try await client.send("COPY", "/plain.txt").code == 400)
        }
    }

    @Test(arguments: Backend.allCases)
    func propfindAndProppatch(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let one = try await client.send("PROPFIND", "/plain.txt", headers: ["Depth": "0"])
            let response = try #require(try one.multiStatus().responses.first)
            #expect(response.value(of: DAV.getcontentlength)?.text == "5")
            #expect(response.value(of: DAV.getlastmodified)?.text.hasSuffix("GMT") == true)
            #expect(response.value(of: DAV.supportedlock) != nil)
            let quota = #"<D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/><D:nope/></D:prop></D:propfind>"#
            let partial = try #require(try await client.send("PROPFIND", "/", headers: ["Depth": "0"], body: quota).multiStatus().responses.first)
            #expect(partial.propstats.contains { $0.status?.code == 404 && $0.properties.map(\.name) == [QualifiedName("DAV:", "nope")] })

            let protected =
                #"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><D:getetag>x</D:getetag><Z:ok>1</Z:ok></D:prop></D:set></D:propertyupdate>"#
            let failed = try #require(try await client.send("PROPPATCH", "/plain.txt", body: protected).multiStatus().responses.first)
            let statuses = Dictionary(uniqueKeysWithValues: failed.propstats.map { ($0.status?.code ?? 0, $0.properties.map(\.name)) })
            #expect(statuses[403] == [DAV.getetag])
            #expect(statuses[424] == [QualifiedName("urn:z", "ok")])
            #expect(failed.propstats.first { $0.status?.code == 403 }?.error?.elements.first?.name == DAV.cannotModifyProtectedProperty)
            let ask = #"<D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop><Z:ok/></D:prop></D:propfind>"#
            let after = try #require(
                try await client.send("PROPFIND", "/plain.txt", headers: ["Depth": "0"], body: ask).multiStatus().responses.first)
            #expect(after.value(of: QualifiedName("urn:z", "ok")) == nil)

            let infinity = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"])
            #expect(infinity.code == 207)
            #expect(try infinity.multiStatus().responses.count == HostileNames.files.count + 2)
        }
    }

    @Test(arguments: Backend.allCases)
    func locksAndIfHeader(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let locked = try await client.send("LOCK", "/plain.txt", headers: ["Timeout": "Second-600"], body: lockBody())
            #expect(locked.code == 200)
            let token = try #require(locked.header("Lock-Token"))
            #expect(locked.text.contains("Second-600") || locked.text.contains("Second-599"))
            let put = try await client.send("PUT", "/plain.txt", body: "x")
            #expect(put.code == 423)
            #expect(put.text.contains("lock-token-submitted"))
            #expect(try await client.send("PUT", "/plain.txt", headers: ["If": "(\(token))"], body: "mine").code == 204)
            #expect(try await client.send("PUT", "/plain.txt", headers: ["If": "(\(token) [\"bad\"])"], body: "x").code == 412)
            #expect(try await client.send("PUT", "/plain.txt", headers: ["If": "</plain.txt> (\(token))"], body: "tagged").code == 204)
            #expect(try await client.send("PUT", "/plain.txt", headers: ["If": "(<urn:uuid:x>) (Not <DAV:no-lock>)"], body: "x").code == 423)
            #expect(try await client.send("PUT", "/plain.txt", headers: ["If": "(broken"], body: "x").code == 400)
            #expect(try await client.send("LOCK", "/plain.txt", body: lockBody("shared")).code == 423)
            let refresh = try await client.send("LOCK", "/plain.txt", headers: ["If": "(\(token))", "Timeout": "Second-60"])
            #expect(refresh.code == 200)
            #expect(try await client.send("UNLOCK", "/plain.txt", headers: ["Lock-Token": "<urn:uuid:nope>"]).code == 409)
            #expect(try await client.send("UNLOCK", "/plain.txt").code == 400)
            #expect(try await client.send("UNLOCK", "/plain.txt", headers: ["Lock-Token": token]).code == 204)
            #expect(try await client.send("PUT", "/plain.txt", body: "free").code == 204)

            let unmapped = try await client.send("LOCK", "/fresh.txt", headers: ["Depth": "0"], body: lockBody())
            #expect(unmapped.code == 201)
            #expect(try await client.send("GET", "/fresh.txt").text == "")
            let deep = try await client.send("LOCK", "/sub%20dir/", body: lockBody())
            #expect(deep.code == 200)
            #expect(try await client.send("DELETE", "/sub%20dir/nested.txt").code == 423)
            #expect(try await client.send("LOCK", "/", headers: ["Timeout": "Second-x"], body: lockBody()).code == 400)
        }
    }

    @Test(arguments: Backend.allCases)
    func badInputIsRefusedWithoutSideEffects(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend) { $0.maxBodyBytes = 8 }
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            #expect(try await client.send("GET", "/%2e%2e/etc/passwd").code == 400)
            #expect(try await client.send("GET", "/a%2fb").code == 400)
            #expect(try await client.send("PUT", "/x%00.txt", body: "x").code == 400)
            #expect(try await client.send("PROPFIND", "/", headers: ["Depth": "2"]).code == 400)
            let dtd = #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#
            #expect(try await client.send("PROPFIND", "/", headers: ["Depth": "0"], body: dtd).code == 400)
            #expect(try await client.send("PROPFIND", "/", headers: ["Depth": "0"], body: "<D:propfind xmlns:D=\"DAV:\">").code == 400)
            #expect(try await client.send("COPY", "/plain.txt", headers: ["Destination": "/c.txt", "Overwrite": "maybe"]).code == 400)
            #expect(try await client.send("COPY", "/plain.txt", headers: ["Destination": "not a uri"]).code == 400)
            #expect(try await client.send("PUT", "/big.txt", body: "123456789").code == 413)
            #expect(try await client.send("GET", "/big.txt").code == 404)
        }
        #expect(try fixture.options.storage.info(at: path("big.txt")) == nil)
        #expect(try fixture.options.storage.info(at: path("c.txt")) == nil)
    }

    @Test(arguments: Backend.allCases)
    func deleteReportsLockedMembersIn207(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let lock = try await client.send("LOCK", "/sub%20dir/nested.txt", headers: ["Depth": "0"], body: lockBody())
            let token = try #require(lock.header("Lock-Token"))
            let blocked = try await client.send("DELETE", "/sub%20dir/")
            #expect(blocked.code == 207)
            let response = try #require(try blocked.multiStatus().responses.first)
            #expect(response.href == "/sub%20dir/nested.txt")
            #expect(response.status?.code == 423)
            #expect(response.conditions == [DAV.lockTokenSubmitted])
            #expect(try await client.send("GET", "/sub%20dir/nested.txt").code == 200)
            #expect(try await client.send("DELETE", "/sub%20dir/", headers: ["If": "</sub%20dir/nested.txt> (\(token))"]).code == 204)
            #expect(try await client.send("GET", "/sub%20dir/nested.txt").code == 404)
            #expect(try await client.send("LOCK", "/sub%20dir/nested.txt", body: lockBody()).code == 409)
        }
    }

    @Test(arguments: Backend.allCases)
    func deadPropertiesInListings(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let patch =
                #"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:note xml:lang="fr">été 😀</Z:note></D:prop></D:set></D:propertyupdate>"#
            #expect(try await client.send("PROPPATCH", "/a%20b.txt", body: patch).code == 207)
            for depth in ["1", "infinity"] {
                let listing = try await client.send("PROPFIND", "/", headers: ["Depth": depth])
                let response = try #require(try listing.multiStatus().responses.first { $0.href == "/a%20b.txt" })
                #expect(response.value(of: QualifiedName("urn:z", "note"))?.text == "été 😀", "Depth \(depth)")
            }
            let names = try await client.send(
                "PROPFIND", "/a%20b.txt", headers: ["Depth": "0"], body: #"<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>"#)
            #expect(try names.multiStatus().responses.first?.properties.map(\.property.name).contains(QualifiedName("urn:z", "note")) == true)
        }
    }

    @Test func depthInfinityCanBeRefused() async throws {
        let fixture = try ServerFixture(.memory) { $0.allowsDepthInfinity = false }
        try await makeApp(fixture).test(.router) { client async throws in
            let refused = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"])
            #expect(refused.code == 403)
            #expect(refused.text.contains("propfind-finite-depth"))
            #expect(try await client.send("PROPFIND", "/").code == 403)
            #expect(try await client.send("PROPFIND", "/", headers: ["Depth": "1"]).code == 207)
        }
    }
}

/// RFC 9110 §13 date preconditions on GET: the server reads back the Last-Modified it wrote.
struct DatePreconditionTests {
    @Test(arguments: Backend.allCases)
    func datesAnsweredAsRFC9110Says(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            let put = try await client.send("PUT", "/dated.txt", body: "v1")
            #expect(put.code == 201)
            let first = try await client.send("GET", "/dated.txt")
            let modified = try #require(first.header("Last-Modified"))
            #expect(HTTPDate.isIMFFixdate(modified))
            let seconds = try #require(HTTPDate.parse(modified))
            let earlier = HTTPDate.rfc1123(Double(seconds - 3600))
            #expect(try await client.send("GET", "/dated.txt", headers: ["If-Modified-Since": modified]).code == 304)
            #expect(try await client.send("GET", "/dated.txt", headers: ["If-Modified-Since": earlier]).code == 200)
            #expect(try await client.send("GET", "/dated.txt", headers: ["If-Unmodified-Since": earlier]).code == 412)
            #expect(try await client.send("GET", "/dated.txt", headers: ["If-Unmodified-Since": modified]).code == 200)
            // If-Range with a date older than the file: the whole file, not the range.
            let ranged = try await client.send("GET", "/dated.txt", headers: ["Range": "bytes=0-0", "If-Range": earlier])
            #expect(ranged.code == 200)
            #expect(try await client.send("GET", "/dated.txt", headers: ["Range": "bytes=0-0", "If-Range": modified]).code == 206)
        }
    }
}
