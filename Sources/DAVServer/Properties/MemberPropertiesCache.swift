import DAVCore

/// The dead properties of the members of recently listed folders, as ``SQLitePropertyStore`` read them, so
/// that listing a folder again does not read and decode them again: a folder that a Windows client wrote
/// has four or more on every file, and reading 4,000 of them was a third of such a listing's CPU.
///
/// Correct only while this process is the one writer of the store, as the store's path index already
/// assumes (one server has its data directory to itself). A write forgets the folders whose members it can
/// change, once it has been committed (``forget(members:subtrees:)``), so a Windows client uploading into
/// one folder leaves the others' kept; what a listing read before a write finished is not kept
/// (``store(_:bytes:of:readAt:)`` checks the generation it was read under). Folders are told apart byte for
/// byte, as the store keys them (NFC and NFD spellings of a name are two folders). Bounded: the folders
/// kept first are dropped first beyond ``capacity`` bytes of stored values, and a folder over a quarter of
/// it is not kept.
final class MemberPropertiesCache: Sendable {
    let capacity: Int
    private let state = Locked(State())

    private struct State {
        var generation: UInt64 = 0
        var folders: [ResourcePath: (members: [ResourcePath: [XMLElement]], bytes: Int)] = [:]
        /// Folders in the order they were kept, oldest first.
        var order: [ResourcePath] = []
        var bytes = 0

        mutating func drop(where condition: (ResourcePath) -> Bool) {
            order.removeAll { folder in
                guard condition(folder) else { return false }
                bytes -= folders.removeValue(forKey: folder)?.bytes ?? 0
                return true
            }
        }
    }

    /// `capacity`: most bytes of stored values (their JSON) kept in all; 0 keeps nothing.
    init(capacity: Int = 8 << 20) {
        self.capacity = capacity
    }

    /// What is kept of the folder `parent`, and the generation under which to read it from the database
    /// when nothing is.
    func lookup(_ parent: ResourcePath) -> (members: [ResourcePath: [XMLElement]]?, generation: UInt64) {
        state.withLock { ($0.folders[parent]?.members, $0.generation) }
    }

    /// Keeps `members` of `parent`, read from the database after ``lookup(_:)`` gave `generation`; dropped
    /// when a write has been committed since (the read may predate it).
    func store(_ members: [ResourcePath: [XMLElement]], bytes: Int, of parent: ResourcePath, readAt generation: UInt64) {
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

    /// Called after every write, committed or not (forgetting costs only a read): forgets the folders of
    /// the resources in `members` (whose own properties were written) and, for each root in `subtrees` (a
    /// deletion, copy or move of a collection), its folder and every folder at or below it. A listing read
    /// while the write was under way is not kept, whichever folder it was.
    func forget(members: [ResourcePath], subtrees: [ResourcePath] = []) {
        let folders = (members + subtrees).compactMap(\.parent)
        state.withLock { state in
            state.generation &+= 1
            state.drop { folder in folders.contains(folder) || subtrees.contains { folder.isDescendant(of: $0) } }
        }
    }

    /// Forgets every folder (a recovery at start-up that may have moved anything).
    func forgetAll() {
        state.withLock { state in
            state.generation &+= 1
            state.drop { _ in true }
        }
    }

    /// Bytes kept now (for tests).
    var bytes: Int { state.withLock { $0.bytes } }
}
