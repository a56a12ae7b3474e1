import DAVClient
import DAVCore
import DAVTesting
import Testing

/// Against a real WsgiDAV (`scripts/peers/start-wsgidav.sh`). It takes seconds to start, so one test
/// covers PROPFIND, OPTIONS and Basic authentication on its `/secret` share.
@Suite(.needs(.peer("wsgidav")))
struct WsgiDAVLiveTests {
    @Test func propfindOptionsAndBasicAuth() async throws {
        let peer = try Peer.start("wsgidav")
        defer { peer.stop() }
        try await withClient { client in
            let listing = try await client.send(.propfind(peer.url("/docs/"), depth: .one))
            #expect(listing.status == 207)
            let hrefs = try responses(listing.body).compactMap(\.href)
            #expect(hrefs.count == 8)
            #expect(hrefs.contains { $0.hasSuffix("/docs/sub/") })
            #expect(listing.response.headers["Server"]?.contains("WsgiDAV") == true)

            let options = try await client.send(.options(peer.url("/docs/")))
            #expect(options.status == 200)
            #expect(options.response.headers["DAV"]?.contains("1") == true)

            let anonymous = try await client.send(.propfind(peer.url("/secret/"), depth: .one))
            #expect(anonymous.status == 401)

            let alice = try await client.send(
                .propfind(peer.url("/secret/"), depth: .one).sent(as: .user(Credentials(user: "alice", password: "alice-pw"))))
            #expect(alice.status == 207)
            #expect(alice.authenticationScheme == "Basic")
            #expect(try responses(alice.body).isEmpty == false)
        }
    }
}
