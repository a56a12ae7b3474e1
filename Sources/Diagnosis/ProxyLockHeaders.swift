import DAVCore

/// `davdoctor proxy --allow-writes`: whether the If and Lock-Token headers reach the server through the
/// proxy, found by behaviour, since a dropped request header leaves no trace in any answer's headers. In
/// the scratch collection a file is locked straight at the server; then a PUT carrying the lock's token
/// in If and an UNLOCK carrying it in Lock-Token go through the proxy, each followed by the same request
/// straight at the server. Refused through the proxy (400, 409, 412, 423) but accepted straight: the proxy
/// dropped the header. The straight UNLOCK also releases the lock, so the scratch collection can go.
public struct ProxyLockHeaders: Sendable {
    let directFile: String
    let viaFile: String
    let subject: String

    /// `directScratch` and `viaScratch`: the same scratch collection, straight and through the proxy.
    public init(directScratch: String, viaScratch: String) {
        directFile = directScratch + "locked.txt"
        viaFile = viaScratch + "locked.txt"
        subject = Href(viaFile).displayPath
    }

    /// First, straight at the server: the file, then an exclusive lock on it.
    public var setup: [Probe] {
        var lockHeaders = HTTPFields()
        lockHeaders.set("Content-Type", "application/xml; charset=utf-8")
        lockHeaders.set("Timeout", "Second-120")
        lockHeaders.set("Depth", "0")
        return [
            Probe(
                id: 910, kind: .lockTargetPut, purpose: "put a file to lock in the scratch collection, straight at the server", method: "PUT",
                url: directFile, body: Array("locked by davdoctor proxy --allow-writes\n".utf8), subject: subject),
            Probe(
                id: 911, kind: .lockDirect, purpose: "lock it straight at the server", method: "LOCK", url: directFile,
                headers: lockHeaders, body: Probe.exclusiveLockBody(owner: "davdoctor proxy --allow-writes"), subject: subject),
        ]
    }

    /// The token of the lock `setup` took, from the LOCK answer's Lock-Token header.
    public static func token(from outcome: ProbeOutcome) -> String? {
        guard let head = outcome.head, (200..<300).contains(head.status), let value = head.headers["Lock-Token"] else { return nil }
        let token = value.trimmingASCIIWhitespace().trimmingCharacters(of: "<").trimmingCharacters(of: ">")
        return token.isEmpty ? nil : token
    }

    /// Then, with the token: each header through the proxy, then straight (the straight UNLOCK last).
    public func trials(token: String) -> [Probe] {
        var ifHeader = HTTPFields()
        ifHeader.set("If", "(<\(token)>)")
        ifHeader.set("Content-Type", "text/plain")
        var lockToken = HTTPFields()
        lockToken.set("Lock-Token", "<\(token)>")
        let content = Array("written with the lock's token\n".utf8)
        return [
            Probe(
                id: 912, kind: .ifThroughProxy, purpose: "PUT with the lock's token in If, through the proxy", method: "PUT", url: viaFile,
                headers: ifHeader, body: content, subject: subject),
            Probe(
                id: 913, kind: .ifDirect, purpose: "the same PUT straight at the server", method: "PUT", url: directFile,
                headers: ifHeader, body: content, subject: subject),
            Probe(
                id: 914, kind: .lockTokenThroughProxy, purpose: "UNLOCK with the lock's token in Lock-Token, through the proxy", method: "UNLOCK",
                url: viaFile, headers: lockToken, subject: subject),
            Probe(
                id: 915, kind: .lockTokenDirect, purpose: "the same UNLOCK straight at the server (it also releases the lock)", method: "UNLOCK",
                url: directFile, headers: lockToken, subject: subject),
        ]
    }

    /// A `proxy` finding naming each header the proxy drops, and notes for what could not be tried.
    /// The notes' kinds come beside their words (`lock-trial-not-run`, `lock-headers-pass`).
    public func interpret(_ outcomes: [ProbeOutcome]) -> (finding: Finding?, notes: [String], noteSigns: [Sign]) {
        func outcome(_ kind: Probe.Kind) -> ProbeOutcome? { outcomes.first { $0.probe.kind == kind } }
        func status(_ kind: Probe.Kind) -> Int? { outcome(kind)?.head?.status }
        func shown(_ kind: Probe.Kind) -> String {
            status(kind).map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? (outcome(kind)?.failure ?? "no answer")
        }
        guard let locked = status(.lockDirect), (200..<300).contains(locked), let lock = outcome(.lockDirect), Self.token(from: lock) != nil else {
            let why =
                status(.lockTargetPut).map { (200..<300).contains($0) ? "LOCK answered \(shown(.lockDirect))" : "PUT answered \($0)" }
                ?? "PUT answered \(shown(.lockTargetPut))"
            let step = status(.lockTargetPut).map { (200..<300).contains($0) } == true ? Probe.Kind.lockDirect : .lockTargetPut
            return (
                nil,
                ["--allow-writes: could not lock a scratch file straight at the server (\(why)); If and Lock-Token through the proxy were not tried"],
                [
                    Sign(
                        "lock-trial-not-run", subject: outcome(step)?.probe.method,
                        value: status(step).map(String.init) ?? outcome(step)?.failure)
                ]
            )
        }
        let refused: Set<Int> = [400, 409, 412, 423]
        var dropped: [String] = []
        var signs: [Sign] = []
        var evidence: [String] = []
        for (header, via, direct) in [
            ("If", Probe.Kind.ifThroughProxy, Probe.Kind.ifDirect), ("Lock-Token", .lockTokenThroughProxy, .lockTokenDirect),
        ] {
            guard let viaStatus = status(via), let directStatus = status(direct) else { continue }
            let method = outcome(via)?.probe.method ?? ""
            if refused.contains(viaStatus), (200..<300).contains(directStatus) {
                dropped.append(header)
                signs.append(Sign("proxy-drops-header", subject: header, value: String(viaStatus)))
                evidence.append(
                    "\(method) \(subject) with \(header): <token of a lock taken straight at the server> answered \(shown(via)) through the proxy, \(shown(direct)) straight at the server: the server never saw \(header)"
                )
            }
        }
        guard !dropped.isEmpty else {
            return (
                nil, ["--allow-writes: a PUT with If and an UNLOCK with Lock-Token worked through the proxy: both headers reach the server"],
                [Sign("lock-headers-pass", subject: subject)]
            )
        }
        evidence.append(
            "without \(dropped.joined(separator: " and ")) locked files cannot be saved or unlocked through the proxy: Office and the Windows Mini-Redirector save by LOCK, PUT with If, UNLOCK (RFC 4918 §10.4, §10.5)"
        )
        let finding = Finding(
            cause: .proxy, likelihood: .high, signs: signs,
            title: "the proxy drops the \(dropped.joined(separator: " and ")) header\(dropped.count > 1 ? "s" : "")",
            resources: [subject], evidence: evidence, fixes: FixBook.proxyDroppedHeaders(dropped),
            status: status(dropped[0] == "If" ? .ifThroughProxy : .lockTokenThroughProxy))
        return (finding, [], [])
    }
}
