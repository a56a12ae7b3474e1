import DAVCore
import NIOCore

/// What the server knows about one resource without reading its content.
public struct ResourceInfo: Sendable {
    public var path: ResourcePath
    public var isCollection: Bool
    /// Content length in bytes (0 for collections).
    public var size: Int64
    /// Seconds since 1970, with fractions.
    public var modified: Double
    public var created: Double
    /// A strong entity tag with its quotes; changes whenever the content does.
    public var etag: String
    /// Reached through a symbolic link (inside the root): listed, but never descended into by a walk,
    /// so a link to an ancestor cannot make a Depth infinity answer or a COPY endless.
    public var isLink = false

    public init(path: ResourcePath, isCollection: Bool, size: Int64, modified: Double, created: Double, etag: String) {
        self.path = path
        self.isCollection = isCollection
        self.size = size
        self.modified = modified
        self.created = created
        self.etag = etag
    }
}

/// Where resource content lives: a tree of collections and files addressed by ``ResourcePath``.
///
/// As small as the methods need: look up, list, open for reading, write, make a collection, remove, copy,
/// move, and the quota figures. Anything a storage can do faster than the defaults (a listing with its
/// members' information in one pass) is a requirement with a default, never a downcast in a handler.
///
/// Contract for implementations:
/// - `info(at:)` returns nil for an unmapped path and throws a 403 ``DAVError`` for a path the
///   storage refuses to reach (a symbolic link out of the root).
/// - Mutating calls assume the server already checked existence, parents, locks and permissions; they
///   throw ``DAVError`` with 409 when a parent is missing, 507 when the disk is full, 500 otherwise.
/// - `copy` and `move` require the destination not to exist (the server deletes it first on Overwrite: T).
/// - Writes go to a temporary place and become visible only at ``ContentWriter/commit()``: a cut upload never
///   replaces the old content.
/// Calls are synchronous and may block (system calls, a slow disk): the server makes them on its blocking
/// pool (``BlockingPool``), never on the event loops or Swift's cooperative threads.
public protocol Storage: Sendable {
    func info(at path: ResourcePath) throws -> ResourceInfo?
    /// Names of a collection's members, in no particular order; hidden upload files are left out.
    func memberNames(of path: ResourcePath) throws -> [String]
    /// The members one at a time with their information, for listings of any size; members the storage
    /// refuses to reach are left out. The default looks each name up with `info(at:)`.
    func memberIterator(of path: ResourcePath) throws -> any MemberIterator
    /// Opens a file's content for reads at any offset, the same open file for a whole response.
    func openForReading(_ path: ResourcePath) throws -> any ContentReader
    func beginWrite(_ path: ResourcePath) throws -> any ContentWriter
    func makeCollection(at path: ResourcePath) throws
    /// Removes a resource, recursively for a collection.
    func remove(_ path: ResourcePath) throws
    /// Copies a resource; for a collection, its members too when `recursive`.
    func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws
    func move(from source: ResourcePath, to destination: ResourcePath) throws
    /// Bytes used under the root, and bytes still available (RFC 4331); nil when unknown.
    func quota() -> (used: Int64?, available: Int64?)
    /// At start-up: deletes what writes cut short by a crash left behind, except the writes of a server
    /// `isLive` says still runs (it is given the writer's tag, nil when there is none); returns how many.
    func removeStaleUploads(keeping isLive: (String?) throws -> Bool) throws -> Int
}

extension Storage {
    /// A storage that does not outlive the process leaves nothing behind.
    public func removeStaleUploads(keeping isLive: (String?) throws -> Bool) throws -> Int { 0 }
}

/// A file's content open for reading. Reads at explicit offsets keep no position, so one reader may
/// serve a response's chunks from whichever thread reads next.
public protocol ContentReader: AnyObject, Sendable {
    /// Reads up to `length` bytes at `offset` into `buffer`; returns how many were read (0 at the end).
    func read(offset: Int64, length: Int, into buffer: inout ByteBuffer) throws -> Int
}

/// A reader over an open regular file, which the kernel can then send to a socket itself (sendfile(2),
/// ``FileRegionHandoff``) instead of the server copying it through buffers.
protocol FileContentReader: ContentReader {
    /// The file's descriptor: open for as long as the reader lives, closed by nobody else.
    var descriptor: Int32 { get }
}

/// An upload in progress: chunks appended, then made visible atomically or thrown away.
public protocol ContentWriter: AnyObject {
    func append(_ buffer: ByteBuffer) throws
    func commit() throws -> ResourceInfo
    func abort()
}

/// Yields a collection's members one by one (nil at the end); what a listing of any size walks through.
public protocol MemberIterator: AnyObject {
    func next() throws -> ResourceInfo?
}

/// The default listing: each name looked up when its turn comes, so nothing but the names is held.
final class NameLookupIterator: MemberIterator {
    private let storage: any Storage
    private let path: ResourcePath
    private var names: [String]

    init(storage: any Storage, path: ResourcePath) throws {
        self.storage = storage
        self.path = path
        names = try storage.memberNames(of: path).reversed()
    }

    func next() throws -> ResourceInfo? {
        while let name = names.popLast() {
            if let info = try? storage.info(at: path.appending(name)) { return info }
        }
        return nil
    }
}

extension Storage {
    public func memberIterator(of path: ResourcePath) throws -> any MemberIterator {
        try NameLookupIterator(storage: self, path: path)
    }

    /// Walks a collection depth first, calling `visit` for every member (not `path` itself); members the
    /// storage refuses (symlinks out of the root) are skipped. Memory stays proportional to one
    /// directory listing per open level.
    public func walk(_ path: ResourcePath, visit: (ResourceInfo) throws -> Bool) throws {
        var stack: [[String]] = [try memberNames(of: path).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).reversed()]
        var prefixes: [ResourcePath] = [path]
        while !stack.isEmpty {
            guard let name = stack[stack.count - 1].popLast() else {
                stack.removeLast()
                prefixes.removeLast()
                continue
            }
            let child = prefixes[prefixes.count - 1].appending(name)
            guard let info = try? info(at: child) else { continue }
            let descend = try visit(info)
            if info.isCollection && !info.isLink && descend {
                stack.append(try memberNames(of: child).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).reversed())
                prefixes.append(child)
            }
        }
    }
}
