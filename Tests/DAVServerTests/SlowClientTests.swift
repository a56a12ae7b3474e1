import Foundation
import Testing

@testable import DAVServer

/// Slow clients on 127.0.0.1 against a server whose request-head deadline is 2 seconds: connections that
/// trickle their headers are dropped after it, everyone else keeps being served quickly, and a slow body
/// is not what the deadline cuts.
struct SlowClientTests {
    static let deadline = Duration.seconds(2)

    static func sandbox() throws -> HostileSandbox {
        try HostileSandbox { $0.requestHeadTimeout = deadline }
    }

    /// Opens `count` connections that send a request line and then one header byte a second, never
    /// finishing the head; returns, for each, the seconds after which the server closed it (nil: never,
    /// within `limit` seconds).
    static func slowloris(port: Int, count: Int, limit: Double) throws -> [Double?] {
        let started = Date()
        let connections = try (0..<count).map { _ in try RawHTTPConnection(port: port) }
        var closedAfter: [Double?] = Array(repeating: nil, count: count)
        for connection in connections { try? connection.send("GET /canary.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n") }
        let trickle = Array("X-Slow: a\r\n".utf8)
        var tick = 0
        while Date().timeIntervalSince(started) < limit && closedAfter.contains(where: { $0 == nil }) {
            // Look for closes four times a second; send each connection one more byte once a second.
            for (index, connection) in connections.enumerated() where closedAfter[index] == nil {
                if connection.isClosedByServerNow {
                    closedAfter[index] = Date().timeIntervalSince(started)
                } else if tick % 4 == 0 {
                    try? connection.send([trickle[(tick / 4) % trickle.count]])
                }
            }
            tick += 1
            Thread.sleep(forTimeInterval: 0.25)
        }
        return closedAfter
    }

    @Test func slowlorisIsDroppedWhileOthersAreServed() async throws {
        let sandbox = try Self.sandbox()
        try await sandbox.serve { port, _ in
            let slow = Task { try await offThePool { try Self.slowloris(port: port, count: 20, limit: 30) } }
            // Meanwhile ordinary clients connect again and again and are answered at once. Each uses a
            // connection of its own: a kept-alive one would meet the short head deadline between requests.
            for _ in 0..<8 {
                let started = ContinuousClock.now
                let answer = try await rawExchange(port: port, rawRequest("GET", "/canary.txt"))
                #expect(answer?.status == 200 && answer?.text == "canary")
                // Very generous on purpose: a server that serialised connections would never answer while the
                // slow ones trickle, and the whole suite shares two cores (CI once saw a 400 ms timer take 34 s).
                #expect(ContinuousClock.now - started < .seconds(30), "an ordinary request waited behind the slow ones")
                try await Task.sleep(for: .milliseconds(300))
            }
            let closedAfter = try await slow.value
            #expect(closedAfter.allSatisfy { $0 != nil }, "slow connections still open after 30 s: \(closedAfter)")
            // Not before the deadline, and well before anything else (the 120 s idle timeout) would close them.
            #expect(closedAfter.compactMap { $0 }.allSatisfy { $0 >= 1.5 && $0 < 20 }, "\(closedAfter)")
            #expect(try await rawExchange(port: port, rawRequest("GET", "/canary.txt"))?.text == "canary")
            #expect(sandbox.outsideIsUntouched)
        }
    }

    @Test func keptAliveConnectionThatTricklesItsNextRequestIsDropped() async throws {
        let sandbox = try Self.sandbox()
        try await sandbox.serve { port, _ in
            let (first, closedAfter) = try await offThePool { () -> (RawHTTPResponse?, Double?) in
                let connection = try RawHTTPConnection(port: port, readTimeout: 60)
                try connection.send("GET /canary.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                // Read just the first answer (it has a Content-Length) without waiting for a close.
                var received: [UInt8] = []
                while RawHTTPResponse(received).map({ $0.body.count < 6 }) ?? true {
                    received += try connection.readSome()
                }
                let started = Date()
                try connection.send("GET /canary.txt HTTP/1.1\r\n")
                // Up to 20 s of trickling (40 bytes, one each 0.5 s): the deadline is 2 s.
                for byte in ("Host: 127.0.0.1\r\nX-Trickle: " + String(repeating: "a", count: 11) + "\r\n").utf8 {
                    if connection.isClosedByServerNow { return (RawHTTPResponse(received), Date().timeIntervalSince(started)) }
                    try? connection.send([byte])
                    Thread.sleep(forTimeInterval: 0.5)
                }
                return (RawHTTPResponse(received), nil)
            }
            #expect(first?.status == 200)
            let seconds = try #require(closedAfter, "the trickled second request was never dropped")
            #expect(seconds >= 1.5 && seconds < 20)
        }
    }

    @Test func aHeadWithinTheDeadlineAndASlowBodyAreServed() async throws {
        let sandbox = try Self.sandbox()
        try await sandbox.serve { port, _ in
            let answer = try await offThePool { () -> RawHTTPResponse? in
                let connection = try RawHTTPConnection(port: port, readTimeout: 60)
                // The head in four pieces over 0.9 s, then a 6-byte body one byte every 0.5 s (3 s in all).
                let head = Array("PUT /slow.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 6\r\n\r\n".utf8)
                for piece in stride(from: 0, to: head.count, by: head.count / 4 + 1) {
                    try connection.send(Array(head[piece..<min(head.count, piece + head.count / 4 + 1)]))
                    Thread.sleep(forTimeInterval: 0.3)
                }
                for byte in "slowly".utf8 {
                    try connection.send([byte])
                    Thread.sleep(forTimeInterval: 0.5)
                }
                return RawHTTPResponse(try connection.readUntilClosed())
            }
            #expect(answer?.status == 201)
            #expect(sandbox.fileInRoot("slow.txt") == "slowly")
            // The test client's kept-alive connection sat idle past the deadline and was closed: ask afresh.
            #expect(try await rawExchange(port: port, rawRequest("GET", "/canary.txt"))?.text == "canary")
            #expect(sandbox.outsideIsUntouched)
        }
    }
}
