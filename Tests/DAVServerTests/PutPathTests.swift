import DAVCore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import DAVServer

/// The two ways a PUT goes: a body of one piece that does not wait for `100 Continue` is taken whole,
/// written once its collection is found, and checked once, before the rename; any other is checked before
/// its body and again before the rename. Told apart by the storage calls each makes, in order.
struct PutPathTests {
    /// The calls a PUT made, the ones before it left out.
    private func calls(_ storage: BlockingPoolTests.ThreadRecordingStorage, after start: Int) -> [String] {
        storage.calls.withLock { Array($0.dropFirst(start).map(\.call)) }
    }

    private func withApp(_ body: @escaping @Sendable (BlockingPoolTests.ThreadRecordingStorage, any TestClientProtocol) async throws -> Void)
        async throws
    {
        let storage = BlockingPoolTests.ThreadRecordingStorage()
        let app = Application(
            responder: DAVResponder(options: DAVServerOptions(storage: storage)), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.router) { client in try await body(storage, client) }
    }

    @Test func aBodyOfOnePieceIsCheckedOnceBeforeTheRename() async throws {
        try await withApp { storage, client async throws in
            let start = storage.calls.withLock { $0.count }
            let body = "small"
            #expect(try await client.send("PUT", "/a.txt", headers: ["Content-Length": "\(body.utf8.count)"], body: body).code == 201)
            #expect(calls(storage, after: start) == ["info", "beginWrite", "append", "info", "info", "commit"])
        }
    }

    @Test(arguments: [false, true])
    func aLargerBodyOrOneWaitingForContinueIsCheckedBeforeAndAfter(_ waitsForContinue: Bool) async throws {
        try await withApp { storage, client async throws in
            let start = storage.calls.withLock { $0.count }
            let body = waitsForContinue ? "small" : String(repeating: "x", count: DAVResponder.PendingChunks.batchBytes + 1)
            var headers = ["Content-Length": "\(body.utf8.count)"]
            if waitsForContinue { headers["Expect"] = "100-continue" }
            #expect(try await client.send("PUT", "/a.txt", headers: headers, body: body).code == 201)
            let made = calls(storage, after: start)
            #expect(Array(made.prefix(3)) == ["info", "info", "beginWrite"])
            #expect(Array(made.suffix(3)) == ["info", "info", "commit"])
        }
    }

    /// Refused by its conditions or by a lock, a body of one piece leaves the resource as it was and its
    /// temporary file thrown away.
    @Test func aRefusedBodyOfOnePieceIsThrownAway() async throws {
        try await withApp { storage, client async throws in
            #expect(try await client.send("PUT", "/a.txt", headers: ["Content-Length": "3"], body: "old").code == 201)
            let start = storage.calls.withLock { $0.count }
            let mismatch = ["Content-Length": "3", "If-Match": "\"not-its-tag\""]
            #expect(try await client.send("PUT", "/a.txt", headers: mismatch, body: "new").code == 412)
            let lock = try await client.send("LOCK", "/a.txt", headers: ["Depth": "0"], body: lockBody())
            #expect(lock.code == 200)
            #expect(try await client.send("PUT", "/a.txt", headers: ["Content-Length": "3"], body: "new").code == 423)
            let made = calls(storage, after: start)
            #expect(made.filter { $0 == "beginWrite" }.count == 2)
            #expect(made.filter { $0 == "abort" }.count == 2)
            #expect(!made.contains("commit"))
            #expect(try await client.send("GET", "/a.txt").text == "old")
        }
    }
}
