import DAVCore
import Foundation
import HummingbirdTesting
import Logging
import Testing

@testable import DAVServer

/// The allprop response written straight as bytes equals, byte for byte, the one built as a `Response`
/// and serialised by `MultiStatusWriter`, for every kind of member, dead properties and all; and it steps
/// aside for members with locks, which only the general path writes.
struct AllpropMemberWriterTests {
    @Test(arguments: Backend.allCases)
    func directBytesEqualTheGeneralWriter(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        let storage = fixture.options.storage
        try storage.makeCollection(at: path("empty dir"))
        try ServerFixture.write(storage, path("page.HTML"), "<p>")
        try ServerFixture.write(storage, path("amp&lt.txt"), "&")
        try ServerFixture.write(storage, path("no-extension"), "")
        try ServerFixture.write(storage, path("Report.PDF"), String(repeating: "x", count: 123_456))
        try ServerFixture.write(storage, path("sub dir", "x&y <z>.Md"), "&")
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "allprop"))
        try await app.test(.router) { client async throws in
            let patch = #"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:color xmlns:x="urn:x">red</x:color></D:prop></D:set></D:propertyupdate>"#
            #expect(try await client.send("PROPPATCH", "/plain.txt", body: patch).code == 207)
            // Two namespaces, a value with markup and one that is XML, on a collection.
            let more = """
                <D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>\
                <Z:Win32FileAttributes>00000020</Z:Win32FileAttributes><D:displayname>a &amp; b</D:displayname>\
                <y:tags xmlns:y="urn:y"><y:tag n="1">x</y:tag><y:tag/></y:tags></D:prop></D:set></D:propertyupdate>
                """
            #expect(try await client.send("PROPPATCH", "/sub%20dir/", body: more).code == 207)
            let lock = #"<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>"#
            #expect(try await client.send("LOCK", "/a%20b.txt", headers: ["Depth": "0"], body: lock).code == 200)
        }

        let responder = DAVResponder(options: fixture.options)
        let locks = fixture.options.locks
        var direct = 0
        var listed = 0
        // The root's members, and those of a collection whose href has an escape in it.
        for (parent, parentHref) in [(ResourcePath.root, "/"), (path("sub dir"), "/sub%20dir/")] {
            let members = try storage.allMembers(of: parent)
            let dead = try fixture.options.properties.propertiesOfMembers(of: parent)
            listed += members.count
            for member in members {
                let memberDead = dead[member.path] ?? []
                var general = MultiStatusWriter()
                general.begin()
                let response = try responder.propfindResponse(
                    member, .allprop(include: []), figures: RequestFigures(storage: storage, changes: MemoryChangeLog()), dead: memberDead)
                try general.write(response)
                var fast = MultiStatusWriter()
                fast.begin()
                let written = try AllpropMemberWriter.write(
                    member, parentHref: Array(parentHref.utf8), dead: AllpropMemberWriter.deadProperties(memberDead),
                    hasLocks: { try !locks.locks(covering: member.path, descendants: false, now: responder.now).isEmpty },
                    into: &fast)
                let name = member.path.description
                if name == "/a b.txt" {
                    #expect(!written, "\(name) has a lock: the general path must write it")
                    continue
                }
                #expect(written, "\(name)")
                // The access log counts what the direct path counts: every property found, under 200.
                #expect(
                    response.propstats.map(\.properties.count) == [
                        LiveProperties.names(for: member).count + AllpropMemberWriter.deadProperties(memberDead).count
                    ], "\(name)")
                if member.path == path("plain.txt") || member.path == path("sub dir") { #expect(!memberDead.isEmpty, "\(name)") }
                #expect(String(decoding: fast.take(), as: UTF8.self) == String(decoding: general.take(), as: UTF8.self), "\(name)")
                direct += 1
            }
        }
        // Files (plain, with odd names and types, with and without content) and collections (seeded `sub dir`, `empty dir`).
        #expect(direct == listed - 1)
        #expect(listed >= 13)
        _ = fixture
    }

    /// A Depth 0 `allprop` is written the direct way too: its answer equals, byte for byte, the general
    /// path's (an `allprop` that includes a property it already has, which only the general path answers),
    /// for the root, collections, files with dead properties and odd names, a locked file (which the general
    /// path writes either way), and a file below a deep lock; the access log counts the same.
    @Test(arguments: Backend.allCases)
    func depthZeroAnswersEqualTheGeneralOnes(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        let storage = fixture.options.storage
        try storage.makeCollection(at: path("sub dir", "deep"))
        try storage.makeCollection(at: path("empty dir"))
        try ServerFixture.write(storage, path("sub dir", "deep", "x&y <z>.Md"), "&")
        try ServerFixture.write(storage, path("amp&lt.txt"), "&")
        let general = #"<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:getetag/></D:include></D:propfind>"#
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "allprop"))
        try await app.test(.router) { client async throws in
            _ = fixture
            let win32 = """
                <D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>\
                <Z:Win32FileAttributes>00000020</Z:Win32FileAttributes><y:t xmlns:y="urn:y">a &amp; b</y:t></D:prop></D:set></D:propertyupdate>
                """
            #expect(try await client.send("PROPPATCH", "/plain.txt", body: win32).code == 207)
            #expect(try await client.send("PROPPATCH", "/sub%20dir/", body: win32).code == 207)
            let lock = #"<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>"#
            #expect(try await client.send("LOCK", "/a%20b.txt", headers: ["Depth": "0"], body: lock).code == 200)
            #expect(try await client.send("LOCK", "/sub%20dir/deep/", headers: ["Depth": "infinity"], body: lock).code == 200)
            let responder = DAVResponder(options: fixture.options)
            let resources: [(String, ResourcePath, locked: Bool)] = [
                ("/", .root, false), ("/sub%20dir/", path("sub dir"), false), ("/plain.txt", path("plain.txt"), false),
                ("/amp%26lt.txt", path("amp&lt.txt"), false), ("/a%20b.txt", path("a b.txt"), true),
                ("/sub%20dir/deep/x%26y%20%3Cz%3E.Md", path("sub dir", "deep", "x&y <z>.Md"), true), ("/empty%20dir/", path("empty dir"), false),
            ]
            for (uri, resource, locked) in resources {
                let direct = try await client.send("PROPFIND", uri, headers: ["Depth": "0"], body: propfindAll)
                // The direct way answers every one without a lock (the HTTP answer is its bytes); a lock sends it the general way.
                let info = try #require(try storage.info(at: resource), "\(uri)")
                let written = try responder.directAllprop(info, request: .allprop(include: []))
                #expect((written == nil) == locked, "\(uri)")
                if let written { #expect(String(decoding: written.bytes, as: UTF8.self) == direct.text, "\(uri)") }
                let expected = try await client.send("PROPFIND", uri, headers: ["Depth": "0"], body: general)
                // A lock's remaining seconds may tick between the two answers: they are not compared.
                func seconds(_ text: String) -> String { text.replacing(/Second-\d+/, with: "Second-N") }
                #expect(direct.code == 207, "\(uri)")
                #expect(seconds(direct.text) == seconds(expected.text), "\(uri)")
            }
        }
    }

    /// Content lengths are written digit by digit, as `String(_:)` writes them.
    @Test func decimalsAreStringsDigits() {
        for value: Int64 in [0, 7, 10, 99, 100, 65_536, 1_000_000_007, .max, -1, .min] {
            var bytes: [UInt8] = [0x3E]
            AllpropMemberWriter.appendDecimal(value, to: &bytes)
            #expect(bytes == [0x3E] + Array(String(value).utf8), "\(value)")
        }
    }

    /// The stream builds each member's href from its level's href; `propname` listings take the general
    /// path, which builds it from the whole path: the two listings name the same hrefs, in the same order.
    @Test(arguments: Backend.allCases)
    func streamedHrefsEqualTheGeneralOnes(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try fixture.options.storage.makeCollection(at: path("sub dir", "deeper 😀"))
        try ServerFixture.write(fixture.options.storage, path("sub dir", "deeper 😀", "x&y.txt"), "x")
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "allprop"))
        try await app.test(.router) { client async throws in
            _ = fixture
            let propname = #"<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>"#
            let allprop = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"]).multiStatus().responses.flatMap(\.hrefs)
            let general = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"], body: propname).multiStatus().responses
                .flatMap(\.hrefs)
            #expect(allprop == general)
            #expect(allprop.contains("/sub%20dir/deeper%20%F0%9F%98%80/x%26y.txt"))
            #expect(allprop.count == HostileNames.files.count + 4)
        }
    }
}
