import DAVCore

/// Lets one change of the tree and its stores happen at a time.
///
/// A method that changes something checks conditions (the If header, locks, a parent's existence) and
/// then acts on the storage, the property store and the lock manager: three separate steps that must not
/// interleave with another request's, or a PUT that passed its lock check can land after someone else's
/// LOCK and PUT (a lost update under a held lock), or a PROPPATCH can store a property for a resource a
/// concurrent DELETE has just removed. Waiters are suspended, not blocked, and served first come, first
/// served; a request body is always read before entering, so a slow client never holds the gate.
final class NamespaceGate: Sendable {
    private struct State {
        var isHeld = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())

    /// Runs `body` alone among the callers of this gate.
    func serialize<T>(_ body: () async throws -> T) async rethrows -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        await withCheckedContinuation { continuation in
            let admitted = state.withLock { state -> Bool in
                if state.isHeld {
                    state.waiters.append(continuation)
                    return false
                }
                state.isHeld = true
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    /// Hands the gate to the next waiter, if any (it stays held), or opens it.
    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.isHeld = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
