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
    /// between two of them leaves them disagreeing. In order: stale upload files are deleted (only from a
    /// ``FileSystemStorage``); a MOVE the property store recorded is finished or forgotten, so a moved
    /// collection's properties are all at the old paths or all at the new; properties of paths that do not
    /// exist are dropped (a DELETE cut between the tree and the store); locks whose root does not exist are
    /// dropped (a MOVE or DELETE cut before its locks were). A path the storage refuses to reach (403) counts
    /// as existing: nothing is dropped on a doubt. Cost: one walk of the tree when the storage is on disk,
    /// and one `info` per path that holds a property or a lock.
    public static func recover(_ options: DAVServerOptions, now: Double) throws -> RecoveryReport {
        var report = RecoveryReport()
        let storage = options.storage
        func exists(_ path: ResourcePath) -> Bool {
            do { return try storage.info(at: path) != nil } catch { return true }
        }
        if let disk = storage as? FileSystemStorage { report.staleUploads = disk.removeStaleUploads() }
        try options.properties.finishInterruptedMoves(exists: exists)
        for path in try options.properties.paths() where !exists(path) {
            try options.properties.remove(at: path, recursive: false)
            report.orphanProperties += 1
        }
        for lock in try options.locks.locks(covering: .root, descendants: true, now: now) where !exists(lock.root) {
            try options.locks.unlock(token: lock.token, path: lock.root, now: now)
            report.orphanLocks += 1
        }
        return report
    }
}
