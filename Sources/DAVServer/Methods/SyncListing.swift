import DAVCore

/// The members of a collection for a first synchronisation, in one fixed order, from a cursor on.
///
/// The order: names compared byte by byte within a collection, and a collection right before what it holds
/// (so `/a`, `/a/x`, `/b`); ``precedes(_:_:)`` is that order on whole paths. Being fixed, it lets a listing
/// handed out in parts carry only the last member listed: the next part lists what comes after it, as it
/// is then. Members the user may not read are left out and not descended into, as PROPFIND does; links
/// are listed but not descended into. Memory: one sorted list of names per open level.
struct SyncListing {
    private let storage: any Storage
    private let infinite: Bool
    private let after: ResourcePath?
    private let readable: (ResourcePath) -> Bool
    /// Per open level: its path and its member names still to visit, the next one last.
    private var levels: [(path: ResourcePath, names: [String])]

    init(
        storage: any Storage, collection: ResourcePath, infinite: Bool, after cursor: ResourcePath?,
        readable: @escaping (ResourcePath) -> Bool
    ) throws {
        self.storage = storage
        self.infinite = infinite
        self.after = cursor
        self.readable = readable
        levels = [(collection, try Self.sortedNames(storage, collection))]
    }

    /// The next member, or nil at the end.
    mutating func next() throws -> ResourceInfo? {
        while !levels.isEmpty {
            guard let name = levels[levels.count - 1].names.popLast() else {
                levels.removeLast()
                continue
            }
            let path = levels[levels.count - 1].path.appending(name)
            guard readable(path), let member = try Self.info(storage, path) else { continue }
            let descends = infinite && member.isCollection && !member.isLink
            if let after, !Self.precedes(after, path) {
                // Listed in an earlier part; only a collection on the way to the cursor holds members still due.
                if descends && after.isDescendant(of: path, orSelf: false) { levels.append((path, try Self.sortedNames(storage, path))) }
                continue
            }
            if descends { levels.append((path, try Self.sortedNames(storage, path))) }
            return member
        }
        return nil
    }

    /// Whether `a` comes before `b` in listing order: segment by segment, bytes compared; a path before its descendants.
    static func precedes(_ a: ResourcePath, _ b: ResourcePath) -> Bool {
        a.segments.lexicographicallyPrecedes(b.segments) { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func sortedNames(_ storage: any Storage, _ path: ResourcePath) throws -> [String] {
        try storage.memberNames(of: path).sorted { $1.utf8.lexicographicallyPrecedes($0.utf8) }
    }

    /// Nil for a member that went meanwhile or that the storage refuses (a link out of the root).
    private static func info(_ storage: any Storage, _ path: ResourcePath) throws -> ResourceInfo? {
        do {
            return try storage.info(at: path)
        } catch let error as DAVError where error.status == 403 {
            return nil
        }
    }
}
