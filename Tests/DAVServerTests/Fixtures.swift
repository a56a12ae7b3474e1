import DAVCore
import DAVTesting
import Foundation
import NIOCore
import Testing

@testable import DAVServer

/// The sets of backends the conformance and protocol tests run against.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    /// SQLite in a data directory.
    case persistent
    /// PostgreSQL (a database of its own on the test process's ``PostgresPeer``); skipped, naming
    /// postgres, where PostgreSQL is not installed.
    case postgres

    /// What the method and protocol tests run against: the server with the tree to itself.
    static let allCases: [Backend] = [.memory, .persistent]
    /// Every implementation of the property and lock stores and of the change log: what their conformance
    /// suites run against.
    static let stores: [Backend] = [.memory, .persistent, .postgres]

    var testDescription: String { rawValue }
}

/// Names no server should trip over: spaces, `%`, `#`, `?`, both Unicode normalisations, emoji.
enum HostileNames {
    static let nfc = "caf\u{E9}.txt"
    static let nfd = "cafe\u{301}.txt"
    static let files: [(path: [String], content: String)] = [
        (["plain.txt"], "plain"),
        (["a b.txt"], "space"),
        (["100%.txt"], "percent"),
        (["hash#tag.txt"], "hash"),
        (["what?.txt"], "question"),
        ([nfc], "nfc"),
        ([nfd], "nfd"),
        (["emoji 😀.txt"], "emoji"),
        (["sub dir", "nested.txt"], "nested"),
    ]
}

/// A temporary directory removed when the fixture goes.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.path + "/davserver-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Stores for one backend, seeded with the hostile tree, kept alive with their temporary directories.
final class ServerFixture: @unchecked Sendable {
    let backend: Backend
    let root = TemporaryDirectory()
    let data = TemporaryDirectory()
    var options: DAVServerOptions
    /// The PostgreSQL stores of a `.postgres` fixture, closed with it, and their database's URL (with the password).
    private(set) var postgres: PostgresStores?
    private(set) var postgresURL: String?

    /// `changeLogCapacity`: how many changes the sync log keeps (small, to make tokens expire in a test).
    init(
        _ backend: Backend, seed: Bool = true, changeLogCapacity: Int = 100_000, configure: (inout DAVServerOptions) -> Void = { _ in }
    ) throws {
        self.backend = backend
        switch backend {
        case .memory:
            options = .inMemory()
            options.changes = MemoryChangeLog(capacity: changeLogCapacity)
        case .persistent:
            let stores = try DAVServer.persistentStores(dataDirectory: data.path, changeLogCapacity: changeLogCapacity)
            options = DAVServerOptions(
                storage: try FileSystemStorage(root: root.path), properties: stores.properties, locks: stores.locks, changes: stores.changes)
        case .postgres:
            try Need.check(.postgres)
            let url = try PostgresPeer.database()
            let stores = try PostgresStores(location: try PostgresLocation(url), changeLogCapacity: changeLogCapacity)
            postgres = stores
            postgresURL = url
            options = DAVServerOptions(
                storage: try FileSystemStorage(root: root.path, uploadTag: stores.uploadTag), properties: stores.properties,
                locks: stores.locks, changes: stores.changes)
            options.cluster = stores.cluster
        }
        configure(&options)
        if seed { try Self.seed(options.storage) }
    }

    deinit { postgres?.close() }

    static func seed(_ storage: any Storage) throws {
        for (segments, content) in HostileNames.files {
            var path = ResourcePath.root
            for directory in segments.dropLast() {
                path = path.appending(directory)
                if try storage.info(at: path) == nil { try storage.makeCollection(at: path) }
            }
            try write(storage, path.appending(segments.last!), content)
        }
    }

    @discardableResult
    static func write(_ storage: any Storage, _ path: ResourcePath, _ content: String) throws -> ResourceInfo {
        let writer = try storage.beginWrite(path)
        try writer.append(ByteBuffer(string: content))
        return try writer.commit()
    }

    static func read(_ storage: any Storage, _ path: ResourcePath) throws -> String {
        var buffer = ByteBuffer()
        _ = try storage.openForReading(path).read(offset: 0, length: 1 << 20, into: &buffer)
        return String(buffer: buffer)
    }
}

func path(_ segments: String...) -> ResourcePath { ResourcePath(segments: segments) }

extension Storage {
    /// Every member the iterator yields, for tests that compare listings whole.
    func allMembers(of path: ResourcePath) throws -> [ResourceInfo] {
        let iterator = try memberIterator(of: path)
        var members: [ResourceInfo] = []
        while let member = try iterator.next() { members.append(member) }
        return members
    }
}
