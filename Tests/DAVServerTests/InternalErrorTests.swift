import DAVCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import DAVServer

/// A 500 tells the client only the request id; the cause goes to the server's log under that id.
struct InternalErrorTests {
    /// What a failing dependency might say: nothing a client should read.
    struct Breakdown: Error, CustomStringConvertible {
        var description: String { "disk I/O error in /var/lib/davdoctor/davdoctor.sqlite" }
    }

    /// A storage whose lookups fail: with a foreign error under `/foreign`, a ``DAVError`` 500 elsewhere.
    struct FailingStorage: Storage {
        let inner = MemoryStorage()

        func info(at path: ResourcePath) throws -> ResourceInfo? {
            if path.isRoot { return try inner.info(at: path) }
            if path.name == "foreign" { throw Breakdown() }
            throw DAVError(500, "cannot open /srv/private/\(path.name)")
        }
        func memberNames(of path: ResourcePath) throws -> [String] { try inner.memberNames(of: path) }
        func openForReading(_ path: ResourcePath) throws -> any ContentReader { try inner.openForReading(path) }
        func beginWrite(_ path: ResourcePath) throws -> any ContentWriter { try inner.beginWrite(path) }
        func makeCollection(at path: ResourcePath) throws { try inner.makeCollection(at: path) }
        func remove(_ path: ResourcePath) throws { try inner.remove(path) }
        func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws {
            try inner.copy(from: source, to: destination, recursive: recursive)
        }
        func move(from source: ResourcePath, to destination: ResourcePath) throws { try inner.move(from: source, to: destination) }
        func quota() -> (used: Int64?, available: Int64?) { inner.quota() }
    }

    @Test(arguments: [("/foreign", Breakdown().description), ("/other", "cannot open /srv/private/other")])
    func theBodyNamesTheRequestIDAndTheLogTheCause(_ target: String, _ cause: String) async throws {
        let log = LogRecorder()
        let app = Application(
            responder: DAVResponder(options: DAVServerOptions(storage: FailingStorage())),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: Logger(label: "test") { _ in RecordingLogHandler(recorder: log) })
        try await app.test(.router) { client async throws in
            let response = try await client.send("GET", target)
            #expect(response.code == 500)
            #expect(!response.text.contains(cause))
            let entries = log.entries.filter { $0.level == .error }
            try #require(entries.count == 1)
            let id = try #require(entries[0].metadata["hb.request.id"]?.description)
            #expect(entries[0].metadata["error"]?.description.contains(cause) == true)
            #expect(response.text.contains(id))
        }
    }
}

/// Keeps what was logged, for a test to look at.
final class LogRecorder: Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let stored = Locked<[Entry]>([])

    var entries: [Entry] { stored.withLock { $0 } }

    func append(_ entry: Entry) { stored.withLock { $0.append(entry) } }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append(.init(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 }))
    }
}
