import DAVCore
import Logging
internal import PostgresNIO

/// The sync-collection change log in PostgreSQL, one for every instance on the database: a token handed
/// out by one instance is continued by any other, and a change made through one is reported by all.
///
/// **Numbering.** Revisions come from the counter row `change_log_state.latest`, not from a sequence.
/// ``begin(_:)`` is one statement: it raises the counter by the number of entries, inserts the entries
/// under the revisions it freed and marks them under way (`change_under_way`), all committed together.
/// The counter's row lock queues the instances' begins, so revisions are committed in the order they are
/// handed out, one per entry, with no gap (a failed statement rolls the counter back with its rows) and
/// never twice. A sequence would leave gaps and, worse, let a later revision commit before an earlier one:
/// a window read between the two would name a revision whose predecessor is not logged yet.
///
/// **The window** is one single-row query: the counter, the oldest revision and the lowest revision under
/// way on any instance, from one snapshot. Its newest revision stops below every change still under way,
/// whoever makes it. It is asked by every PROPFIND of `DAV:sync-token` (once per request, however many
/// collections it lists) and every sync-collection REPORT. Kept in memory instead, it would need every
/// instance told of every other's begins and ends; PROPFIND asks PostgreSQL for dead properties anyway,
/// and the query reads two tiny tables through their primary keys (BENCHMARKS.md has its cost).
///
/// **Ending** deletes the change's mark. Each mark carries the `serial` this instance gave its begin, and
/// ``tidy()`` (every few seconds) deletes this instance's marks whose begin is neither under way nor
/// unanswered: the end that PostgreSQL's absence kept from being recorded, and the begin whose answer was
/// lost although it committed (even one that commits after its connection was given up). Until then the
/// window stays behind them, which only makes a client hear of a change twice. Marks of an instance that
/// died are cleared by the others' ``tidy()`` once it has been seen dead twice in a row (an instance whose
/// connection PostgreSQL cut takes its registration back within seconds, and must not lose its marks).
///
/// **Pruning** follows ``ChangeCounters/pruneTarget(capacity:startingAt:)``, never past a change under
/// way on any instance, and moves the oldest revision in the statement that deletes the rows: a report
/// that reads the window again after its rows (``DAVResponder/syncCollection(_:collection:body:)``) knows
/// whether a prune elsewhere passed its token meanwhile.
final class PostgresChangeLog: ChangeLog, @unchecked Sendable {
    let logID: String
    private let pool: PostgresPool
    /// This server's key (``PostgresStores``), written with each mark.
    private let instance: Int32
    private let capacity: Int
    private let state = Locked(Marks())

    /// This instance's side of its marks.
    private struct Marks {
        /// The serial the next begin gets; every serial below it was handed out.
        var nextSerial: Int64 = 1
        /// Serials of begins sent and not yet ended (nor failed).
        var inFlight: Set<Int64> = []
        /// The serial of each ticket handed out and not ended, by first revision.
        var tickets: [Int64: Int64] = [:]
        /// Instances seen dead with marks by the last ``tidy()``.
        var suspects: Set<Int32> = []
    }

    init(pool: PostgresPool, instance: Int32, capacity: Int) throws {
        self.pool = pool
        self.instance = instance
        self.capacity = capacity
        let id = try pool.withSession { session in
            try session.query("SELECT log_id FROM change_log_state").first.map { try $0.decode(String.self) }
        }
        guard let id, SyncToken.isLogID(id) else {
            throw DAVError(
                500,
                "the change log's ID in the PostgreSQL store \(pool.location) is missing or damaged (\(id?.prefix(40) ?? "none")); "
                    + "sync tokens cannot be checked")
        }
        logID = id
    }

    func window() throws -> ChangeWindow {
        let (oldest, latest, underWay) = try pool.withSession { session in
            try session.query(Window()).first!.decode((Int64, Int64, Int64?).self)
        }
        return ChangeWindow(oldest: oldest, newest: underWay.map { $0 - 1 } ?? latest)
    }

    func begin(_ entries: [ChangeEntry]) throws -> ChangeTicket {
        let kept = entries.filter { !$0.path.isRoot }
        guard !kept.isEmpty else { return ChangeTicket(revisions: 0...0) }
        let serial = state.withLock { state in
            defer { state.nextSerial += 1 }
            state.inFlight.insert(state.nextSerial)
            return state.nextSerial
        }
        let count = Int64(kept.count)
        let paths = kept.map(\.path.description)
        let parents = paths.map(StoreKey.parent)
        let kinds = kept.map(\.kind.rawValue)
        let collections = kept.map(\.isCollection)
        let counter: (before: Int64, oldest: Int64)
        do {
            counter = try pool.withSession { session in
                try session.query(
                    Begin(count: count, paths: paths, parents: parents, kinds: kinds, collections: collections, instance: instance, serial: serial)
                ).first!.decode((Int64, Int64).self)
            }
        } catch {
            // Committed or not, nobody can tell: a mark it may have left is no longer in flight, so tidy() deletes it.
            state.withLock { _ = $0.inFlight.remove(serial) }
            throw error
        }
        let revisions = (counter.before + 1)...(counter.before + count)
        state.withLock { $0.tickets[revisions.lowerBound] = serial }
        prune(after: revisions, oldest: counter.oldest)
        return ChangeTicket(revisions: revisions)
    }

    /// The statements of every change and of every PROPFIND of `DAV:sync-token`, prepared once per connection.
    private struct Window: PostgresFixedStatement {
        static let sql = "SELECT oldest, latest, (SELECT min(first) FROM change_under_way) FROM change_log_state"
    }

    private struct Begin: PostgresStoreStatement {
        static let sql = """
            WITH counter AS (
                UPDATE change_log_state SET latest = latest + $1 RETURNING latest - $1 AS before, oldest
            ), logged AS (
                INSERT INTO change_log (revision, path, parent, kind, collection)
                SELECT counter.before + entry.position, entry.path, entry.parent, entry.kind, entry.collection
                FROM counter, unnest($2::text[], $3::text[], $4::text[], $5::boolean[])
                    WITH ORDINALITY AS entry(path, parent, kind, collection, position)
            ), marked AS (
                INSERT INTO change_under_way (first, instance, serial) SELECT before + 1, $6, $7 FROM counter
            )
            SELECT before, oldest FROM counter
            """
        let count: Int64, paths: [String], parents: [String], kinds: [String], collections: [Bool], instance: Int32, serial: Int64
        func makeBindings() -> PostgresBindings { PostgresBindings(count, paths, parents, kinds, collections, instance, serial) }
    }

    private struct End: PostgresStoreStatement {
        static let sql = "DELETE FROM change_under_way WHERE first = $1"
        let first: Int64
        func makeBindings() -> PostgresBindings { PostgresBindings(first) }
    }

    /// Drops the entries past the capacity once the log holds an eighth more. The change is logged by then:
    /// a prune that fails is logged and left to the next change's.
    private func prune(after revisions: ClosedRange<Int64>, oldest: Int64) {
        var counters = ChangeCounters()
        counters.latest = revisions.upperBound
        counters.oldest = oldest
        guard let target = counters.pruneTarget(capacity: capacity, startingAt: revisions.lowerBound) else { return }
        do {
            try pool.withSession { session in
                try session.execute(
                    """
                    WITH target AS (
                        SELECT LEAST(\(target), COALESCE((SELECT min(first) FROM change_under_way), \(target) + 1) - 1) AS revision
                    ), moved AS (
                        UPDATE change_log_state SET oldest = target.revision FROM target
                        WHERE change_log_state.oldest < target.revision RETURNING change_log_state.oldest
                    )
                    DELETE FROM change_log WHERE revision <= (SELECT oldest FROM moved)
                    """)
            }
        } catch {
            pool.logger.warning("pruning the change log below revision \(target) failed (the next change tries again): \(error)")
        }
    }

    func end(_ ticket: ChangeTicket) {
        let first = ticket.revisions.lowerBound
        let known = state.withLock { state -> Bool in
            guard let serial = state.tickets.removeValue(forKey: first) else { return false }
            state.inFlight.remove(serial)
            return true
        }
        guard known else { return }
        do {
            try pool.withSession { session in try session.execute(End(first: first)) }
        } catch {
            pool.logger.warning("the end of change log revisions \(ticket.revisions) is not recorded yet (the next tidy does it): \(error)")
        }
    }

    /// Run every few seconds by ``PostgresStores/settleUnfinishedMoves(in:every:)``: deletes this
    /// instance's marks of begins no longer in flight, and the marks of instances seen dead now and at the
    /// previous call.
    func tidy() throws {
        let (below, inFlight) = state.withLock { ($0.nextSerial, Array($0.inFlight)) }
        try pool.withSession { session in
            try session.execute(
                """
                DELETE FROM change_under_way
                WHERE instance = \(instance) AND serial < \(below) AND serial <> ALL(\(inFlight)::bigint[])
                """)
        }
        let dead = try pool.withSession { session in
            try session.query(
                """
                SELECT DISTINCT mark.instance FROM change_under_way mark
                WHERE mark.instance <> \(instance) AND NOT \(unescaped: PostgresSchema.instanceIsLive("mark.instance"))
                """
            ).map { try $0.decode(Int32.self) }
        }
        let confirmed = state.withLock { state -> [Int32] in
            defer { state.suspects = Set(dead) }
            return dead.filter { state.suspects.contains($0) }
        }
        guard !confirmed.isEmpty else { return }
        try pool.withSession { session in
            try session.execute(
                """
                DELETE FROM change_under_way mark
                WHERE mark.instance = ANY(\(confirmed)::integer[]) AND NOT \(unescaped: PostgresSchema.instanceIsLive("mark.instance"))
                """)
        }
        pool.logger.notice("cleared the unfinished changes of stopped instance(s) \(confirmed) from the change log")
    }

    func changes(in collection: ResourcePath, infinite: Bool, after: Int64, through: Int64) throws -> [LoggedChange] {
        let key = collection.description
        let (prefix, upper) = StoreKey.below(collection)
        let rows = try pool.withSession { session in
            try session.query(
                """
                SELECT revision, path, kind, collection FROM change_log WHERE revision > \(after) AND revision <= \(through)
                AND CASE WHEN \(infinite) THEN path >= \(prefix) AND path < \(upper) ELSE parent = \(key) AND path <> \(key) END
                ORDER BY revision
                """
            ).map { try $0.decode((Int64, String, String, Bool).self) }
        }
        return rows.map { row in
            LoggedChange(revision: row.0, entry: ChangeEntry(StoreKey.path(row.1), ChangeKind(rawValue: row.2) ?? .changed, isCollection: row.3))
        }
    }

    func wasReplaced(_ path: ResourcePath, after: Int64, through: Int64) throws -> Bool {
        var keys: [String] = []
        var current: ResourcePath? = path
        while let step = current, !step.isRoot {
            keys.append(step.description)
            current = step.parent
        }
        guard !keys.isEmpty else { return false }
        return try pool.withSession { session in
            try session.query(
                """
                SELECT EXISTS (SELECT 1 FROM change_log WHERE revision > \(after) AND revision <= \(through)
                    AND path = ANY(\(keys)::text[]) AND kind <> 'changed')
                """
            ).first!.decode(Bool.self)
        }
    }
}
