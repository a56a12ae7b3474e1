import DAVCore
internal import PostgresNIO

/// The tables of the PostgreSQL store, created and migrated by the server itself.
///
/// `davdoctor_schema` holds the version the database is at; each step below moves it up by one, all of
/// them in one transaction, so a failed migration leaves the database as it was. Two instances starting at
/// once queue on a transaction-scoped advisory lock before reading the version: the second finds the work
/// done. A database at a version this binary does not know was migrated by a newer davdoctor: refused.
///
/// Paths are `COLLATE "C"`: a subtree is the byte range `["/a/", "/a0")`, as in the SQLite store, and
/// `NFC` and `NFD` spellings of a name stay distinct.
enum PostgresSchema {
    /// Each step's statements; the version after step `i` is `i + 1`.
    static let steps: [[String]] = [
        [
            """
            CREATE TABLE dead_property (
                path text COLLATE "C" NOT NULL, parent text COLLATE "C" NOT NULL,
                namespace text NOT NULL, name text NOT NULL, value text NOT NULL,
                PRIMARY KEY (path, namespace, name))
            """,
            "CREATE INDEX dead_property_parent ON dead_property (parent)",
            // `instance`: the key of the server that recorded the move, so start-up recovery leaves a live one's alone.
            """
            CREATE TABLE pending_move (
                id bigserial PRIMARY KEY, source text COLLATE "C" NOT NULL, destination text COLLATE "C" NOT NULL,
                instance integer NOT NULL)
            """,
            """
            CREATE TABLE active_lock (
                token text PRIMARY KEY, root text COLLATE "C" NOT NULL, root_is_collection boolean NOT NULL,
                deep boolean NOT NULL, exclusive boolean NOT NULL, owner text, principal text,
                timeout text NOT NULL, expires double precision NOT NULL)
            """,
            "CREATE INDEX active_lock_root ON active_lock (root)",
        ],
        // The sync-collection change log (``PostgresChangeLog``). `change_log_state` is one row: the cluster's
        // log ID (32 hex digits from `gen_random_uuid`, PostgreSQL 13 or newer), the latest revision handed
        // out and the oldest a token may name. `change_under_way`: one row per change begun and not ended,
        // with the instance that makes it, so a dead instance's can be cleared.
        [
            """
            CREATE TABLE change_log (
                revision bigint PRIMARY KEY, path text COLLATE "C" NOT NULL, parent text COLLATE "C" NOT NULL,
                kind text NOT NULL, collection boolean NOT NULL)
            """,
            """
            CREATE TABLE change_log_state (
                single boolean PRIMARY KEY DEFAULT true CHECK (single), log_id text NOT NULL,
                latest bigint NOT NULL, oldest bigint NOT NULL)
            """,
            "INSERT INTO change_log_state (log_id, latest, oldest) VALUES (replace(gen_random_uuid()::text, '-', ''), 0, 0)",
            """
            CREATE TABLE change_under_way (
                first bigint PRIMARY KEY, instance integer NOT NULL, serial bigint NOT NULL)
            """,
        ],
    ]

    static var currentVersion: Int { steps.count }

    /// Advisory lock keys (the two-`int4` form; the cluster gate uses the one-`int8` form, a separate space).
    enum LockKey {
        /// "DAVD": the class of every key below.
        static let space: Int32 = 0x4441_5644
        static let migration: Int32 = 1
        /// Held in a transaction that checks and changes the lock table, so two LOCKs cannot both pass.
        static let lockTable: Int32 = 2
        /// Each server instance holds ("DAVI", its key) for as long as it runs: how others tell it is alive.
        static let instanceSpace: Int32 = 0x4441_5649
    }

    /// An SQL condition true while the instance whose key `key` (an SQL expression) names holds its
    /// liveness lock.
    ///
    /// Asked of `pg_locks`, not by trying the lock: a try that took the key for a moment would make the
    /// owner's own re-registration (after PostgreSQL cut its connection) fail at that moment. An advisory
    /// lock on two `int4` keys shows there as classid, objid and objsubid 2.
    static func instanceIsLive(_ key: String) -> String {
        """
        EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
            AND classid = \(Int64(LockKey.instanceSpace))::oid AND objid = (\(key))::bigint::oid
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
        """
    }

    /// Brings the database to ``currentVersion``; returns the version it was at.
    @discardableResult
    static func migrate(_ pool: PostgresPool) throws -> Int {
        try pool.transaction { session in
            try session.execute("SELECT pg_advisory_xact_lock(\(LockKey.space), \(LockKey.migration))")
            try session.execute("CREATE TABLE IF NOT EXISTS davdoctor_schema (version integer NOT NULL)")
            let found = try session.query("SELECT version FROM davdoctor_schema").first.map { try $0.decode(Int.self) }
            if found == nil { try session.execute("INSERT INTO davdoctor_schema (version) VALUES (0)") }
            let version = found ?? 0
            guard version <= currentVersion else {
                throw DAVError(
                    500,
                    "the PostgreSQL store \(pool.location) is at schema version \(version), newer than this davdoctor's "
                        + "\(currentVersion): upgrade davdoctor")
            }
            for step in steps.dropFirst(version) {
                for statement in step { try session.execute(PostgresQuery(unsafeSQL: statement)) }
            }
            try session.execute("UPDATE davdoctor_schema SET version = \(currentVersion)")
            return version
        }
    }
}
