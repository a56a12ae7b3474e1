import DAVClient
import DAVCore
import DAVTesting
import Foundation
import Testing

/// Against a real Apache httpd 2.4 with mod_dav (`scripts/peers/start-apache.sh`, faulty profile),
/// started per test in its own directory and stopped by its recorded PID on every path.
@Suite(.needs(.peer("apache")))
struct ApacheLiveTests {
    @Test func propfindDepthOneIs207AndParses() async throws {
        let peer = try Peer.start("apache")
        defer { peer.stop() }
        try await withClient { client in
            let answer = try await client.send(.propfind(peer.url("/docs/"), depth: .one))
            #expect(answer.status == 207)
            #expect(answer.response.mediaType == "application/xml" || answer.response.mediaType == "text/xml")
            let hrefs = try responses(answer.body).compactMap(\.href)
            #expect(hrefs.contains("/docs/"))
            #expect(hrefs.contains("/docs/sub/"))
            #expect(hrefs.contains("/docs/a%20b.txt"))
            // The request as sent: Host, User-Agent, our Depth, framing.
            #expect(answer.request.headers["Host"] == "127.0.0.1:\(peer.port)")
            #expect(answer.request.headers["User-Agent"] == "davdoctor/0.1")
            #expect(answer.request.headers["Depth"] == "1")
            #expect(answer.request.headers["Content-Length"] == String(answer.request.body?.count ?? -1))
            #expect(answer.requestTarget == "/docs/")
            #expect(answer.timings.totalMilliseconds >= (answer.timings.headMilliseconds ?? 0))
            #expect(answer.earlierAttempts.isEmpty)
        }
    }

    /// The streaming variant feeds MultiStatusParser chunk by chunk and sees the same responses.
    @Test func streamingPropfindFeedsTheParser() async throws {
        let peer = try Peer.start("apache")
        defer { peer.stop() }
        try await withClient { client in
            var parser = MultiStatusParser()
            var hrefs: [String] = []
            var status = 0
            let timings = try await client.stream(.propfind(peer.url("/docs/"), depth: .one)) { head in
                status = head.status
            } onBody: { bytes in
                try parser.feed(bytes) { hrefs.append($0.href ?? "") }
            }
            try parser.finish { hrefs.append($0.href ?? "") }
            #expect(status == 207)
            #expect(hrefs.count == 8)
            #expect(timings.headMilliseconds != nil)
        }
    }

    @Test func optionsShowsDAVClasses() async throws {
        let peer = try Peer.start("apache")
        defer { peer.stop() }
        try await withClient { client in
            let answer = try await client.send(.options(peer.url("/docs/")))
            #expect(answer.status == 200)
            #expect(answer.response.headers["DAV"]?.contains("1,2") == true)
            #expect(answer.response.headers["Allow"]?.contains("PROPFIND") == true)
            #expect(answer.response.headers["Server"]?.hasPrefix("Apache") == true)
            #expect(answer.request.headers["Content-Length"] == "0")
        }
    }

    /// A collection without its trailing slash: Apache answers 301, and the 301 is the answer.
    @Test func redirectIsReturnedNotFollowed() async throws {
        let peer = try Peer.start("apache")
        defer { peer.stop() }
        try await withClient { client in
            let answer = try await client.send(.propfind(peer.url("/docs"), depth: .zero))
            #expect(answer.status == 301)
            #expect(answer.response.headers["Location"] == peer.url("/docs/"))
            #expect(answer.requestTarget == "/docs")
        }
    }

    /// `/secret/` needs Basic (alice:alice-pw, bob:bob-pw); `/secret/alice/` only alice (403 for bob).
    @Test func basicAuthentication() async throws {
        let peer = try Peer.start("apache")
        defer { peer.stop() }
        let alice = Credentials(user: "alice", password: "alice-pw")
        let config = DAVClient.Configuration(connectTimeout: .seconds(5), readTimeout: .seconds(10), credentials: alice)
        try await withClient(config) { client in
            let url = peer.url("/secret/")
            let authorised = try await client.send(.propfind(url, depth: .one))
            #expect(authorised.status == 207)
            #expect(authorised.authenticationScheme == "Basic")
            #expect(authorised.request.headers["Authorization"] == "[redacted]")
            #expect(try responses(authorised.body).count == 3)

            let anonymous = try await client.send(.propfind(url, depth: .one).sent(as: .anonymous))
            #expect(anonymous.status == 401)
            #expect(anonymous.authenticationScheme == nil)
            #expect(anonymous.request.headers["Authorization"] == nil)
            #expect(anonymous.response.headers["WWW-Authenticate"]?.hasPrefix("Basic") == true)

            let wrong = try await client.send(.propfind(url, depth: .one).sent(as: .user(Credentials(user: "alice", password: "nope"))))
            #expect(wrong.status == 401)
            #expect(wrong.earlierAttempts.isEmpty)

            let bob = try await client.send(
                .propfind(peer.url("/secret/alice/"), depth: .zero).sent(as: .user(Credentials(user: "bob", password: "bob-pw"))))
            #expect(bob.status == 403)

            // On challenge: the first attempt goes without credentials, the 401 is answered once.
            let challenged = try await client.send(.propfind(url, depth: .zero).sent(as: .onChallenge()))
            #expect(challenged.status == 207)
            #expect(challenged.earlierAttempts.map(\.status) == [401])
            #expect(challenged.earlierAttempts.first?.request.headers["Authorization"] == nil)
        }
        try await withClient { client in
            // A client without credentials gets the 401 as the answer.
            let answer = try await client.send(.propfind(peer.url("/secret/"), depth: .zero))
            #expect(answer.status == 401)
        }
    }

    /// `--save DIR`: the saved response reads back through CaptureReader to the same status and body,
    /// and the saved request never holds the password.
    @Test func recorderRoundTrip() async throws {
        let peer = try Peer.start("apache")
        defer { peer.stop() }
        let directory = try Processes.temporaryDirectory("save")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recorder = try ExchangeRecorder(directory: directory)
        let alice = Credentials(user: "alice", password: "alice-pw")
        let config = DAVClient.Configuration(connectTimeout: .seconds(5), readTimeout: .seconds(10), credentials: alice)
        try await withClient(config) { client in
            let answer = try await client.send(.propfind(peer.url("/secret/"), depth: .one), recorder: recorder)
            _ = try await client.send(.options(peer.url("/")), recorder: recorder)
            var streamed: [UInt8] = []
            try await client.stream(.propfind(peer.url("/docs/"), depth: .one), recorder: recorder) { _ in
            } onBody: {
                streamed += $0
            }

            let entries = recorder.entries
            #expect(entries.map(\.method) == ["PROPFIND", "OPTIONS", "PROPFIND"])
            #expect(entries.map(\.status) == [207, 200, 207])
            #expect(entries[0].responseFile == "001-PROPFIND-response.http")
            #expect(entries[2].bodyBytes == streamed.count)

            for (entry, body) in [(entries[0], answer.body), (entries[2], streamed)] {
                var reader = try CaptureReader(path: directory + "/" + entry.responseFile)
                defer { reader.close() }
                let head = try reader.readHead()
                #expect(head.format == .curlInclude)
                #expect(head.response?.status == 207)
                let (read, info) = try reader.readWholeBody()
                #expect(read == body)
                #expect(!info.isTruncated)
            }
            let request = try String(contentsOfFile: directory + "/001-PROPFIND-request.http", encoding: .utf8)
            #expect(request.hasPrefix("PROPFIND /secret/ HTTP/1.1\r\n"))
            #expect(request.contains("Authorization: [redacted]\r\n"))
            #expect(!request.contains("YWxpY2U6YWxpY2UtcHc="))  // base64 of alice:alice-pw
            #expect(FileManager.default.fileExists(atPath: directory + "/exchanges.json"))
        }
    }

    @Test func bodyLimitIsEnforced() async throws {
        let peer = try Peer.start("apache")
        defer { peer.stop() }
        try await withClient { client in
            await #expect(throws: DAVClientError.bodyTooLarge) {
                try await client.send(.propfind(peer.url("/docs/"), depth: .one), bodyLimit: 100)
            }
            // The client is still usable afterwards.
            let head = try await client.send(.head(peer.url("/docs/plain.txt")))
            #expect(head.status == 200)
        }
    }
}
