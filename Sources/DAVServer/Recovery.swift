import DAVCore

/// What start-up found left over from a server that stopped without finishing its work (a crash, `kill -9`,
/// a power cut), and put right.
public struct RecoveryReport: Sendable, Equatable {
    /// Hidden temporary files of uploads and copies cut short, deleted.
    public var staleUploads = 0
    /// Paths whose dead properties were dropped because no resource exists there any more.
    public var orphanProperties = 0
    /// Locks dropped because their root resource no longer exists.
    public var orphanLocks = 0

    public init() {}

    public var isEmpty: Bool { self == RecoveryReport() }
}

extension DAVServer {
    /// Brings the tree and the stores back into agreement before the server listens.
    ///
    /// A change touches the tree, the property store and the lock store one after the other, and a crash
    /// between two of them leaves them disagreeing. In order: stale upload files are deleted; a MOVE the
    /// property store recorded is finished or forgotten, so a moved collection's properties are all at the
    /// old paths or all at the new; properties of paths that do not exist are dropped (a DELETE cut between
    /// the tree and the store); locks whose root does not exist are dropped (a MOVE or DELETE cut before its
    /// locks were). A path the storage refuses to reach (403) counts as existing: nothing is dropped on a
    /// doubt. Cost: one walk of the tree when the storage is on disk, and one `info` per path that holds a
    /// property or a lock.
    ///
    /// When other instances share the tree and the stores, their work in progress is not a crash's leftover:
    /// upload files whose writer `isLive` (by the tag in their name) stay, moves a live instance recorded stay
    /// recorded and what lies at their ends is left alone, and an orphan is dropped only under the cluster
    /// gate (``DAVServerOptions/cluster``), skipped while another instance holds its path.
    public static func recover(
        _ options: DAVServerOptions, now: Double, isLive: (String?) throws -> Bool = { _ in false }
    ) throws -> RecoveryReport {
        var report = RecoveryReport()
        let storage = options.storage
        func exists(_ path: ResourcePath) -> Bool {
            do { return try storage.info(at: path) != nil } catch { return true }
        }
        report.staleUploads = try storage.removeStaleUploads(keeping: isLive)
        let inMotion = try options.properties.finishInterruptedMoves(exists: exists)
        /// Drops what `path` holds when nothing is there, judged under the cluster gate: another instance
        /// may be between creating a resource and its lock, or between moving a tree and its properties.
        func dropIfOrphan(_ path: ResourcePath, _ drop: () throws -> Void) throws -> Bool {
            guard !exists(path), !inMotion.contains(where: { path.isDescendant(of: $0) }) else { return false }
            guard let cluster = options.cluster else {
                try drop()
                return true
            }
            return try cluster.tryHolding([path]) {
                guard !exists(path) else { return false }
                try drop()
                return true
            } ?? false
        }
        for path in try options.properties.paths() {
            if try dropIfOrphan(path, { try options.properties.remove(at: path, recursive: false) }) { report.orphanProperties += 1 }
        }
        for lock in try options.locks.locks(covering: .root, descendants: true, now: now) {
            if try dropIfOrphan(lock.root, { try options.locks.unlock(token: lock.token, path: lock.root, now: now) }) { report.orphanLocks += 1 }
        }
        return report
    }
}
