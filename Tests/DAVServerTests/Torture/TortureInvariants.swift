import DAVCore
import Foundation
import NIOCore

@testable import DAVServer

/// What must hold of the tree and the stores once the torture clients are done, each broken one a line.
enum TortureInvariants {
    static func problems(_ fixture: ServerFixture, _ ledger: TortureLedger) throws -> [String] {
        var problems: [String] = []
        let options = fixture.options
        let now = Date().timeIntervalSince1970

        // Locks: each has its resource (a LOCK on an unmapped URL creates an empty one), none is expired
        // yet reported, and exactly the locks the clients still hold remain.
        let locks = try options.locks.locks(covering: .root, descendants: true, now: now)
        for lock in locks {
            if try options.storage.info(at: lock.root) == nil { problems.append("lock \(lock.token) on \(lock.root), which does not exist") }
            if lock.expires <= now { problems.append("lock \(lock.token) reported after it expired") }
        }
        let held = Set(ledger.heldLocks.map(\.token))
        if Set(locks.map(\.token)) != held { problems.append("the lock store holds \(locks.count) locks, the clients hold \(held.count)") }

        // Dead properties only for resources that exist.
        for path in try options.properties.paths() {
            if try options.storage.info(at: path) == nil { problems.append("dead properties for \(path), which does not exist") }
        }

        // Every file holds a content some client wrote in full.
        try options.storage.walk(.root) { member in
            if !member.isCollection {
                var buffer = ByteBuffer()
                _ = try options.storage.openForReading(member.path).read(offset: 0, length: Int(member.size) + 1, into: &buffer)
                if !ledger.wasWritten(Array(buffer.readableBytesView)) {
                    problems.append("\(member.path) holds \(member.size) bytes no client wrote in full")
                }
            }
            return true
        }

        // No upload's temporary file left on disk.
        if fixture.backend == .persistent {
            for name in try FileManager.default.subpathsOfDirectory(atPath: fixture.root.path)
            where (name as NSString).lastPathComponent.hasPrefix(FileSystemStorage.uploadPrefix) {
                problems.append("temporary file left: \(name)")
            }
        }
        return problems
    }
}
