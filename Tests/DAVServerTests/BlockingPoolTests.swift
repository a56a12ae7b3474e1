import DAVCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import DAVServer

/// Every storage call a request makes runs on NIO's blocking pool, none on Swift's cooperative threads
/// (where a slow disk would stall every request sharing the thread).
struct BlockingPoolTests {
    /// The name of the calling thread, as Linux keeps it: NIO names its pool's threads `…TP-#0`, `…TP-#1`.
    static func threadName() -> String {
        ((try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A memory storage that notes each call with the thread it ran on.
    final class ThreadRecordingStorage: Storage, Sendable {
        let inner = MemoryStorage()
        let calls = Locked<[(call: String, thread: String)]>([])

        func note(_ call: String) { calls.withLock { $0.append((call, BlockingPoolTests.threadName())) } }

        func info(at path: ResourcePath) throws -> ResourceInfo? {
            note("info")
            return try inner.info(at: path)
        }
        func memberNames(of path: ResourcePath) throws -> [String] {
            note("memberNames")
            return try inner.memberNames(of: path)
        }
        func openForReading(_ path: ResourcePath) throws -> any ContentReader {
            note("openForReading")
            return Reader(inner: try inner.openForReading(path), storage: self)
        }
        func beginWrite(_ path: ResourcePath) throws -> any ContentWriter {
            note("beginWrite")
            return Writer(inner: try inner.beginWrite(path), storage: self)
        }
        func makeCollection(at path: ResourcePath) throws {
            note("makeCollection")
            try inner.makeCollection(at: path)
        }
        func remove(_ path: ResourcePath) throws {
            note("remove")
            try inner.remove(path)
        }
        func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws {
            note("copy")
            try inner.copy(from: source, to: destination, recursive: recursive)
        }
        func move(from source: ResourcePath, to destination: ResourcePath) throws {
            note("move")
            try inner.move(from: source, to: destination)
        }
        func quota() -> (used: Int64?, available: Int64?) {
            note("quota")
            return inner.quota()
        }

        final class Reader: ContentReader {
            let inner: any ContentReader
            let storage: ThreadRecordingStorage
            init(inner: any ContentReader, storage: ThreadRecordingStorage) {
                self.inner = inner
                self.storage = storage
            }
            func read(offset: Int64, length: Int, into buffer: inout ByteBuffer) throws -> Int {
                storage.note("read")
                return try inner.read(offset: offset, length: length, into: &buffer)
            }
        }

        final class Writer: ContentWriter {
            let inner: any ContentWriter
            let storage: ThreadRecordingStorage
            init(inner: any ContentWriter, storage: ThreadRecordingStorage) {
                self.inner = inner
                self.storage = storage
            }
            func append(_ buffer: ByteBuffer) throws {
                storage.note("append")
                try inner.append(buffer)
            }
            func commit() throws -> ResourceInfo {
                storage.note("commit")
                return try inner.commit()
            }
            func abort() {
                storage.note("abort")
                inner.abort()
            }
        }
    }

    @Test func everyMethodsStorageCallsRunOnTheBlockingPool() async throws {
        let storage = ThreadRecordingStorage()
        let app = Application(
            responder: DAVResponder(options: DAVServerOptions(storage: storage)), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let large = String(repeating: "x", count: 600 << 10)  // more than one 256 KiB piece, in and out
        try await app.test(.router) { client async throws in
            #expect(try await client.send("MKCOL", "/dir/").code == 201)
            #expect(try await client.send("PUT", "/dir/small.txt", body: "small").code == 201)
            #expect(try await client.send("PUT", "/dir/large.bin", body: large).code == 201)
            #expect(try await client.send("GET", "/dir/small.txt").text == "small")
            #expect(try await client.send("GET", "/dir/large.bin").text.count == large.count)
            #expect(try await client.send("GET", "/dir/").code == 200)
            #expect(try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"], body: propfindAll).code == 207)
            #expect(try await client.send("PROPFIND", "/dir/small.txt", headers: ["Depth": "0"], body: propfindAll).code == 207)
            let patch = #"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:c xmlns:x="urn:x">1</x:c></D:prop></D:set></D:propertyupdate>"#
            #expect(try await client.send("PROPPATCH", "/dir/small.txt", body: patch).code == 207)
            let lock = try await client.send("LOCK", "/dir/small.txt", headers: ["Depth": "0"], body: lockBody())
            #expect(lock.code == 200)
            #expect(try await client.send("UNLOCK", "/dir/small.txt", headers: ["Lock-Token": lock.header("Lock-Token") ?? ""]).code == 204)
            let sync =
                #"<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#
            #expect(try await client.send("REPORT", "/dir/", body: sync).code == 207)
            #expect(try await client.send("COPY", "/dir/", headers: ["Destination": "/copy/"]).code == 201)
            #expect(try await client.send("MOVE", "/copy/", headers: ["Destination": "/moved/"]).code == 201)
            #expect(try await client.send("DELETE", "/moved/").code == 204)
        }
        let calls = storage.calls.withLock { $0 }
        for kind in ["info", "memberNames", "openForReading", "read", "beginWrite", "append", "commit", "makeCollection", "remove", "copy", "move"] {
            #expect(calls.contains { $0.call == kind }, "no \(kind) call was made")
        }
        let elsewhere = calls.filter { !$0.thread.contains("TP-#") }
        #expect(elsewhere.isEmpty, "storage calls off the blocking pool: \(elsewhere)")
    }

    /// A server run by `DAVServer.run` (as `serve` and `lab` run theirs) handles requests on the blocking
    /// executor's threads: the storage calls run there, with no hop to NIO's pool and none on the
    /// cooperative pool.
    @Test func aServerRunByDAVServerHandlesRequestsOnTheBlockingExecutor() async throws {
        let storage = ThreadRecordingStorage()
        let (listening, announce) = AsyncStream.makeStream(of: Int.self)
        let app = DAVServer.makeApplication(
            options: DAVServerOptions(storage: storage), host: "127.0.0.1", port: 0, logger: Logger(label: "executor")
        ) {
            announce.yield($0)
            announce.finish()
        }
        let server = Task { try await DAVServer.run(app, handlesSignals: false) }
        defer { server.cancel() }
        var port = 0
        for await bound in listening { port = bound }
        let requests = [
            "PUT /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "PROPFIND / HTTP/1.1\r\nHost: x\r\nDepth: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ]
        let serverPort = port
        for request in requests {
            let answer = try await offThePool {
                let connection = try RawHTTPConnection(port: serverPort, readTimeout: 10)
                try connection.send(request)
                return String(decoding: try connection.readUntilClosed(), as: UTF8.self)
            }
            #expect(answer.hasPrefix("HTTP/1.1 2"), "\(answer.prefix(200))")
        }
        let calls = storage.calls.withLock { $0 }
        for kind in ["beginWrite", "commit", "openForReading", "read", "info", "memberNames"] {
            #expect(calls.contains { $0.call == kind }, "no \(kind) call was made")
        }
        let elsewhere = calls.filter { !$0.thread.hasPrefix("DAVBlocking-#") }
        #expect(elsewhere.isEmpty, "storage calls off the blocking executor: \(elsewhere)")
    }
}
