import DAVCore

/// Lets one change of the tree and its stores happen at a time.
///
/// A method that changes something checks conditions (the If header, locks, a parent's existence) and
/// then acts on the storage, the property store and the lock manager: three separate steps that must not
/// interleave with another request's, or a PUT that passed its lock check can land after someone else's
/// LOCK and PUT (a lost update under a held lock), or a PROPPATCH can store a property for a resource a
/// concurrent DELETE has just removed. Waiters are suspended, not blocked, and served first come, first
/// served; a request body is always read before entering, so a slow client never holds the gate.
///
/// Within one process the gate is a single mutex. When instances share a tree (``ClusterGate``), the
/// holder also takes the cluster's locks on the paths it changes, so a change on one instance and a
/// conflicting one on another are serialised too; the mutex keeps each instance to one cluster wait at a time.
final class NamespaceGate: Sendable {
    private struct State {
        var isHeld = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())
    private let cluster: (any ClusterGate)?

    init(cluster: (any ClusterGate)? = nil) {
        self.cluster = cluster
    }

    /// Runs `body` alone among the callers of this gate, and across the cluster alone among the changes
    /// of `paths`, their ancestors' and their descendants'.
    func serialize<T>(_ paths: [ResourcePath], _ body: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        guard let cluster else { return try await body() }
        return try await cluster.serialize(paths, body)
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

/// The namespace gate's part that spans server instances sharing one tree.
///
/// A change of paths P holds P exclusively and every ancestor of P shared: two changes conflict exactly
/// when one's path is the other's or lies below it (a DELETE of `/a/` and a PUT of `/a/b`), and changes of
/// siblings on different instances go ahead together. Reads take nothing.
public protocol ClusterGate: Sendable {
    /// Runs `body` holding the cluster's locks for a change of `paths`; waits (suspended) for conflicting holders.
    func serialize<T>(_ paths: [ResourcePath], _ body: () async throws -> T) async throws -> T
    /// The same for a caller that may block (start-up recovery): returns nil at once, running nothing,
    /// when another instance holds a conflicting lock.
    func tryHolding<T>(_ paths: [ResourcePath], _ body: () throws -> T) throws -> T?
}

extension ClusterGate {
    /// Each lock a change of `paths` needs, exclusive or shared, in the one order every holder takes them
    /// (ascending key), so that two holders never wait on each other. Keys are 64-bit hashes of the paths: a
    /// collision only makes two unrelated changes wait for each other.
    static func lockKeys(_ paths: [ResourcePath]) -> [(key: Int64, exclusive: Bool)] {
        var modes: [Int64: Bool] = [:]
        for path in paths {
            modes[key(path)] = true
            var ancestor = path.parent
            while let step = ancestor {
                let key = key(step)
                if modes[key] == nil { modes[key] = false }
                ancestor = step.parent
            }
        }
        return modes.sorted { $0.key < $1.key }.map { (key: $0.key, exclusive: $0.value) }
    }

    /// FNV-1a over the path's bytes (its decoded form, `/a b/c`).
    static func key(_ path: ResourcePath) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
