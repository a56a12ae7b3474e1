internal import GRDB

extension DatabaseQueue {
    /// One write transaction whose `BEGIN IMMEDIATE` and `COMMIT` stay prepared on the connection. GRDB's
    /// `write` parses both anew every time, which a small change (a PUT's change-log row, a PROPPATCH, a
    /// LOCK) pays for on every request. Rolled back when `body` or the commit throws, and that error is the
    /// one thrown; SQLite has already rolled back after some errors (a full disk), and a rollback that fails
    /// as well leaves the transaction open, which the next transaction's BEGIN then reports.
    func writeInPreparedTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            do {
                let result = try body(db)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                return result
            } catch {
                if db.isInsideTransaction { try? db.rollback() }
                throw error
            }
        }
    }
}
