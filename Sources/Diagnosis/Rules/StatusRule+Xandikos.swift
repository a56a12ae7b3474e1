import DAVCore

/// What a bare 500 means from Xandikos, read from its source (xandikos 0.4.10: webdav.py's method handlers
/// and store/git.py). Xandikos keeps each collection in a git repository and maps only some file-system
/// failures to statuses; every other exception leaves the handler and aiohttp answers "500 Internal Server
/// Error — Server got itself in trouble":
///
/// - PUT writes the item and commits it; store/git.py turns ENOSPC into 507, so a PUT's 500 is another
///   refusal of the file system: a read-only mount, or a repository the server's user may not write;
/// - COPY and MOVE map ENOSPC to 507 and PermissionError to 403: their 500 is a read-only mount (EROFS);
/// - DELETE commits a tree without the item and maps nothing: removing needs next to no room, so its 500
///   is a repository that takes no write;
/// - PROPPATCH, MKCOL and MKCALENDAR rewrite the collection's `.xandikos` file and commit it, and map
///   nothing: the 500 is a full disk or a read-only mount, which only a write probe tells apart.
extension StatusRule {
    static func xandikos(method: String, status: Int, path: String, make: Make) -> [Finding]? {
        guard status == 500, var found = xandikosTable(method: method, path: path, make: make) else { return nil }
        // What the table read, as data: the server, and the method and status it read.
        found[0].signs.append(Sign("status-habit", subject: "xandikos", value: "\(method) \(status)"))
        return found
    }

    private static func xandikosTable(method: String, path: String, make: Make) -> [Finding]? {
        let store = "Xandikos (its git store)"
        let readOnly = FixBook.unwritableStorage(path: path, server: .xandikos)
        let repository = URLPath.parent(of: URLPath.withoutTrailingSlash(path))
        switch method {
        case "PUT":
            return make(
                .permission, .high, "\(repository) takes no write (500): a read-only mount, or a repository the server may not write", readOnly,
                [
                    "\(store) answers a PUT that runs out of room with 507 (store/git.py turns ENOSPC into it); its bare 500 is any other refusal of the file system: EROFS or EACCES"
                ])
        case "COPY", "MOVE":
            return make(
                .permission, .medium, "the \(method) could not be written (500): a read-only mount", readOnly,
                [
                    "\(store) answers a \(method) with 507 when room runs out and 403 when the file system denies access; its bare 500 is the refusal it does not name, a read-only file system (EROFS)"
                ])
        case "DELETE":
            return make(
                .permission, .medium, "\(path) could not be removed (500): its repository takes no write", readOnly,
                [
                    "\(store) removes an item by committing a tree without it and names no failure of that: removing needs next to no room, so the 500 is a read-only mount or a repository the server may not write"
                ])
                + make(.storage, .low, "or the disk is too full even for the commit", FixBook.storage(server: .xandikos), [])
        case "PROPPATCH", "MKCOL", "MKCALENDAR":
            return make(
                .storage, .medium, "the collection's settings could not be written (500): the disk may be full", FixBook.storage(server: .xandikos),
                [
                    "\(store) stores a collection's properties in its .xandikos file and commits it; it maps no failure of that to a status, so a 500 is a full disk (a disk fills by itself) or a read-only mount — davdoctor check --allow-writes tells which"
                ])
                + make(.permission, .medium, "or the store is mounted read-only", readOnly, [])
        default:
            return nil
        }
    }
}
