import DAVCore

/// The dead properties of the members of recently listed folders, as ``SQLitePropertyStore`` read them, so
/// that listing a folder again does not read and decode them again: a folder that a Windows client wrote
/// has four or more on every file, and reading 4,000 of them was a third of such a listing's CPU.
///
/// Correct only while this process is the one writer of the store, as the store's path index already
/// assumes (one server has its data directory to itself). Any write forgets everything, once it has been
/// committed; what a listing read before a write finished is not kept (``store(_:bytes:of:readAt:)``
/// checks the generation it was read under). Bounded: the folders kept first are dropped first beyond
/// ``capacity`` bytes of stored values, and a folder over a quarter of it is not kept.
final class MemberPropertiesCache: Sendable {
    let capacity: Int
    private let state = Locked(State())

    private struct State {
        var generation: UInt64 = 0
        var folders: [String: (members: [ResourcePath: [XMLElement]], bytes: Int)] = [:]
        /// Keys in the order they were kept, oldest first.
        var order: [String] = []
        var bytes = 0
    }

    /// `capacity`: most bytes of stored values (their JSON) kept in all; 0 keeps nothing.
    init(capacity: Int = 8 << 20) {
        self.capacity = capacity
    }

    /// What is kept of the folder `parent` (its store key), and the generation under which to read it
    /// from the database when nothing is.
    func lookup(_ parent: String) -> (members: [ResourcePath: [XMLElement]]?, generation: UInt64) {
        state.withLock { ($0.folders[parent]?.members, $0.generation) }
    }

    /// Keeps `members` of `parent`, read from the database after ``lookup(_:)`` gave `generation`; dropped
    /// when a write has been committed since (the read may predate it).
    func store(_ members: [ResourcePath: [XMLElement]], bytes: Int, of parent: String, readAt generation: UInt64) {
        guard capacity > 0, bytes <= capacity / 4 else { return }
        state.withLock { state in
            guard state.generation == generation, state.folders[parent] == nil else { return }
            while state.bytes + bytes > capacity, !state.order.isEmpty {
                let oldest = state.order.removeFirst()
                state.bytes -= state.folders.removeValue(forKey: oldest)?.bytes ?? 0
            }
            state.folders[parent] = (members, bytes)
            state.order.append(parent)
            state.bytes += bytes
        }
    }

    /// Called after every write, committed or not (forgetting costs only a read).
    func forget() {
        state.withLock { state in
            state.generation &+= 1
            state.folders.removeAll()
            state.order.removeAll()
            state.bytes = 0
        }
    }

    /// Bytes kept now (for tests).
    var bytes: Int { state.withLock { $0.bytes } }
}
