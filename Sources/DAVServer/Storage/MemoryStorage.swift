import DAVCore
import Foundation
import NIOCore

/// Resources kept in memory: for tests, the lab and benchmarks. Shipped as real code and held to the
/// same conformance suite as ``FileSystemStorage``.
public final class MemoryStorage: Storage, @unchecked Sendable {
    struct Node {
        var isCollection: Bool
        var data: [UInt8] = []
        /// Member names keyed by their bytes, so NFC and NFD spellings stay two members.
        var members: [[UInt8]: String] = [:]
        var modified: Double
        var created: Double
        var version: UInt64
    }

    private let state: Locked<(nodes: [ResourcePath: Node], version: UInt64)>
    private let capacity: Int64?

    /// - Parameter capacity: bytes available in total, reported as `quota-available-bytes`; nil for unbounded.
    public init(capacity: Int64? = nil) {
        let now = Date().timeIntervalSince1970
        state = Locked(([.root: Node(isCollection: true, modified: now, created: now, version: 1)], 1))
        self.capacity = capacity
    }

    private func makeInfo(_ path: ResourcePath, _ node: Node) -> ResourceInfo {
        ResourceInfo(
            path: path, isCollection: node.isCollection, size: Int64(node.data.count), modified: node.modified,
            created: node.created, etag: "\"m\(String(node.version, radix: 16))-\(String(node.data.count, radix: 16))\"")
    }

    public func info(at path: ResourcePath) throws -> ResourceInfo? {
        state.withLock { state in state.nodes[path].map { makeInfo(path, $0) } }
    }

    public func memberNames(of path: ResourcePath) throws -> [String] {
        state.withLock { Array(($0.nodes[path]?.members ?? [:]).values) }
    }

    /// The content as it is now (the array is shared, not copied): a later write does not change what an
    /// open reader returns, as with a file replaced by rename.
    public func openForReading(_ path: ResourcePath) throws -> any ContentReader {
        try state.withLock { state in
            guard let node = state.nodes[path], !node.isCollection else { throw DAVError.notFound() }
            return MemoryReader(data: node.data)
        }
    }

    public func beginWrite(_ path: ResourcePath) throws -> any ContentWriter {
        guard let parent = path.parent else { throw DAVError(405, "the root is a collection") }
        guard state.withLock({ $0.nodes[parent]?.isCollection ?? false }) else {
            throw DAVError.conflict("the parent collection does not exist")
        }
        return MemoryWriter(storage: self, path: path)
    }

    fileprivate func store(_ data: [UInt8], at path: ResourcePath) throws -> ResourceInfo {
        try state.withLock { state in
            guard let parent = path.parent, state.nodes[parent]?.isCollection == true else {
                throw DAVError.conflict("the parent collection does not exist")
            }
            if let capacity, Int64(data.count) > capacity - used(state.nodes) { throw DAVError(507, "the memory store is full") }
            if state.nodes[path]?.isCollection == true { throw DAVError(405, "a collection exists at this URL") }
            let now = Date().timeIntervalSince1970
            state.version += 1
            let created = state.nodes[path]?.created ?? now
            let node = Node(isCollection: false, data: data, modified: now, created: created, version: state.version)
            state.nodes[path] = node
            state.nodes[parent]!.members[Array(path.name.utf8)] = path.name
            return makeInfo(path, node)
        }
    }

    private func used(_ nodes: [ResourcePath: Node]) -> Int64 {
        nodes.values.reduce(0) { $0 + Int64($1.data.count) }
    }

    public func makeCollection(at path: ResourcePath) throws {
        try state.withLock { state in
            guard let parent = path.parent else { throw DAVError(405, "the root exists") }
            guard state.nodes[parent]?.isCollection == true else { throw DAVError.conflict("the parent collection does not exist") }
            guard state.nodes[path] == nil else { throw DAVError(405, "a resource already exists at this URL") }
            let now = Date().timeIntervalSince1970
            state.version += 1
            state.nodes[path] = Node(isCollection: true, modified: now, created: now, version: state.version)
            state.nodes[parent]!.members[Array(path.name.utf8)] = path.name
        }
    }

    public func remove(_ path: ResourcePath) throws {
        guard let parent = path.parent else { throw DAVError.forbidden("the root collection cannot be deleted") }
        state.withLock { state in
            Self.removeSubtree(path, from: &state.nodes)
            state.nodes[parent]?.members[Array(path.name.utf8)] = nil
        }
    }

    private static func removeSubtree(_ path: ResourcePath, from nodes: inout [ResourcePath: Node]) {
        guard let node = nodes.removeValue(forKey: path) else { return }
        for name in node.members.values { removeSubtree(path.appending(name), from: &nodes) }
    }

    public func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws {
        try state.withLock { state in
            guard let parent = destination.parent, state.nodes[parent]?.isCollection == true else {
                throw DAVError.conflict("the destination's parent does not exist")
            }
            let now = Date().timeIntervalSince1970
            func copyNode(_ from: ResourcePath, _ to: ResourcePath, deep: Bool) {
                guard var node = state.nodes[from] else { return }
                state.version += 1
                node.version = state.version
                node.modified = now
                node.created = now
                let members = node.members
                if !deep { node.members = [:] }
                state.nodes[to] = node
                if deep { for name in members.values { copyNode(from.appending(name), to.appending(name), deep: true) } }
            }
            copyNode(source, destination, deep: recursive)
            state.nodes[parent]!.members[Array(destination.name.utf8)] = destination.name
        }
    }

    public func move(from source: ResourcePath, to destination: ResourcePath) throws {
        try state.withLock { state in
            guard let parent = destination.parent, state.nodes[parent]?.isCollection == true else {
                throw DAVError.conflict("the destination's parent does not exist")
            }
            func moveNode(_ from: ResourcePath, _ to: ResourcePath) {
                guard let node = state.nodes.removeValue(forKey: from) else { return }
                state.nodes[to] = node
                for name in node.members.values { moveNode(from.appending(name), to.appending(name)) }
            }
            moveNode(source, destination)
            if let oldParent = source.parent { state.nodes[oldParent]?.members[Array(source.name.utf8)] = nil }
            state.nodes[parent]!.members[Array(destination.name.utf8)] = destination.name
        }
    }

    public func quota() -> (used: Int64?, available: Int64?) {
        let used: Int64 = state.withLock { self.used($0.nodes) }
        return (used, capacity.map { max(0, $0 - used) })
    }
}

private final class MemoryReader: ContentReader {
    let data: [UInt8]
    init(data: [UInt8]) { self.data = data }

    func read(offset: Int64, length: Int, into buffer: inout ByteBuffer) throws -> Int {
        let start = Int(min(max(0, offset), Int64(data.count)))
        let end = min(data.count, start + length)
        buffer.writeBytes(data[start..<end])
        return end - start
    }
}

private final class MemoryWriter: ContentWriter {
    let storage: MemoryStorage
    let path: ResourcePath
    var data: [UInt8] = []

    init(storage: MemoryStorage, path: ResourcePath) {
        self.storage = storage
        self.path = path
    }

    func append(_ buffer: ByteBuffer) throws {
        data.append(contentsOf: buffer.readableBytesView)
    }

    func commit() throws -> ResourceInfo {
        try storage.store(data, at: path)
    }

    func abort() { data = [] }
}
