import DAVTesting
import Foundation
import Testing

/// Where a `kill -9` landed relative to the operation it interrupted, judged from the state left on disk.
enum KillLanding: String, Sendable {
    /// Nothing of the operation is visible.
    case before
    /// Some of it is on disk and some is not: the crash hit the middle.
    case middle
    /// All of it is done.
    case after
}

/// Chooses the next kill delay by bisection: later after a kill that came too early, earlier after one that
/// came too late, so a few rounds close in on the moment the operation is under way, whatever the machine's speed.
struct KillDelaySearch {
    private var low: Double
    private var high: Double

    init(milliseconds range: ClosedRange<Double>) {
        low = range.lowerBound
        high = range.upperBound
    }

    var next: Double { (low + high) / 2 }

    mutating func record(_ landing: KillLanding, at delay: Double) {
        switch landing {
        case .before: low = delay
        case .after: high = delay
        case .middle: break
        }
        // Closed in on a boundary without hitting the middle: on a loaded machine a kill lands a few
        // milliseconds either side of where it was aimed, so aim around the boundary again rather than at it.
        if high - low < Self.narrowest {
            low = max(0, low - Self.narrowest)
            high += Self.narrowest
        }
    }

    /// The narrowest interval searched, in milliseconds.
    static let narrowest = 4.0
}

/// Polls the tree until `source` has become `destination` (a rename is one step), for at most 20 s.
func waitForRename(_ root: TemporaryDirectory, from source: String, to destination: String) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline {
        let manager = FileManager.default
        if manager.fileExists(atPath: root.path + destination) && !manager.fileExists(atPath: root.path + source) { return }
        try await Task.sleep(for: .milliseconds(2))
    }
    Issue.record("the MOVE did not rename \(source) to \(destination) within 20 s")
}
