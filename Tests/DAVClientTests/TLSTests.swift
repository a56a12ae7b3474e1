import DAVClient
import DAVTesting
import Foundation
import Testing

/// TLS against `openssl s_server` with a fresh self-signed certificate for 127.0.0.1.
@Suite(.needs(.openssl), .serialized)
struct TLSTests {
    @Test func untrustedCertificateIsATLSError() async throws {
        let work = try Processes.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let server = try Listeners.tls(work: work)
        defer { server.process.stop() }
        try await withClient { client in
            let error = await #expect(throws: DAVClientError.tls) { try await client.send(.get("https://127.0.0.1:\(server.port)/")) }
            #expect(error?.description.contains("not trusted") == true)
            #expect(error?.isNetworkFailure == true)
        }
    }

    @Test func insecureSkipsVerification() async throws {
        let work = try Processes.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let server = try Listeners.tls(work: work)
        defer { server.process.stop() }
        try await withClient(DAVClient.Configuration(connectTimeout: .seconds(5), readTimeout: .seconds(5), insecure: true)) { client in
            let answer = try await client.send(.get("https://127.0.0.1:\(server.port)/"))
            #expect(answer.status == 200)
        }
    }

    @Test func caCertificateIsTrusted() async throws {
        let work = try Processes.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let server = try Listeners.tls(work: work)
        defer { server.process.stop() }
        let config = DAVClient.Configuration(connectTimeout: .seconds(5), readTimeout: .seconds(5), caCertificate: server.certificate)
        try await withClient(config) { client in
            let answer = try await client.send(.get("https://127.0.0.1:\(server.port)/"))
            #expect(answer.status == 200)
        }
    }

    @Test func unreadableCACertificate() {
        #expect(throws: DAVClientError.tls) { _ = try DAVClient(configuration: .init(caCertificate: "/nonexistent.pem")) }
    }

    /// Plain HTTP to a TLS port: the HTTP client cannot parse what comes back, and only the raw bytes tell
    /// a TLS record (which `check` then names) from a broken HTTP answer.
    @Test func plainHTTPToATLSPort() async throws {
        let work = try Processes.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let server = try Listeners.tls(work: work)
        defer { server.process.stop() }
        try await withClient { client in
            let error = await #expect(throws: DAVClientError.self) { try await client.send(.get("http://127.0.0.1:\(server.port)/")) }
            #expect(error == .unparseable || error == .connectionClosed, "\(String(describing: error))")
            // Nothing that could be read came back: at most a conditional hint, never a verdict of TLS.
            if error == .unparseable { #expect(error?.description.contains("TLS") == false) }
            // OpenSSL answers bytes it cannot read with an alert record (0x15 0x03 …), or closes.
            let raw = try await client.fetchRaw(.get("http://127.0.0.1:\(server.port)/"))
            #expect(raw.isEmpty || raw.starts(with: [0x15, 0x03]), "\(raw.prefix(8))")
        }
    }

    /// https:// to a plain-HTTP server (Apache): the handshake fails.
    @Test(.needs(.peer("apache")))
    func tlsToAPlainHTTPPort() async throws {
        let peer = try Peer.start("apache", profile: "clean")
        defer { peer.stop() }
        try await withClient { client in
            let error = await #expect(throws: DAVClientError.tls) { try await client.send(.options("https://127.0.0.1:\(peer.port)/")) }
            #expect(error?.description.contains("TLS") == true)
        }
    }
}
