import DAVCore

/// One change of a PROPPATCH: set a dead property to a value, or remove it.
public enum PropertyChange: Sendable, Hashable {
    case set(XMLElement)
    case remove(QualifiedName)
}

/// Dead properties (RFC 4918 §4.2): values a client stores on a resource, kept outside the content.
///
/// Contract for implementations:
/// - `apply` is all-or-nothing: either every change is stored or none is (PROPPATCH §9.2).
/// - `remove`, `copy` and `move` take the whole subtree below a collection when `recursive`.
/// - Keys are ``ResourcePath``s compared byte for byte; the store never sees live properties.
/// Failures throw; the server answers 500 (or 507 when the store says it is full).
public protocol PropertyStore: Sendable {
    func properties(at path: ResourcePath) throws -> [XMLElement]
    /// The dead properties of every direct member of `path` that has any, in one query.
    func propertiesOfMembers(of path: ResourcePath) throws -> [ResourcePath: [XMLElement]]
    func apply(_ changes: [PropertyChange], at path: ResourcePath) throws
    func remove(at path: ResourcePath, recursive: Bool) throws
    func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws
    func move(from source: ResourcePath, to destination: ResourcePath) throws
    /// Moves the properties together with a rename of the resources (`rename`) that the store cannot share a
    /// transaction with. A persistent store records the move before `rename` runs, so that after a crash
    /// ``finishInterruptedMoves(exists:)`` can put the properties where the resources are: all at the old
    /// paths or all at the new ones.
    func move(from source: ResourcePath, to destination: ResourcePath, renaming rename: () throws -> Void) throws
    /// Every path that holds a dead property, for the start-up check against the tree.
    func paths() throws -> [ResourcePath]
    /// Completes or forgets the moves a crash interrupted, judging by which of their two paths exists now.
    /// Returns the two ends of each move it left alone because another server instance sharing the store
    /// is still making it: what lies there is not to be judged yet.
    @discardableResult
    func finishInterruptedMoves(exists: (ResourcePath) throws -> Bool) throws -> [ResourcePath]
}

extension PropertyStore {
    /// A store that does not outlive the process has no crash to recover from: rename, then move.
    public func move(from source: ResourcePath, to destination: ResourcePath, renaming rename: () throws -> Void) throws {
        try rename()
        try move(from: source, to: destination)
    }

    @discardableResult
    public func finishInterruptedMoves(exists: (ResourcePath) throws -> Bool) throws -> [ResourcePath] { [] }
}

/// Dead properties in memory.
public final class MemoryPropertyStore: PropertyStore, @unchecked Sendable {
    private let state = Locked<[ResourcePath: [QualifiedName: XMLElement]]>([:])

    public init() {}

    public func properties(at path: ResourcePath) throws -> [XMLElement] {
        state.withLock { ($0[path] ?? [:]).values.sorted { $0.name < $1.name } }
    }

    public func propertiesOfMembers(of path: ResourcePath) throws -> [ResourcePath: [XMLElement]] {
        state.withLock { state in
            var found: [ResourcePath: [XMLElement]] = [:]
            for (key, values) in state where key.depth == path.depth + 1 && key.isDescendant(of: path) {
                found[key] = values.values.sorted { $0.name < $1.name }
            }
            return found
        }
    }

    public func apply(_ changes: [PropertyChange], at path: ResourcePath) throws {
        state.withLock { state in
            var properties = state[path] ?? [:]
            for change in changes {
                switch change {
                case .set(let element): properties[element.name] = element
                case .remove(let name): properties[name] = nil
                }
            }
            state[path] = properties.isEmpty ? nil : properties
        }
    }

    public func remove(at path: ResourcePath, recursive: Bool) throws {
        state.withLock { state in
            for key in Array(state.keys) where key == path || (recursive && key.isDescendant(of: path)) { state[key] = nil }
        }
    }

    public func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws {
        state.withLock { state in
            for (key, value) in state where key == source || (recursive && key.isDescendant(of: source)) {
                let target = ResourcePath(segments: destination.segments + key.segments.dropFirst(source.depth))
                state[target] = value
            }
        }
    }

    public func paths() throws -> [ResourcePath] {
        state.withLock { Array($0.keys) }
    }

    public func move(from source: ResourcePath, to destination: ResourcePath) throws {
        state.withLock { state in
            for (key, value) in state where key.isDescendant(of: source) {
                state[key] = nil
                state[ResourcePath(segments: destination.segments + key.segments.dropFirst(source.depth))] = value
            }
        }
    }
}
