import DAVClient
import DAVCore
import DAVTesting
import Testing

/// Digest against Apache's mod_auth_digest (MD5, qop=auth), configured by this test.
@Suite(.needs(.peer("apache"), .file(DigestApache.digestModule)))
struct DigestLiveTests {
    @Test func basicFirstThenDigestOnChallenge() async throws {
        let apache = try DigestApache.start()
        defer { apache.stop() }
        let alice = Credentials(user: "alice", password: "alice-pw")
        try await withClient(DAVClient.Configuration(connectTimeout: .seconds(5), readTimeout: .seconds(10), credentials: alice)) { client in
            let first = try await client.send(.propfind(apache.base + "/digest/", depth: .one))
            #expect(first.status == 207)
            #expect(first.authenticationScheme == "Digest")
            #expect(first.earlierAttempts.map(\.status) == [401])
            #expect(first.earlierAttempts.first?.authenticationScheme == "Basic")
            #expect(first.earlierAttempts.first?.response.headers["WWW-Authenticate"]?.hasPrefix("Digest") == true)
            #expect(try responses(first.body).count == 2)

            // The origin is known to want Digest now: no Basic, no extra round trip, next nonce count.
            let second = try await client.send(.propfind(apache.base + "/digest/note.txt", depth: .zero))
            #expect(second.status == 207)
            #expect(second.authenticationScheme == "Digest")
            #expect(second.earlierAttempts.isEmpty)

            // Streaming takes the same path.
            var status = 0
            try await client.stream(.propfind(apache.base + "/digest/", depth: .one)) {
                status = $0.status
            } onBody: { _ in
            }
            #expect(status == 207)
        }
    }

    @Test func wrongPasswordIs401AfterOneRetry() async throws {
        let apache = try DigestApache.start()
        defer { apache.stop() }
        try await withClient { client in
            let wrong = try await client.send(
                .propfind(apache.base + "/digest/", depth: .zero).sent(as: .user(Credentials(user: "alice", password: "bad"))))
            #expect(wrong.status == 401)
            #expect(wrong.authenticationScheme == "Digest")
            #expect(wrong.earlierAttempts.count == 1)

            let challenged = try await client.send(
                .propfind(apache.base + "/digest/", depth: .zero).sent(as: .onChallenge(Credentials(user: "alice", password: "alice-pw"))))
            #expect(challenged.status == 207)
            #expect(challenged.earlierAttempts.first?.authenticationScheme == nil)
        }
    }
}
