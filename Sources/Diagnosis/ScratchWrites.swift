import DAVCore

/// The write probes that `check --allow-writes` permits, as data: a scratch collection beside the URL
/// asked, a small file in it, a COPY and a MOVE whose Destination is written exactly as the user's URL
/// spells scheme and host, and the removal of the scratch collection. Nothing outside the scratch
/// collection is touched. The COPY and MOVE show whether Destination survives the way to the server
/// (a TLS-terminating or Host-changing proxy breaks it: 502, 400 or 403 instead of 201).
public struct ScratchWrites: Sendable {
    /// Where the scratch collection goes: the collection asked, or the parent of the file asked.
    public let scratchURL: String
    let origin: String
    let scratchPath: String
    /// Set by `davdoctor proxy` when the path is the same straight and through the proxy: a refused
    /// Destination then comes from the Host the backend sees, not from a path prefix.
    public var pathUnchangedByProxy = false

    /// `token` makes the name unique (`.davdoctor-scratch-<token>/`).
    public init?(requestURL: String, token: String) {
        let href = Href(requestURL)
        guard let scheme = href.scheme, let authority = href.authority else { return nil }
        origin = "\(scheme)://\(authority)"
        let base = href.isCollectionForm ? href.path : URLPath.parent(of: href.path)
        scratchPath = (base.hasSuffix("/") ? base : base + "/") + ".davdoctor-scratch-\(token)/"
        scratchURL = origin + scratchPath
    }

    /// Where the scratch collection goes for `request`: beside what a write targeted (for COPY and MOVE,
    /// beside the Destination, where the new bytes were to go), so its outcome speaks of the same
    /// directory; for a read, inside the collection asked or beside the file asked.
    public init?(for request: RequestInfo, token: String) {
        var target = request.url
        if ["COPY", "MOVE"].contains(request.method), let destination = request.headers["Destination"]?.trimmingASCIIWhitespace(),
            ProbePlanner.originOf(destination) == ProbePlanner.originOf(request.url)
        {
            target = destination
        }
        if StatusRule.writeMethods.contains(request.method), let origin = ProbePlanner.originOf(target) {
            // The parent of the target, as a collection: `/a/b/` and `/a/b.txt` both go to `/a/`.
            let path = URLPath.parent(of: URLPath.withoutTrailingSlash(Href(target).path))
            target = origin + (path.hasSuffix("/") ? path : path + "/")
        }
        self.init(requestURL: target, token: token)
    }

    /// In order; each later step only makes sense when the earlier ones succeeded, except the last
    /// (the removal), which is sent whenever the scratch collection was created.
    public var steps: [Probe] {
        let source = origin + scratchPath + "source.txt"
        let copy = origin + scratchPath + "copy.txt"
        let moved = origin + scratchPath + "moved.txt"
        var destinationCopy = HTTPFields()
        destinationCopy.set("Destination", copy)
        destinationCopy.set("Overwrite", "F")
        var destinationMove = HTTPFields()
        destinationMove.set("Destination", moved)
        destinationMove.set("Overwrite", "F")
        var plain = HTTPFields()
        plain.set("Content-Type", "text/plain")
        return [
            Probe(
                id: 900, kind: .scratchCreate, purpose: "create a scratch collection for the write probes (removed at the end)",
                method: "MKCOL", url: scratchURL, subject: scratchPath),
            Probe(
                id: 901, kind: .scratchPut, purpose: "put a small file in the scratch collection", method: "PUT", url: source,
                headers: plain, body: Array("written by davdoctor check --allow-writes\n".utf8), subject: scratchPath + "source.txt"),
            Probe(
                id: 902, kind: .destinationCopy, purpose: "COPY with Destination spelled as your URL: does it survive the way to the server?",
                method: "COPY", url: source, headers: destinationCopy, subject: scratchPath + "copy.txt"),
            Probe(
                id: 903, kind: .destinationMove, purpose: "MOVE with Destination spelled as your URL", method: "MOVE", url: source,
                headers: destinationMove, subject: scratchPath + "moved.txt"),
            Probe(
                id: 904, kind: .mkcolWithoutSlash, purpose: "MKCOL without a trailing slash, as Finder and DAVx5 send it",
                method: "MKCOL", url: origin + scratchPath + "folder", subject: scratchPath + "folder"),
            Probe(id: 905, kind: .scratchDelete, purpose: "remove the scratch collection", method: "DELETE", url: scratchURL, subject: scratchPath),
        ]
    }

    /// When the scratch MKCOL is refused: a small file beside the target, and its removal. A read-only share
    /// refuses both; a disk with no room may take neither; and where a server gives every failed mkdir one
    /// status (``mkdirStatusForAnyErrno``), only its PUT tells the two apart.
    public var fileSteps: [Probe] {
        let path = String(scratchPath.dropLast()) + ".txt"
        var plain = HTTPFields()
        plain.set("Content-Type", "text/plain")
        return [
            Probe(
                id: 906, kind: .scratchFilePut, purpose: "the scratch collection was refused: put a small file beside the target instead",
                method: "PUT", url: origin + path, headers: plain, body: Array("written by davdoctor check --allow-writes\n".utf8), subject: path),
            Probe(id: 907, kind: .scratchFileDelete, purpose: "remove the scratch file", method: "DELETE", url: origin + path, subject: path),
        ]
    }

    /// What the scratch writes say about a write the server refused: a small MKCOL and PUT beside it answered
    /// like the refusal (the directory takes no write: a read-only share or mount, or a directory the server's
    /// user may not write), or went through while a larger write failed (room runs short). A bare 500, 405 or
    /// 404 says neither; these writes, in the same directory, do.
    public func judge(_ analysis: AnalysisResult, outcomes: [ProbeOutcome]) -> Finding? {
        let method = analysis.context.method
        guard StatusRule.writeMethods.contains(method), !["UNLOCK", "LOCK"].contains(method) || analysis.status == 500,
            WriteProbes.failed(analysis), let refusal = WriteProbes.propertyRefusal(analysis) ?? analysis.status, Self.bareRefusals.contains(refusal),
            !analysis.findings.contains(where: { $0.likelihood == .high && [.storage, .lock, .proxy, .path].contains($0.cause) })
        else { return nil }
        func outcome(_ kind: Probe.Kind) -> ProbeOutcome? { outcomes.first { $0.probe.kind == kind } }
        let directory = URLPath.parent(of: scratchPath)
        guard let create = outcome(.scratchCreate)?.head?.status else { return nil }
        let target = analysis.findings.first?.resources.first ?? analysis.context.requestPath
        let sent = analysis.context.request.body?.count ?? 0
        let small = steps.first { $0.kind == .scratchPut }?.body?.count ?? 0
        let said = analysis.head?.statusLine ?? String(refusal)
        let larger = method == "PUT" ? sent > 4 * small : method == "COPY"
        let what = method == "PUT" ? "the \(sent) bytes of \(target)" : "the copy to \(target)"
        /// A small write went through where the user's larger one was refused: room runs short.
        func roomRunsShort(_ small: String, writable: String) -> Finding {
            Finding(
                cause: .storage, likelihood: .medium, title: "\(directory) takes \(small) but not \(what): room runs short", resources: [target],
                evidence: [
                    "\(writable), so the directory is writable",
                    "the \(method) answered \(said): a disk or quota short of room for its size, which RFC 4918 says with 507 Insufficient Storage",
                ],
                fixes: FixBook.storage(server: analysis.server.kind), status: refusal)
        }
        if create == 507 || outcome(.scratchPut)?.head?.status == 507 {
            return Finding(
                cause: .storage, likelihood: .high, title: "no room left in \(directory): even an empty collection cannot be made there",
                resources: [target],
                evidence: [
                    "a scratch MKCOL in \(directory) answered 507 Insufficient Storage",
                    "the \(method) answered \(analysis.head?.statusLine ?? String(refusal))",
                ],
                fixes: FixBook.storage(server: analysis.server.kind), status: refusal)
        }
        if [403, 405, 500].contains(create) {
            // 403 and 405 are the server's policy; a 500 is the file system's refusal, which a full disk
            // (no inode left) gives as well as a read-only mount. Some servers give every failed mkdir one
            // status, whatever its errno: then the MKCOL's refusal says no more than a 500.
            let anyErrno = Self.mkdirStatusForAnyErrno[analysis.server.kind] == create
            let filePut = outcome(.scratchFilePut)?.head?.status
            var evidence = [
                "a scratch MKCOL in \(directory) answered \(Wording.status(create)) as well, while reading there works",
                "the \(method) answered \(analysis.head?.statusLine ?? String(refusal)); RFC 4918 names 403 Forbidden for a write the server will not do",
            ]
            if let filePut, filePut == 507 || Self.putStatusForNoRoom[analysis.server.kind] == filePut {
                return Finding(
                    cause: .storage, likelihood: .high,
                    title: "no room left in \(directory): neither a collection nor a \(small)-byte file can be written there",
                    resources: [target],
                    evidence: evidence.prefix(1)
                        + [
                            "a PUT of a \(small)-byte file beside it answered \(Wording.status(filePut))"
                                + (filePut == 507
                                    ? ""
                                    : ": \(analysis.server.kind.displayName) answers so when the file system refuses a new file, not a read-only share"),
                            "the \(method) answered \(analysis.head?.statusLine ?? String(refusal)); RFC 4918 says no room with 507 Insufficient Storage",
                        ],
                    fixes: FixBook.storage(server: analysis.server.kind), status: refusal)
            }
            if let filePut, (200..<300).contains(filePut) {
                // A file goes where a collection does not: not a read-only directory; only a larger write
                // refused the way the user's was still points at room.
                guard larger, [500, 503, 405].contains(refusal) else { return nil }
                return roomRunsShort("a small file", writable: "a PUT of \(small) bytes beside \(target) went through")
            }
            if anyErrno {
                evidence.append(
                    "\(analysis.server.kind.displayName) answers every failed mkdir with \(create) (no inode left as well as a read-only or unwritable directory), so this refusal does not say which"
                )
            }
            if let filePut { evidence.append("a PUT of a \(small)-byte file beside it was refused as well (\(Wording.status(filePut)))") }
            let fileRefusalIsPolicy = filePut.map { [403, 404, 405].contains($0) && Self.putStatusForNoRoom[analysis.server.kind] != $0 } ?? false
            return Finding(
                cause: .permission, likelihood: (create == 500 || anyErrno) && !fileRefusalIsPolicy ? .medium : .high,
                title: "\(directory) takes no write at all: a read-only share or mount, or a directory the server may not write",
                resources: [target], evidence: evidence,
                fixes: FixBook.readOnly(path: directory, server: analysis.server.kind), status: refusal)
        }
        guard (200..<300).contains(create), let put = outcome(.scratchPut)?.head?.status else { return nil }
        if put == 404 || put == 409 {
            // The server said it made the collection, and then knows of no such collection: its mkdir failed
            // unchecked (SabreDAV 1.8 on a read-only mount answers so).
            return Finding(
                cause: .permission, likelihood: .medium, signs: [Sign("scratch-collection-not-made", subject: scratchPath, value: String(put))],
                title: "\(directory) takes no write: the server reports writes there that it did not make",
                resources: [target],
                evidence: [
                    "a scratch MKCOL in \(directory) answered \(Wording.status(create)), yet a PUT into that collection answered \(Wording.status(put)): the collection was never made",
                    "a directory the server cannot write (a read-only mount, or one its user may not write) fails so on a server that does not check its writes; the \(method) answered \(said)",
                ],
                fixes: FixBook.unwritableStorage(path: directory, server: analysis.server.kind), status: refusal)
        }
        if put == 500 || put == 503 {
            // Permissions would have refused the MKCOL as well; a new name takes no data, a file does.
            return Finding(
                cause: .storage, likelihood: .high,
                title: "no room left in \(directory): a collection can be made there, not even a \(small)-byte file",
                resources: [target],
                evidence: [
                    "a scratch MKCOL in \(directory) went through, so the server may write there",
                    "a PUT of \(small) bytes into it answered \(Wording.status(put)), as the \(method) answered \(said): the file system has no room for data",
                    "RFC 4918 says this with 507 Insufficient Storage",
                ],
                fixes: FixBook.storage(server: analysis.server.kind), status: refusal)
        }
        if (200..<300).contains(put), larger, [500, 503, 405].contains(refusal) {
            return roomRunsShort("a small write", writable: "a scratch MKCOL and a PUT of \(small) bytes in \(directory) went through")
        }
        return nil
    }

    /// Servers whose MKCOL answers one status for every errno of a failed mkdir but a missing parent's
    /// (their source): lighttpd's mod_webdav (`webdav_mkdir`: ENOSPC, EROFS, EACCES all 403) and
    /// golang.org/x/net/webdav in rclone (`handleMkcol`: 405 for anything but "does not exist").
    static let mkdirStatusForAnyErrno: [ServerKind: Int] = [.lighttpd: 403, .rclone: 405]

    /// Servers whose PUT of a small new file answers no room with a status of its own, apart from the one a
    /// read-only share gets: x/net/webdav in rclone (`handlePut`: 404 when the file cannot be created, 405
    /// when it was created and filling it failed) and lighttpd's mod_webdav (403 where the configuration
    /// makes the share read-only, 500 when the file system refuses the file: the corpus' put-no-inodes).
    static let putStatusForNoRoom: [ServerKind: Int] = [.rclone: 405, .lighttpd: 500]

    /// The answers to a PUT that refuse it before a file is made: authentication, permission, no parent, a lock.
    static let refusedBeforeWriting: Set<Int> = [401, 403, 404, 409, 423]

    /// The statuses that say a write failed without saying why; the others (413, 423, 502 …) name their cause.
    static let bareRefusals: Set<Int> = [403, 404, 405, 500, 503, 507]

    /// What the outcomes say: a `proxy` finding when COPY or MOVE was refused in the way a Destination
    /// the server does not recognise as its own is refused, and notes for everything else worth saying.
    /// The notes' kinds come beside their words (`scratch-removed`, `destination-intact` …).
    public func interpret(_ outcomes: [ProbeOutcome], server: ServerKind) -> (finding: Finding?, notes: [String], noteSigns: [Sign]) {
        func status(_ kind: Probe.Kind) -> Int? { outcomes.first { $0.probe.kind == kind }?.head?.status }
        var notes: [String] = []
        var noteSigns: [Sign] = []
        let created = status(.scratchCreate).map { (200..<300).contains($0) } ?? false
        if !created {
            let why =
                outcomes.first { $0.probe.kind == .scratchCreate }.map { $0.head.map { "\($0.status)" } ?? ($0.failure ?? "no answer") } ?? "not sent"
            notes.append("--allow-writes: could not create the scratch collection \(scratchPath) (\(why)); COPY and MOVE were not tried")
            noteSigns.append(Sign("scratch-not-created", subject: scratchPath, value: why))
            if let put = outcomes.first(where: { $0.probe.kind == .scratchFilePut }) {
                let file = put.probe.subject
                let removal = status(.scratchFileDelete)
                let answered = put.head.map { Wording.status($0.status) } ?? (put.failure ?? "no answer")
                if let removal, (200..<300).contains(removal) {
                    notes.append("--allow-writes: a small file \(file) beside it answered \(answered) and was removed again")
                    noteSigns.append(Sign("scratch-file-removed", subject: file, value: put.head.map { String($0.status) }))
                } else if removal == 404 || put.head.map({ Self.refusedBeforeWriting.contains($0.status) }) == true {
                    // A PUT refused before anything was written left no file, whatever its DELETE says.
                    notes.append("--allow-writes: a small file \(file) beside it answered \(answered); nothing was left behind")
                    noteSigns.append(Sign("scratch-file-not-made", subject: file, value: put.head.map { String($0.status) }))
                } else {
                    notes.append(
                        "--allow-writes: WARNING: a small file \(file) (PUT answered \(answered)) could not be removed; delete it by hand (curl -X DELETE '\(put.probe.url)')"
                    )
                    noteSigns.append(Sign("scratch-file-left-behind", subject: file, value: put.probe.url))
                }
            }
            return (nil, notes, noteSigns)
        }
        if let removed = status(.scratchDelete), (200..<300).contains(removed) {
            notes.append("--allow-writes: the scratch collection \(scratchPath) was created and removed again")
            noteSigns.append(Sign("scratch-removed", subject: scratchPath))
        } else if status(.scratchDelete) == 404 {
            notes.append(
                "--allow-writes: the server said it created the scratch collection \(scratchPath), yet it is not there to remove: nothing is left behind"
            )
            noteSigns.append(Sign("scratch-never-made", subject: scratchPath))
        } else {
            notes.append(
                "--allow-writes: WARNING: the scratch collection \(scratchPath) could not be removed; delete it by hand (curl -X DELETE '\(scratchURL)')"
            )
            noteSigns.append(Sign("scratch-left-behind", subject: scratchPath, value: scratchURL))
        }
        guard let put = status(.scratchPut), (200..<300).contains(put) else {
            notes.append(
                "--allow-writes: PUT into the scratch collection was refused (\(status(.scratchPut).map(String.init) ?? "no answer")); COPY and MOVE were not tried"
            )
            return (nil, notes, noteSigns + [Sign("scratch-put-refused", subject: scratchPath, value: status(.scratchPut).map(String.init))])
        }
        var evidence: [String] = []
        var refused: [(String, Int)] = []
        for kind in [Probe.Kind.destinationCopy, .destinationMove] {
            guard let outcome = outcomes.first(where: { $0.probe.kind == kind }) else { continue }
            let code = outcome.head?.status
            evidence.append(
                "\(outcome.probe.method) \(outcome.probe.url) with Destination: \(outcome.probe.headers["Destination"] ?? "?") answered \(code.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? (outcome.failure ?? "nothing"))"
            )
            if let code, [400, 403, 409, 500, 502].contains(code) { refused.append((outcome.probe.method, code)) }
        }
        guard !refused.isEmpty else {
            notes.append("--allow-writes: COPY and MOVE with Destination spelled as your URL worked: Destination reaches the server intact")
            return (nil, notes, noteSigns + [Sign("destination-intact", subject: scratchPath)])
        }
        evidence.append("the same scratch collection accepted MKCOL and PUT, so writing is allowed there: only the Destination is refused")
        let scheme = Href(scratchURL).scheme ?? "http"
        let hostNotKept = scheme != "https" && pathUnchangedByProxy
        evidence.append(
            scheme == "https"
                ? "you speak https; a proxy that terminates TLS passes Destination: https://… to a backend that serves http and does not recognise it as its own"
                : hostNotKept
                    ? "the proxy passes the path unchanged, so the backend refuses the Destination's host: it is sent another Host than the \(Href(scratchURL).authority ?? "") the client uses (the proxy does not pass Host on)"
                    : "the Destination names the host and path you use; the backend sees another Host or path prefix (a proxy in between does not rewrite Destination)"
        )
        let why = scheme == "https" ? "destination-tls-ends-at-proxy" : hostNotKept ? "destination-host-not-passed" : "destination-not-rewritten"
        let finding = Finding(
            cause: .proxy, likelihood: .high,
            signs: refused.map { Sign("destination-refused", subject: $0.0, value: String($0.1)) } + [Sign(why, subject: scratchPath)],
            title: "Destination does not survive the way to the server: \(refused.map { "\($0.0) answered \($0.1)" }.joined(separator: ", "))",
            resources: [scratchPath], evidence: evidence,
            fixes: scheme == "https" ? FixBook.proxyDestination(server: server) : hostNotKept ? FixBook.proxyHost() : FixBook.proxyDestinationPath(),
            status: refused.first?.1)
        return (finding, notes, noteSigns)
    }
}

extension CheckResult {
    /// Folds the `--allow-writes` probes into a check: their outcomes, what they prove of Destination, and
    /// what they prove of a write the server refused (a verdict that outranks the guesses a bare status left).
    public mutating func fold(_ writes: ScratchWrites, outcomes: [ProbeOutcome]) {
        probes += outcomes
        let (finding, notes, noteSigns) = writes.interpret(outcomes, server: analysis.server.kind)
        if let verdict = writes.judge(analysis, outcomes: outcomes) {
            // A proven verdict outranks every guess; a likely one only the guesses it rules out.
            let guesses: Set<Cause> = verdict.likelihood == .high ? [.serverConfig, .path, .permission, .storage] : [.serverConfig, .path]
            for index in analysis.findings.indices
            where analysis.findings[index].cause != verdict.cause && guesses.contains(analysis.findings[index].cause) {
                analysis.findings[index].likelihood = .low
            }
            analysis.findings.append(verdict)
        }
        let healthy = analysis.findings.isEmpty && (analysis.status.map { (200..<300).contains($0) } ?? false)
        if var finding, ["COPY", "MOVE"].contains(analysis.context.method), let status = analysis.status, status >= 400 {
            // The user's own COPY or MOVE failed, and a scratch one whose destination surely exists fails too:
            // what a bare 409 or 500 suggested (a missing folder, a server fault) is ruled out.
            finding.evidence.append(
                "your \(analysis.context.method) answered \(status) as well: its Destination is lost the same way, not its target folder")
            finding.signs.append(Sign("own-request-refused-alike", subject: analysis.context.method, value: String(status)))
            for index in analysis.findings.indices where [.path, .serverConfig, .permission].contains(analysis.findings[index].cause) {
                analysis.findings[index].likelihood = .low
            }
            analysis.findings.append(finding)
        } else if let finding, healthy {
            // The request itself went through: what the scratch COPY and MOVE show is said beside it.
            analysis.notes.append("also seen: \(finding.title) (\(finding.evidence.first ?? ""))")
            analysis.noteSigns += finding.signs
        } else if let finding {
            analysis.findings.append(finding)
        }
        analysis.notes += notes
        analysis.noteSigns += noteSigns
        analysis.findings = analysis.findings.rankedByLikelihood()
    }
}

extension CheckResult {
    /// Folds what ``NodeAgreement``'s probes say into a check: a finding for each kind of state the servers
    /// behind the URL do not share, notes for the rest. The outcomes themselves are listed with the scratch
    /// writes', among which they ran.
    public mutating func fold(_ agreement: NodeAgreement, outcomes: [ProbeOutcome]) {
        guard !outcomes.isEmpty else { return }
        let (findings, notes, noteSigns) = agreement.interpret(outcomes, server: analysis.server.kind)
        analysis.findings = (analysis.findings + findings).rankedByLikelihood()
        analysis.notes += notes
        analysis.noteSigns += noteSigns
    }
}
