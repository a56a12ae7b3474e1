import DAVCore
import Foundation
import HummingbirdTesting
import Testing

@testable import DAVServer

/// A listing shows each member's locks, its own and those of a deep lock above it, although it reads the
/// lock store once for the whole listing.
struct PropfindLockTests {
    @Test(arguments: Backend.stores)
    func aListingShowsEveryMembersLocks(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend, seed: false)
        try await makeApp(fixture).test(.router) { client in
            #expect(try await client.send("MKCOL", "/dir/").code == 201)
            for file in ["/dir/f.txt", "/other.txt", "/free.txt"] { #expect(try await client.send("PUT", file, body: "x").code == 201) }
            let deep = try #require(try await client.send("LOCK", "/dir/", headers: ["Depth": "infinity"], body: lockBody()).header("Lock-Token"))
            let own = try #require(try await client.send("LOCK", "/other.txt", headers: ["Depth": "0"], body: lockBody()).header("Lock-Token"))
            let asked = #"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>"#
            for depth in ["1", "infinity"] {
                let listing = try await client.send("PROPFIND", "/", headers: ["Depth": depth], body: asked)
                #expect(listing.code == 207)
                var tokens: [String: [String]] = [:]
                for response in try listing.multiStatus().responses {
                    let discovery = response.propstats.flatMap(\.properties).first { $0.name == DAV.lockdiscovery }
                    let text = discovery.map { String(decoding: XMLBody.document($0.element), as: UTF8.self) } ?? ""
                    tokens[response.hrefs.first ?? ""] = [deep, own].filter { text.contains($0.dropFirst().dropLast()) }
                }
                #expect(tokens["/dir/"] == [deep])
                #expect(tokens["/other.txt"] == [own])
                #expect(tokens["/free.txt"] == [])
                if depth == "infinity" { #expect(tokens["/dir/f.txt"] == [deep], "a deep lock covers the member") }
            }
        }
    }
}
