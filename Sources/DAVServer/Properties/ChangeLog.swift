import DAVCore

/// What a change did to a path, as far as a sync-collection report (RFC 6578 §3.5) needs to know.
public enum ChangeKind: String, Sendable, CaseIterable {
    /// A resource was mapped at the path: PUT of a new file, MKCOL, the destination of COPY or MOVE (and each
    /// member it brought), LOCK on an unmapped URL.
    case created
    /// The resource changed in place: PUT over it, or a PROPPATCH of its dead properties. Dead properties are
    /// logged too although they leave the entity tag alone: a client that keeps them (a `displayname`)
    /// would otherwise keep a stale value, and a change reported once too often costs one PROPFIND.
    case changed
    /// The mapping went: DELETE (and each member of a deleted collection), the source of a MOVE, a destination
    /// replaced by COPY or MOVE with `Overwrite: T`.
    case removed
}

/// One path a change is about to touch.
public struct ChangeEntry: Sendable, Hashable {
    public var path: ResourcePath
    public var kind: ChangeKind
    /// Whether the resource is (or was, for `removed`) a collection: a removed member's href ends in `/` then.
    public var isCollection: Bool

    public init(_ path: ResourcePath, _ kind: ChangeKind, isCollection: Bool) {
        self.path = path
        self.kind = kind
        self.isCollection = isCollection
    }
}

/// An entry as the log keeps it, with its revision.
public struct LoggedChange: Sendable, Hashable {
    public var revision: Int64
    public var entry: ChangeEntry

    public init(revision: Int64, entry: ChangeEntry) {
        self.revision = revision
        self.entry = entry
    }
}

/// The revisions a sync token may name: from the oldest the log still covers (changes after it are all
/// kept) to the newest whose changes are all complete. Empty while the oldest is above the newest.
public struct ChangeWindow: Sendable, Equatable {
    public var oldest: Int64
    public var newest: Int64

    public func contains(_ revision: Int64) -> Bool { oldest <= revision && revision <= newest }
}

/// Revisions handed out by ``ChangeLog/begin(_:)``, returned to ``ChangeLog/end(_:)`` once the change is made.
public struct ChangeTicket: Sendable, Hashable {
    public var revisions: ClosedRange<Int64>
}

/// The change log behind `DAV:sync-collection` (RFC 6578): every change of the tree, numbered.
///
/// A sync token names a revision; the report for it lists the paths logged after that revision, each as
/// it is when the report runs (changed, or removed when nothing is there). So the log records *that* a path
/// changed, not what it became, and the order is: **log, then act**. ``begin(_:)`` stores the entries
/// (durably, for a persistent log) before the change is made; a crash between the two leaves an entry
/// for a change that never happened, which a report shows as the resource's unchanged state (a client
/// fetches it once more), never a change without an entry, which a client would miss for good.
///
/// Until ``end(_:)``, the new revisions are outside ``window()``: a token is never handed out for a state
/// whose change is still being made, so a listing read meanwhile cannot be claimed to include it.
///
/// Contract for implementations (``MemoryChangeLog``, ``SQLiteChangeLog``, ``PostgresChangeLog``; one
/// conformance suite):
/// - Revisions grow by one per entry, across restarts for a persistent log; they are never reused.
/// - Entries for the root are dropped (the root is no collection's member).
/// - The log keeps at least the latest `capacity` entries; older ones go, and ``window()`` moves its
///   oldest revision past them so their tokens are refused (403 `DAV:valid-sync-token`).
/// - ``logID`` differs between logs (data directories, PostgreSQL databases): a token names the log it
///   came from. Instances sharing one database share one log, and its ID.
/// - ``window()`` is cheap: it is asked by PROPFIND for `DAV:sync-token` (once per request). The logs of
///   one machine answer from memory; the shared one asks PostgreSQL, and throws (503) when it cannot.
public protocol ChangeLog: Sendable {
    var logID: String { get }
    func window() throws -> ChangeWindow
    /// Records entries about to be made (in this order) and returns their revisions.
    func begin(_ entries: [ChangeEntry]) throws -> ChangeTicket
    /// Marks the change of `ticket` done (made, or failed): its revisions join the window.
    func end(_ ticket: ChangeTicket)
    /// Entries with `after < revision <= through` for the members of `collection` (`infinite`: at any depth),
    /// in revision order, the collection itself left out.
    func changes(in collection: ResourcePath, infinite: Bool, after: Int64, through: Int64) throws -> [LoggedChange]
    /// Whether `path` or one of its ancestors was created or removed in `after < revision <= through`: the
    /// collection a token was given for is then not the one that is there now.
    func wasReplaced(_ path: ResourcePath, after: Int64, through: Int64) throws -> Bool
}

extension ChangeLog {
    /// Logs `entries`, runs `change`, and ends the ticket whether `change` succeeds or throws.
    func recording<T>(_ entries: [ChangeEntry], _ change: () throws -> T) throws -> T {
        guard !entries.isEmpty else { return try change() }
        let ticket = try begin(entries)
        defer { end(ticket) }
        return try change()
    }
}

/// The revision counters both logs keep in memory: the latest revision, the oldest a token may name,
/// and the changes under way, which hold the window's newest revision below their first.
struct ChangeCounters {
    var latest: Int64 = 0
    var oldest: Int64 = 0
    private var underWay: [Int64: Int64] = [:]

    var window: ChangeWindow {
        let newest = underWay.keys.min().map { $0 - 1 } ?? latest
        return ChangeWindow(oldest: oldest, newest: newest)
    }

    /// Registers revisions `first...last` as under way.
    mutating func start(_ revisions: ClosedRange<Int64>) {
        underWay[revisions.lowerBound] = revisions.upperBound
        latest = max(latest, revisions.upperBound)
    }

    mutating func finish(_ ticket: ChangeTicket) {
        underWay[ticket.revisions.lowerBound] = nil
    }

    /// The new oldest revision when the log holds more than `capacity` entries (plus an eighth, so that
    /// pruning happens in batches), never past a change under way; nil when nothing is to go.
    func pruneTarget(capacity: Int, startingAt first: Int64) -> Int64? {
        let keep = Int64(max(capacity, 1))
        guard latest - oldest > keep + keep / 8 else { return nil }
        let target = min(latest - keep, (underWay.keys.min() ?? first) - 1, first - 1)
        return target > oldest ? target : nil
    }
}

/// The change log in memory: tokens last as long as the process (a new log ID each start).
public final class MemoryChangeLog: ChangeLog, @unchecked Sendable {
    public let logID: String
    private let capacity: Int
    private let state = Locked((counters: ChangeCounters(), rows: [LoggedChange]()))

    /// `capacity`: how many entries are kept at least; older tokens are refused.
    public init(capacity: Int = 100_000) {
        self.capacity = capacity
        self.logID = SyncToken.newLogID()
    }

    public func window() -> ChangeWindow { state.withLock { $0.counters.window } }

    public func begin(_ entries: [ChangeEntry]) throws -> ChangeTicket {
        let kept = entries.filter { !$0.path.isRoot }
        return state.withLock { state in
            let first = state.counters.latest + 1
            let last = first + Int64(kept.count) - 1
            for (offset, entry) in kept.enumerated() {
                state.rows.append(LoggedChange(revision: first + Int64(offset), entry: entry))
            }
            let ticket = ChangeTicket(revisions: first...max(first, last))
            if kept.isEmpty { return ticket }
            state.counters.start(ticket.revisions)
            if let target = state.counters.pruneTarget(capacity: capacity, startingAt: first) {
                state.rows.removeAll { $0.revision <= target }
                state.counters.oldest = target
            }
            return ticket
        }
    }

    public func end(_ ticket: ChangeTicket) {
        state.withLock { $0.counters.finish(ticket) }
    }

    public func changes(in collection: ResourcePath, infinite: Bool, after: Int64, through: Int64) throws -> [LoggedChange] {
        state.withLock { state in
            state.rows.filter { row in
                row.revision > after && row.revision <= through
                    && (infinite
                        ? row.entry.path.isDescendant(of: collection, orSelf: false) : row.entry.path.parent == collection)
            }
        }
    }

    public func wasReplaced(_ path: ResourcePath, after: Int64, through: Int64) throws -> Bool {
        state.withLock { state in
            state.rows.contains { row in
                row.revision > after && row.revision <= through && row.entry.kind != .changed
                    && path.isDescendant(of: row.entry.path)
            }
        }
    }
}
