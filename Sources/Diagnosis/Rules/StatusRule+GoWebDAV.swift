import DAVCore

/// What a status means from golang.org/x/net/webdav, the handler inside `rclone serve webdav` and most Go
/// WebDAV servers. It maps each failed file-system call to one fixed status rather than to RFC 4918's
/// meanings, so a bare 403, 404, 405 or 500 names the operation that failed (its webdav.go, file.go and
/// prop.go):
///
/// - PUT opens the file first (a failure other than "no such file" is 404), then copies the body into it (a
///   failure there is 405): a 405 is a write that ran out of room, a 404 a file it could not create;
/// - DELETE stats the resource (missing is 404) and then removes it: a 405 is a removal refused;
/// - MKCOL answers 409 for a missing parent and 405 for any other mkdir failure;
/// - MOVE answers 403 when the rename fails; COPY answers 403 when it cannot create the destination and 500
///   when copying the data fails;
/// - LOCK of an unmapped URL and PROPPATCH open the resource for writing, and answer 500 when they cannot.
extension StatusRule {
    typealias Make = (_ cause: Cause, _ likelihood: Likelihood, _ title: String, _ fixes: [Fix], _ extra: [String]) -> [Finding]

    /// The findings for a status from x/net/webdav, or nil when the table has nothing to add.
    static func goWebDAV(method: String, status: Int, path: String, destination: String?, server: ServerKind, make: Make) -> [Finding]? {
        let handler = "x/net/webdav (the handler rclone serve webdav is built on)"
        let readOnly = FixBook.readOnly(path: path, server: server)
        let parent = URLPath.parent(of: path)
        switch (method, status) {
        case ("PUT", 405):
            return make(
                .storage, .high, "writing the upload into \(path) failed (405): the disk or quota is full", FixBook.storage(server: server),
                [
                    "\(handler) answers a PUT with 405 only when the file was created but copying the body into it failed; its log names the write error (no space left, file too large)"
                ])
                + make(.permission, .low, "or the backend refused the write", readOnly, [])
        case ("PUT", 404):
            return make(
                .path, .high, "\(path) could not be created (404): the parent \(parent) is probably missing",
                FixBook.missingParent(parent, server: server),
                ["\(handler) answers 404 (not 409) when it cannot create the file; rclone's VFS reports a missing parent so"])
                + make(
                    .permission, .medium, "or the share is read-only (404)", readOnly, ["a --read-only share refuses the create with the same 404"])
        case ("DELETE", 405):
            return make(
                .permission, .high, "\(path) is there, yet removing it was refused (405): a read-only share", readOnly,
                [
                    "\(handler) answers a DELETE with 404 when the resource is missing and with 405 when removing it fails: a read-only share (--read-only) or a backend that refuses deletes"
                ])
        case ("MKCOL", 405):
            return make(
                .permission, .medium, "creating \(path) was refused (405): a read-only share", readOnly,
                [
                    "\(handler) answers MKCOL with 409 for a missing parent and 405 for any other failure of mkdir; rclone answers 201 for a folder that exists, so its 405 is a refusal (--read-only) or no room"
                ])
                + make(.storage, .medium, "or no space or inode is left to create \(path)", FixBook.storage(server: server), [])
                + make(
                    .path, .low, "or \(path) already exists (servers other than rclone answer 405 for that)",
                    [Fix("Nothing to create if the collection is there", .easy)], [])
        case ("MOVE", 403):
            let target = destination.map { URLPath.parent(of: Href($0).displayPath) } ?? parent
            return make(
                .path, .high, "the rename failed (403): the Destination's parent \(target) is probably missing",
                FixBook.missingParent(target, server: server),
                ["\(handler) answers a MOVE with 403 whenever the rename fails, where RFC 4918 §9.9.4 names 409 for a missing parent"]
                    + (destination.map { ["Destination: \($0)"] } ?? []))
                + make(.permission, .medium, "or the share is read-only (403)", readOnly, [])
        case ("COPY", 403):
            return make(
                .permission, .high, "the copy could not be created at the Destination (403): a read-only share", readOnly,
                ["\(handler) answers a COPY with 409 for a missing parent and 403 when it cannot create the destination for another reason"])
        case ("COPY", 500):
            return make(
                .storage, .high, "copying the data failed (500): the Destination's disk or quota is full", FixBook.storage(server: server),
                ["\(handler) answers a COPY with 500 when reading the source or writing the copy fails part-way; rclone's log names the error"])
        case ("PROPPATCH", 500):
            return make(
                .permission, .medium, "\(path) could not be opened for writing to store its properties (500): a read-only share", readOnly,
                ["\(handler) opens the resource read-write before a PROPPATCH and answers 500 when that fails"])
        case ("LOCK", 500):
            return make(
                .permission, .medium, "LOCK could not create \(path) (500): a read-only share", readOnly,
                [
                    "\(handler) creates an empty file when a LOCK names an unmapped URL and answers 500 when it cannot (read-only, a missing parent or no room)"
                ])
                + make(.path, .low, "or the parent \(parent) is missing", FixBook.missingParent(parent, server: server), [])
                + make(.storage, .low, "or no room is left to create it", FixBook.storage(server: server), [])
        default:
            return nil
        }
    }
}
