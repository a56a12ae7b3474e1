import DAVCore

/// What a bare 500 means from Radicale, read from its source (radicale 3.9: app/put.py, proppatch.py,
/// mkcol.py, mkcalendar.py, move.py, app/__init__.py and storage/multifilesystem). Its writes read the errno
/// of a failed file-system call: ENOSPC becomes 507 ("Insufficient Storage") and EPERM or EACCES 403 ("Action
/// on the requested resource refused"); anything else, and any exception elsewhere, becomes 500 ("A server
/// error occurred"):
///
/// - a write's 500 (PUT, PROPPATCH, MKCOL, MKCALENDAR, MOVE) is therefore neither room nor access: a
///   read-only file system (EROFS); DELETE maps no errno at all, and a removal needs no room;
/// - a read (PROPFIND, REPORT, GET) writes Radicale's caches as it goes (`.Radicale.cache`: item cache,
///   sync tokens, history) and tolerates a PermissionError there, not ENOSPC: a read's 500 is most often
///   a storage folder with no room left for them (a read-only mount does the same).
extension StatusRule {
    static func radicale(method: String, status: Int, path: String, make: Make) -> [Finding]? {
        guard status == 500, var found = radicaleTable(method: method, path: path, make: make) else { return nil }
        // What the table read, as data: the server, and the method and status it read.
        found[0].signs.append(Sign("status-habit", subject: "radicale", value: "\(method) \(status)"))
        return found
    }

    private static func radicaleTable(method: String, path: String, make: Make) -> [Finding]? {
        let readOnly = FixBook.unwritableStorage(path: path, server: .radicale)
        switch method {
        case "PUT", "PROPPATCH", "MKCOL", "MKCALENDAR", "MOVE", "DELETE":
            let why =
                method == "DELETE"
                ? "Radicale maps no failure of a DELETE to a status, and removing needs no room: the file system refused the removal (a read-only mount, or a folder the server may not write)"
                : "Radicale answers a \(method) with 507 when the disk is full and 403 when the file system denies access (it reads the errno); its 500 is the refusal it does not name, a read-only file system (EROFS)"
            return make(.permission, .medium, "the storage behind \(path) takes no write (500): a read-only mount", readOnly, [why])
        case "PROPFIND", "REPORT", "GET", "HEAD":
            return make(
                .storage, .medium, "Radicale could not write its cache while reading \(path) (500): the disk may be full",
                FixBook.storage(server: .radicale),
                [
                    "Radicale writes its caches (.Radicale.cache: items, sync tokens, history) while it answers a \(method), and lets only a PermissionError there pass: a read that fails with 500 most often met a storage folder with no room left (ENOSPC)"
                ])
                + make(.permission, .low, "or the storage folder is mounted read-only", readOnly, [])
        default:
            return nil
        }
    }
}
