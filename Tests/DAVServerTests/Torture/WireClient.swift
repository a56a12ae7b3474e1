import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Many concurrent requests to a server on 127.0.0.1 over real connections (AsyncHTTPClient's pool):
/// what the torture and crash tests need and the single-connection test client does not give.
struct WireClient: Sendable {
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let base: String
    /// Where requests go: one node picked at random per request among several instances serving one tree,
    /// as a balancer spreads them. `Host` stays the first's, as a balancer passes the client's on.
    let nodes: [String]
    let http: HTTPClient

    init(port: Int) { self.init(ports: [port]) }

    init(ports: [Int]) {
        base = "http://127.0.0.1:\(ports[0])"
        nodes = ports.map { "http://127.0.0.1:\($0)" }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async throws { try await http.shutdown() }

    /// Runs `body` with a client for `port` and shuts the client down afterwards, also when `body` throws.
    static func with<T>(port: Int, _ body: (WireClient) async throws -> T) async throws -> T {
        try await with(ports: [port], body)
    }

    static func with<T>(ports: [Int], _ body: (WireClient) async throws -> T) async throws -> T {
        let client = WireClient(ports: ports)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @discardableResult
    func send(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: (nodes.count > 1 ? nodes.randomElement()! : base) + path)
        request.method = HTTPMethod(rawValue: method)
        if nodes.count > 1 { request.headers.add(name: "Host", value: String(base.dropFirst("http://".count))) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await execute(request)
    }

    func send(_ method: String, _ path: String, headers: [String: String] = [:], text: String) async throws -> Answer {
        try await send(method, path, headers: headers, body: Array(text.utf8))
    }

    func execute(_ request: HTTPClientRequest) async throws -> Answer {
        let response = try await http.execute(request, timeout: .seconds(120))
        var body: [UInt8] = []
        for try await chunk in response.body { body.append(contentsOf: chunk.readableBytesView) }
        return Answer(status: Int(response.status.code), headers: response.headers, body: body)
    }

    /// The `Destination` header value for `path` on this server.
    func destination(_ path: String) -> String { base + path }
}

/// A small reproducible random generator (SplitMix64): a failing seed replays the same choices.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
