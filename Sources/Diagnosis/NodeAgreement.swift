import DAVCore

/// `check --allow-writes`: whether every server behind the URL keeps locks and dead properties in one place.
///
/// Behind a load balancer each request may reach another node. Nodes that each keep their own lock database
/// (Apache's DavLockDB is a local file, nginx's dav_ext_lock_zone lives in one process's memory, a server's
/// SQLite file on its own disk) answer differently for the same file: a lock taken through one is unknown
/// to the next, which lets another client overwrite a locked file. In the scratch collection a file gets a
/// dead property and an exclusive lock; then the same PROPFIND goes out several times. A lock or property
/// that some answers show and others do not is a cluster whose nodes do not share that storage. The lock is
/// released by UNLOCK, repeated until the node that holds it answers.
public struct NodeAgreement: Sendable {
    /// How many times the file is read back: enough for round-robin, random and least-connections
    /// balancers over a few nodes to send at least one read elsewhere.
    static let reads = 6
    static let namespace = "urn:davdoctor:agreement"
    static let propertyName = QualifiedName(namespace, "mark")

    let fileURL: String
    let subject: String
    let mark: String

    /// `scratchURL`: the scratch collection (it exists when the probes run); `token`: the check's scratch token.
    public init(scratchURL: String, token: String) {
        fileURL = scratchURL + "agreement.txt"
        subject = Href(fileURL).displayPath
        mark = "davdoctor-\(token)"
    }

    /// The file, its dead property, then an exclusive lock on it.
    public var setup: [Probe] {
        var xml = HTTPFields()
        xml.set("Content-Type", "application/xml; charset=utf-8")
        var lock = xml
        lock.set("Timeout", "Second-120")
        lock.set("Depth", "0")
        let patch =
            #"<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:A="\#(Self.namespace)"><D:set><D:prop><A:mark>\#(mark)</A:mark></D:prop></D:set></D:propertyupdate>"#
        return [
            Probe(
                id: 920, kind: .agreementPut, purpose: "put a file in the scratch collection to lock and mark", method: "PUT", url: fileURL,
                body: Array("read back by davdoctor check --allow-writes\n".utf8), subject: subject),
            Probe(
                id: 921, kind: .agreementProperty, purpose: "give it a dead property", method: "PROPPATCH", url: fileURL, headers: xml,
                body: Array(patch.utf8), subject: subject),
            Probe(
                id: 922, kind: .agreementLock, purpose: "lock it", method: "LOCK", url: fileURL, headers: lock,
                body: Probe.exclusiveLockBody(owner: "davdoctor check --allow-writes"), subject: subject),
        ]
    }

    /// The same PROPFIND of the lock and the property, ``reads`` times.
    public var reads: [Probe] {
        var headers = HTTPFields()
        headers.set("Content-Type", "application/xml; charset=utf-8")
        headers.set("Depth", "0")
        let body =
            #"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:A="\#(Self.namespace)"><D:prop><D:lockdiscovery/><A:mark/></D:prop></D:propfind>"#
        return (0..<Self.reads).map { index in
            Probe(
                id: 923 + index, kind: .agreementRead, purpose: "read the lock and the property back (\(index + 1) of \(Self.reads))",
                method: "PROPFIND", url: fileURL, headers: headers, body: Array(body.utf8), subject: subject)
        }
    }

    /// UNLOCK with the lock's token; sent again until a node that holds the lock answers 2xx.
    public func unlock(token: String) -> Probe {
        var headers = HTTPFields()
        headers.set("Lock-Token", "<\(token)>")
        return Probe(id: 930, kind: .agreementUnlock, purpose: "release the lock", method: "UNLOCK", url: fileURL, headers: headers, subject: subject)
    }

    /// What one read shows: whether the lock's token and the property's value are in it (nil: no 207 to read).
    static func seen(_ outcome: ProbeOutcome, token: String, mark: String) -> (lock: Bool, property: Bool)? {
        guard let response = outcome.multistatus?.responses.first
        else { return nil }
        let tokens = response.value(of: DAV.lockdiscovery)?.element.descendants(named: DAV.href).map { $0.text.trimmingASCIIWhitespace() } ?? []
        let value = response.value(of: Self.propertyName)?.element.text.trimmingASCIIWhitespace()
        return (tokens.contains(token), value == mark)
    }

    /// A `server-config` finding for each kind of state the reads disagree on, and notes for the rest. The
    /// notes' kinds come beside their words (`nodes-agree`, `agreement-not-run`, `agreement-lock-left`).
    public func interpret(_ outcomes: [ProbeOutcome], server: ServerKind) -> (findings: [Finding], notes: [String], noteSigns: [Sign]) {
        func outcome(_ kind: Probe.Kind) -> ProbeOutcome? { outcomes.first { $0.probe.kind == kind } }
        guard let lock = outcome(.agreementLock), let token = ProxyLockHeaders.token(from: lock) else {
            let step = [Probe.Kind.agreementPut, .agreementProperty, .agreementLock].first { kind in
                outcome(kind).map { !(200..<300).contains($0.head?.status ?? 0) } ?? true
            }
            let failed = step.flatMap(outcome)
            let why =
                failed.map { "\($0.probe.method) answered \($0.head.map { Wording.status($0.status) } ?? ($0.failure ?? "nothing"))" } ?? "not sent"
            return (
                [], ["--allow-writes: could not mark and lock a scratch file (\(why)); whether the servers behind the URL agree was not tried"],
                [Sign("agreement-not-run", subject: failed?.probe.method, value: failed?.head.map { String($0.status) } ?? failed?.failure)]
            )
        }
        let marked = outcome(.agreementProperty).map { $0.head?.status == 207 || (200..<300).contains($0.head?.status ?? 0) } ?? false
        let seen = outcomes.filter { $0.probe.kind == .agreementRead }.compactMap { Self.seen($0, token: token, mark: mark) }
        var notes: [String] = []
        var noteSigns: [Sign] = []
        let unlocked = outcomes.contains { $0.probe.kind == .agreementUnlock && (200..<300).contains($0.head?.status ?? 0) }
        if !unlocked {
            notes.append(
                "--allow-writes: WARNING: the scratch file's lock could not be released; it expires by itself within 120 s (curl -X UNLOCK -H 'Lock-Token: <\(token)>' '\(fileURL)')"
            )
            noteSigns.append(Sign("agreement-lock-left", subject: subject, value: token))
        }
        guard !seen.isEmpty else {
            notes.append("--allow-writes: no read of the locked scratch file answered 207; whether the servers behind the URL agree is not known")
            return ([], notes, noteSigns + [Sign("agreement-unread", subject: subject)])
        }
        var findings: [Finding] = []
        let lockCount = seen.filter(\.lock).count
        let propertyCount = seen.filter(\.property).count
        let origin = ProbePlanner.originOf(fileURL) ?? fileURL
        /// A finding when some reads show `what` and others do not.
        func disagreement(_ what: String, count: Int, title: String, evidence: [String], fixes: [Fix], status: Int?) {
            guard count > 0, count < seen.count else { return }
            findings.append(
                Finding(
                    cause: .serverConfig, likelihood: .high, signs: [Sign("nodes-disagree", subject: what, value: "\(count)/\(seen.count)")],
                    title: "the servers behind \(origin) do not share \(title) in \(count) of \(seen.count) reads of the same file",
                    resources: [subject], evidence: evidence, fixes: fixes, status: status))
        }
        disagreement(
            "lock", count: lockCount, title: "their locks: a lock shows",
            evidence: [
                "LOCK \(subject) answered \(lock.head.map { Wording.status($0.status) } ?? "2xx") with Lock-Token <\(token)>",
                "then \(seen.count) PROPFINDs of its lockdiscovery: \(seen.map { $0.lock ? "locked" : "not locked" }.joined(separator: ", "))",
                "each node keeps its own lock database: a client that locked a file through one node is not refused by the others, so two editors overwrite each other (RFC 4918 §6: a lock must hold for every request to the resource)",
            ], fixes: FixBook.sharedLocks(server: server), status: lock.head?.status)
        if marked {
            disagreement(
                "property", count: propertyCount, title: "dead properties: a property set once shows",
                evidence: [
                    "PROPPATCH \(subject) set {\(Self.namespace)}mark",
                    "then \(seen.count) PROPFINDs of it: \(seen.map { $0.property ? "set" : "missing" }.joined(separator: ", "))",
                    "each node keeps dead properties of its own: what a client stores through one node (an Office document's metadata, a calendar's colour) vanishes through another",
                ], fixes: FixBook.sharedProperties(server: server), status: 207)
        }
        if findings.isEmpty {
            let what = lockCount == seen.count ? (marked && propertyCount == seen.count ? "the lock and the dead property" : "the lock") : nil
            if let what {
                notes.append("--allow-writes: \(seen.count) reads of a locked scratch file all showed \(what): the servers behind the URL agree")
                noteSigns.append(Sign("nodes-agree", subject: subject, value: String(seen.count)))
            } else {
                notes.append(
                    "--allow-writes: the scratch file's lock showed in none of \(seen.count) reads (its LOCK answered \(lock.head.map { Wording.status($0.status) } ?? "2xx")): the server does not report its locks in lockdiscovery"
                )
                noteSigns.append(Sign("lock-not-reported", subject: subject))
            }
        }
        return (findings, notes, noteSigns)
    }
}
