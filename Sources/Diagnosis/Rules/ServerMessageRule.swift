import DAVCore

/// The server's own words inside a 207: the `<D:responsedescription>` of a failing propstat. Apache's mod_dav
/// writes there the error that stopped a property operation, and some of its texts name the cause more
/// surely than the 500 beside them. Read from Apache httpd's source (modules/dav/main/props.c and
/// modules/dav/fs/dbm.c):
///
/// - "Could not open the property database." (props.c, `dav_really_open_db`): storing a dead property
///   opens the resource's DBM file in the `.DAV` folder beside it read-write, creating folder and file when
///   they are missing (dbm.c, `dav_dbm_open`); that open fails when the file system refuses a new file
///   there: no room (blocks or inodes), a folder Apache's user may not write, or a read-only mount. A
///   refusal by Apache's configuration (AllowMethods, Require) never gets this far: it is a 403 or 405.
enum ServerMessageRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return [] }
        var findings: [Finding] = []
        let failures = collector.failedProperties.filter { $0.key.status == 500 }.sorted { $0.key.name < $1.key.name }
        for (key, failure) in failures {
            guard let said = failure.descriptions.first(where: Self.isPropertyDatabase) else { continue }
            let resources = failure.listed
            let first = resources.first ?? input.context.requestPath
            let folder = URLPath.parent(of: URLPath.withoutTrailingSlash(first))
            let signs = [Sign("server-message", subject: first, value: said), Sign("property-database-not-writable", subject: folder)]
            var storage = Finding(
                cause: .storage, likelihood: .medium, signs: signs,
                title: "Apache could not create the property database beside \(first): \(folder) has no room for a new file",
                resources: resources, resourceCount: failure.count,
                evidence: [
                    "\(key.name) came back \(Wording.status(500)) with Apache's own words: \"\(said)\"",
                    "mod_dav keeps dead properties in a DBM file in the .DAV folder beside the resource and opens it read-write, creating it, to store one (mod_dav_fs dbm.c); the file system refused that new file in \(folder)",
                    "a disk fills by itself (blocks or inodes), while a folder Apache may not write or a read-only mount is someone's change and refuses every upload there too; davdoctor check --allow-writes tells them apart with a scratch write",
                ],
                seen: input.server.evidence.map { [$0] } ?? [],
                fixes: FixBook.storage(server: input.server.kind), status: 500)
            storage.because = storage.evidence[1]
            findings.append(storage)
            findings.append(
                Finding(
                    cause: .permission, likelihood: .medium, signs: signs,
                    title: "or Apache's user may not write \(folder) (or its .DAV folder), or the file system is mounted read-only",
                    resources: resources, resourceCount: failure.count,
                    evidence: [
                        "the same refusal comes from a folder (or a .DAV folder) owned by another user than the one Apache runs as, and from a read-only mount (EACCES, EROFS)"
                    ],
                    fixes: FixBook.unwritableStorage(path: folder, server: input.server.kind), status: 500))
        }
        return findings
    }

    /// Apache's words for a property database it could not open read-write.
    static func isPropertyDatabase(_ description: String) -> Bool {
        description.lowercased().contains("could not open the property database")
    }

    /// Whether this rule reads the failure (so the generic reading of a 500 propstat need not).
    static func explains(_ failure: PropertyTally.Failure) -> Bool {
        failure.descriptions.contains(where: isPropertyDatabase)
    }
}
