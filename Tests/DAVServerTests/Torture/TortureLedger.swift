import DAVCore
import Foundation

@testable import DAVServer

/// What the torture clients did and believed, shared between them: every content written in full, the
/// locks still held at the end, and every broken expectation (so one run reports them all).
final class TortureLedger: Sendable {
    struct HeldLock: Sendable {
        var root: String
        var token: String
        /// The file written under the lock and what it must still hold.
        var file: String
        var content: [UInt8]
    }

    private let written = Locked<Set<[UInt8]>>([[]])
    private let held = Locked<[HeldLock]>([])
    private let failures = Locked<[String]>([])
    private let counts = Locked<[String: Int]>([:])

    func wrote(_ content: [UInt8]) { written.withLock { _ = $0.insert(content) } }
    func wasWritten(_ content: [UInt8]) -> Bool { written.withLock { $0.contains(content) } }
    func keep(_ lock: HeldLock) { held.withLock { $0.append(lock) } }
    var heldLocks: [HeldLock] { held.withLock { $0 } }
    func fail(_ message: String) { failures.withLock { $0.append(message) } }
    var allFailures: [String] { failures.withLock { $0 } }
    func count(_ what: String) { counts.withLock { $0[what, default: 0] += 1 } }
    var allCounts: [String: Int] { counts.withLock { $0 } }

    /// Records a failure unless `status` is one the method may answer in a race.
    func expect(_ answer: WireClient.Answer, in allowed: Set<Int>, _ what: String) {
        count("\(what) \(answer.status)")
        if !allowed.contains(answer.status) {
            fail("\(what) answered \(answer.status) (\(answer.text.prefix(200))), expected one of \(allowed.sorted())")
        }
    }
}
