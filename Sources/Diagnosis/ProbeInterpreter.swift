import DAVCore

/// Reads the probes' outcomes and folds them into the findings as evidence, changes a finding's cause
/// or likelihood where a probe settles it, and adds the findings only a live server can show.
enum ProbeInterpreter {
    static func conclude(_ initial: AnalysisResult, outcomes: [ProbeOutcome], options: Investigation.Options = .init()) -> CheckResult {
        var analysis = initial
        var findings = initial.findings
        var capabilities: [String: String] = [:]
        /// What OPTIONS shows of the server as a whole rather than of this answer.
        var serverWide: [Finding] = []

        /// `proof`: the line says what the probe proved (and becomes the telling line), not what to do.
        /// `signs`: the line's kinds as data, kept beside it.
        func addEvidence(to cause: Cause, proof: Bool = true, _ text: String, subject: String? = nil, signs: [Sign] = []) {
            if let index = findings.firstIndex(where: {
                $0.cause == cause
                    && (subject == nil
                        || $0.resources.contains {
                            URLPath.isWithin(subject!, $0) || URLPath.withoutTrailingSlash($0) == URLPath.withoutTrailingSlash(subject!)
                        })
            })
                ?? findings.firstIndex(where: { $0.cause == cause })
            {
                if proof { findings[index].prove(text) } else { findings[index].evidence.append(text) }
                findings[index].signs += signs
            }
        }

        for outcome in outcomes {
            let probe = outcome.probe
            guard let head = outcome.head else {
                if let failure = outcome.failure {
                    analysis.notes.append("probe \(probe.kind.rawValue) \(probe.method) \(probe.url) failed: \(failure)")
                }
                continue
            }
            switch probe.kind {
            case .serverOptions:
                capabilities["status"] = String(head.status)
                if let finding = WriteProbes.readOnly(analysis, options: head, findings: findings) {
                    demote(.serverConfig, in: &findings)
                    demote(.path, in: &findings)
                    findings.append(finding)
                }
                if let finding = ExistenceProbes.contradiction(analysis, options: head, findings: &findings) { findings.append(finding) }
                for name in ["DAV", "Allow", "MS-Author-Via", "Server"] { if let value = head.headers[name] { capabilities[name] = value } }
                let classes = (head.headers["DAV"] ?? "").split(separator: ",").map { $0.trimmingASCIIWhitespace() }
                // A well-known path only redirects (RFC 6764): it owes no DAV header.
                let wellKnown = analysis.context.requestPath.lowercased().hasPrefix("/.well-known/")
                if head.headers["DAV"] == nil && head.status < 400 && !wellKnown {
                    serverWide.append(
                        Finding(
                            cause: .serverConfig, likelihood: .high, title: "the server does not speak WebDAV at \(analysis.context.requestPath)",
                            resources: [analysis.context.requestPath], evidence: ["OPTIONS answered \(head.status) without a DAV header"],
                            fixes: FixBook.methodNotAllowed("PROPFIND", allow: head.headers["Allow"], server: analysis.server.kind)))
                } else if !classes.contains("2"), head.status < 400 {
                    addEvidence(
                        to: .lock, "OPTIONS says DAV: \(head.headers["DAV"] ?? ""): no class 2, so no locking (Finder and Office mount read-only)")
                }
                for line in MethodProbes.optionsEvidence(analysis, options: head) { addEvidence(to: .serverConfig, line.text, signs: [line.sign]) }
                if !options.hasCredentials, PermissionProbes.refusal(analysis) == 401 {
                    addEvidence(
                        to: .permission, PermissionProbes.anonymousOptions(analysis, options: head),
                        signs: [
                            Sign(
                                head.status == 401 ? "login-needed-everywhere" : "login-needed-for-method",
                                subject: analysis.context.method, value: String(head.status))
                        ])
                }
            case .anonymousOptions:
                capabilities["anonymousOptions"] = String(head.status)
                if head.status == 401 {
                    serverWide.append(
                        Finding(
                            cause: .client, likelihood: .medium,
                            signs: [Sign("options-needs-authentication", subject: analysis.context.requestPath, value: String(head.status))],
                            title: "OPTIONS needs authentication: Office, the Windows Mini-Redirector and CORS preflights fail before they log in",
                            resources: [analysis.context.requestPath],
                            evidence: [
                                "OPTIONS without credentials answered 401\(head.headers["WWW-Authenticate"].map { " (WWW-Authenticate: \($0))" } ?? "") (catalog PERM-03)"
                            ],
                            fixes: [
                                Fix(
                                    "Exempt OPTIONS from authentication for the share (Apache: <LimitExcept OPTIONS> around Require; nginx: limit_except OPTIONS)",
                                    .medium)
                            ]))
                }
            case .parentListing:
                guard head.status == 207, let listing = outcome.multistatus else {
                    if let finding = ParentProbes.relayedShareRootMissing(
                        analysis, parent: Href(probe.url).displayPath, head: head, subject: probe.subject)
                    {
                        demote(.path, in: &findings)
                        findings.insert(finding, at: 0)
                        continue
                    }
                    if let finding = ParentProbes.destinationParentMissing(
                        analysis, parent: Href(probe.url).displayPath, status: head.status, subject: probe.subject),
                        !findings.contains(where: { $0.signs.contains { $0.kind == "destination-parent-missing" } })
                    {
                        demote(.permission, in: &findings)
                        demote(.serverConfig, in: &findings)
                        findings.insert(finding, at: 0)
                        continue
                    }
                    if let finding = ParentProbes.unreadableParent(
                        analysis, parent: Href(probe.url).displayPath, status: head.status, subject: probe.subject)
                    {
                        demote(.path, in: &findings)
                        findings.append(finding)
                        continue
                    }
                    addEvidence(
                        to: .path, "\(Href(probe.url).displayPath) answered \(head.status) too: the missing part starts higher up",
                        subject: probe.subject)
                    continue
                }
                let listed = Href(probe.url).displayPath
                let names = listing.responses.compactMap { $0.href.map { Href($0).displayPath } }
                if let settled = ParentProbes.contradiction(analysis, parent: listed, listing: listing, subject: probe.subject) {
                    demote(.path, in: &findings)
                    for index in findings.indices where findings[index].cause == .path {
                        findings[index].prove(settled.text)
                        findings[index].signs.append(settled.sign)
                    }
                }
                if let finding = ParentProbes.putOnCollection(analysis, parent: listed, listing: listing, subject: probe.subject) {
                    ProbeInterpreter.demote(.serverConfig, in: &findings)
                    ProbeInterpreter.demote(.permission, in: &findings)
                    findings.insert(finding, at: 0)
                }
                if let finding = ParentProbes.multigetListed(analysis, parent: listed, listing: listing, subject: probe.subject) {
                    if !findings.contains(where: { $0.signs.contains { $0.kind == "multiget-href-listed" } }) {
                        demote(.path, in: &findings)
                        findings.append(finding)
                    } else if let index = findings.firstIndex(where: { $0.signs.contains { $0.kind == "multiget-href-listed" } }) {
                        findings[index].resources.append(probe.subject)
                        findings[index].resourceCount += 1
                    }
                }
                let index = NearMatchIndex(Set(names))
                var text = "nearest existing parent of \(probe.subject): \(listed) (\(max(0, names.count - 1)) members)"
                var signs = [Sign("nearest-parent", subject: probe.subject, value: listed)]
                // Compare the missing path's first missing segment under this parent.
                let missingUnder = firstSegment(of: probe.subject, below: listed)
                if let near = index.near(missingUnder) {
                    text += "; \(NearMatchIndex.hint(near))"
                    signs.append(near)
                } else {
                    text += "; no member is named like \(URLPath.lastSegment(of: missingUnder))"
                }
                addEvidence(to: .path, text, subject: probe.subject, signs: signs)
            case .anonymousRepeat:
                addEvidence(
                    to: .permission, PermissionProbes.anonymousRepeat(analysis, anonymous: head.status),
                    signs: PermissionProbes.refusalKind(analysis, anonymous: head.status).map { [$0] } ?? [])
            case .secondUserRepeat:
                let accounts = PermissionProbes.Accounts(user: options.userName, second: options.secondUserName)
                let comparison = PermissionProbes.secondUserRepeat(analysis, other: head, listing: outcome.multistatus, accounts: accounts)
                if findings.contains(where: { $0.cause == .permission }) || comparison.subtrees.isEmpty {
                    for text in comparison.evidence { addEvidence(to: .permission, text) }
                    if let index = findings.firstIndex(where: { $0.cause == .permission }) { findings[index].signs += comparison.signs }
                } else {
                    // The request itself went through: the difference is the finding (a server that hides what an account may not read).
                    findings.append(
                        Finding(
                            cause: .permission, likelihood: .medium, signs: comparison.signs,
                            title: "\(accounts.user) and \(accounts.second) may read different subtrees: \(Wording.list(comparison.subtrees))",
                            resources: comparison.subtrees, evidence: comparison.evidence,
                            fixes: FixBook.permission(comparison.subtrees, status: comparison.refusal ?? 403, server: analysis.server.kind)))
                }
            case .lockDiscovery:
                guard let listing = outcome.multistatus, let response = listing.responses.first,
                    let discovery = response.value(of: DAV.lockdiscovery)
                else {
                    addEvidence(
                        to: .lock, "PROPFIND lockdiscovery on \(probe.subject) answered \(head.status)", subject: probe.subject,
                        signs: [Sign("lockdiscovery-unreadable", subject: probe.subject, value: String(head.status))])
                    continue
                }
                let locks = discovery.element.children(named: DAV.activelock)
                if locks.isEmpty {
                    addEvidence(
                        to: .lock, "\(probe.subject) shows no active lock now (it expired or was released; retry the operation)",
                        subject: probe.subject,
                        signs: [Sign("lock-gone", subject: probe.subject)])
                }
                let submitted = Set(analysis.context.request.headers["If"].flatMap(IfHeader.init(headerValue:))?.submittedTokens ?? [])
                for lock in locks {
                    let description = LockDescription(lock)
                    addEvidence(
                        to: .lock, "lock on \(description.root ?? probe.subject): \(description.summary)", subject: probe.subject,
                        signs: [Sign("lock-held", subject: description.root ?? probe.subject, value: description.owner)]
                            + (description.looksStale ? [Sign("lock-looks-stale", subject: description.root ?? probe.subject)] : []))
                    if let token = description.token, submitted.contains(token), analysis.head?.status == 423,
                        let dropped = LockHeaderArrival.ifDropped(description, options: options, request: analysis.context.request)
                    {
                        findings.append(
                            LockHeaderArrival.finding(header: "If", token: token, path: probe.subject, evidence: dropped, head: analysis.head))
                        demote(.lock, in: &findings)
                    } else if let token = description.token, submitted.contains(token), analysis.head?.status == 423 {
                        addEvidence(
                            to: .lock,
                            "the token the request submitted is this lock's own, and still the server refuses: the lock belongs to another user (owner \((description.owner?.isEmpty ?? true) ? "not given" : description.owner!)), and a token works only for whoever took the lock (RFC 4918 §6.4)\(ProxyRule.proxyHeaders(analysis.head).isEmpty ? "" : "; a proxy in between that drops the If header would look the same from here")",
                            subject: probe.subject,
                            signs: [
                                Sign(
                                    "token-of-another-users-lock", subject: description.root ?? probe.subject,
                                    value: description.owner)
                            ])
                    }
                    if analysis.context.method == "UNLOCK", let token = description.token,
                        analysis.context.request.headers["Lock-Token"].map({
                            $0.trimmingASCIIWhitespace().trimmingCharacters(of: "<").trimmingCharacters(of: ">") == token
                        }) == true
                    {
                        findings.append(
                            LockHeaderArrival.finding(
                                header: "Lock-Token", token: token, path: probe.subject,
                                evidence:
                                    "the Lock-Token the UNLOCK sent is exactly the token lockdiscovery shows on \(probe.subject), yet the server refused it (\(analysis.head?.status ?? 0)): it never saw the header",
                                head: analysis.head))
                        demote(.lock, in: &findings)
                    }
                    if let token = description.token, !submitted.contains(token) {
                        let target =
                            analysis.context.request.url.isEmpty
                            ? probe.url
                            : (ProbePlanner.originOf(analysis.context.request.url) ?? "") + URLPath.encode(description.root ?? probe.subject)
                        addEvidence(
                            to: .lock, proof: false,
                            "to clear it (not sent): curl -X UNLOCK -H 'Lock-Token: <\(token)>' '\(target)'  — or send the request with If: (<\(token)>)",
                            subject: probe.subject,
                            signs: [Sign("unlock-command", subject: target, value: token)])
                    }
                }
            case .depthZero:
                if let finding = ParentProbes.unreadableInside(analysis, depthZero: head.status) {
                    demote(.serverConfig, in: &findings)
                    demote(.path, in: &findings)
                    findings.append(finding)
                }
            case .depthOne:
                if head.status == 207 {
                    if let index = findings.firstIndex(where: { $0.cause == .serverConfig }) {
                        findings[index].likelihood = .high
                        findings[index].prove("the same PROPFIND with Depth: 1 answers 207: only Depth infinity is refused")
                        findings[index].signs.append(Sign("depth-one-works", subject: analysis.context.requestPath, value: "207"))
                        // Proven: it leads; a cache that kept the refusal only repeats it.
                        findings.insert(findings.remove(at: index), at: 0)
                        for other in findings.indices where findings[other].cause == .cache && findings[other].likelihood == .high {
                            findings[other].likelihood = .medium
                        }
                    } else if analysis.head?.status == 403 {
                        // The refusal came from a cache, so no rule read it: the server's own answer now says what it was.
                        for other in findings.indices where findings[other].cause == .cache && findings[other].likelihood == .high {
                            findings[other].likelihood = .medium
                        }
                        var refusal = Finding(
                            cause: .serverConfig, likelihood: .high, signs: [Sign("depth-infinity-refused", subject: analysis.context.requestPath)],
                            title: "the server refuses Depth: infinity for \(analysis.context.requestPath)",
                            resources: [analysis.context.requestPath],
                            evidence: [
                                "the PROPFIND with Depth: infinity answered 403, and the same PROPFIND with Depth: 1 answers 207: only Depth infinity is refused (RFC 4918 §9.1)"
                            ],
                            fixes: FixBook.depthInfinity(server: analysis.server.kind), status: 403)
                        refusal.because = refusal.evidence[0]
                        findings.insert(refusal, at: 0)
                    }
                    findings.removeAll { $0.cause == .permission && $0.likelihood == .low }
                } else if head.status == 401 || head.status == 403 {
                    for index in findings.indices where findings[index].cause == .serverConfig { findings[index].likelihood = .low }
                    if let index = findings.firstIndex(where: { $0.cause == .permission }) {
                        findings[index].likelihood = .high
                        findings[index].prove("Depth: 1 is refused as well (\(head.status)): the resource itself is forbidden, not the depth")
                    } else {
                        findings.append(
                            Finding(
                                cause: .permission, likelihood: .high, title: "\(analysis.context.requestPath) is forbidden at any depth",
                                resources: [analysis.context.requestPath], evidence: ["Depth: 1 answers \(head.status) too"],
                                fixes: FixBook.permission([analysis.context.requestPath], status: head.status, server: analysis.server.kind)))
                    }
                }
            case .cacheBusting:
                guard let again = outcome.multistatus else { continue }
                let before = Dictionary(
                    (analysis.collector?.records ?? []).map { (URLPath.withoutTrailingSlash($0.path), $0) }, uniquingKeysWith: { a, _ in a })
                var changed: [String] = []
                for response in again.responses {
                    guard let href = response.href else { continue }
                    let path = URLPath.withoutTrailingSlash(Href(href).displayPath)
                    guard let old = before[path] else { continue }
                    let etag = response.value(of: DAV.getetag)?.text
                    let date = response.value(of: DAV.getlastmodified)?.text
                    // Apache marks an ETag weak while its file is less than a second old: W/"x" turning into "x" is no change.
                    let etagChanged =
                        old.etag.flatMap { before in etag.map { normalizeETag($0) != normalizeETag(before) && before.hasNonWhitespace } } ?? false
                    let dateChanged = old.lastModified.map { before in date.map { $0 != before && before.hasNonWhitespace } ?? false } ?? false
                    if etagChanged || dateChanged {
                        changed.append(path)
                    }
                }
                let cacheHeaders = ProxyRule.proxyHeaders(head) + (head.headers["Cache-Control"].map { ["Cache-Control: \($0)"] } ?? [])
                if !changed.isEmpty {
                    findings.append(
                        Finding(
                            cause: .cache, likelihood: cacheHeaders.isEmpty ? .medium : .high,
                            signs: changed.prefix(50).map { Sign("validator-changed", subject: $0) },
                            title: "\(Wording.resources(changed.count)) changed ETag or date between two identical PROPFINDs",
                            resources: Array(changed.prefix(50)), resourceCount: changed.count,
                            evidence: [
                                "asked again with Cache-Control: no-cache, \(changed.first!) and others report another getetag or getlastmodified: a cache served stale metadata, or the server's ETags are unstable (catalog CACHE-01, CACHE-03)"
                            ], seen: cacheHeaders,
                            fixes: [
                                Fix("Bypass caches for WebDAV methods and paths; send Cache-Control: no-store on DAV answers", .medium),
                                Fix("If nothing caches, make the server compute ETags from committed content, not from a changing mtime", .hard),
                            ]))
                }
            case .serverCopy:
                if let finding = StaleRead.finding(analysis, probe: outcome) { findings.append(finding) }
            case .writeSpace:
                if let finding = WriteProbes.space(analysis, outcome: outcome, findings: &findings) { findings.append(finding) }
            case .writeEffect:
                if let finding = WriteProbes.effect(analysis, head: head) { findings.append(finding) }
            case .propertyEffect:
                if let finding = PropertyEffect.finding(analysis, readBack: outcome, space: outcomes.first { $0.probe.kind == .writeSpace }) {
                    findings.append(finding)
                }
            case .head where head.status == 404 || head.status == 410:
                // A member the listing names is not there. In an otherwise healthy listing, the listing came from a
                // cache or an index that lags; where the hrefs are already at fault, it shows what that costs.
                guard initial.findings.isEmpty else {
                    if !findings.isEmpty {
                        findings[0].prove(
                            "HEAD of the href \(probe.subject) as listed answers \(Wording.status(head.status)): a client following it fails")
                    }
                    continue
                }
                findings.append(
                    Finding(
                        cause: .cache, likelihood: .high, title: "the listing names \(probe.subject), which is gone (\(head.status))",
                        resources: [probe.subject],
                        evidence: ["PROPFIND listed \(probe.subject), but HEAD of it answers \(Wording.status(head.status)): the listing is stale"],
                        seen: ProxyRule.proxyHeaders(analysis.head) + (CacheRule.cacheHit(analysis.head ?? ResponseHead(status: 0)) ?? []),
                        fixes: [
                            Fix(
                                "Stop caching PROPFIND answers in front of the server (Varnish, nginx proxy_cache, a CDN), or lower the server's own directory cache time (rclone --dir-cache-time)",
                                .medium)
                        ]))
            case .head:
                guard head.status == 200,
                    let record = analysis.collector?.records.first(where: {
                        URLPath.withoutTrailingSlash($0.path) == URLPath.withoutTrailingSlash(probe.subject)
                    })
                else { continue }
                var mismatches: [String] = []
                var signs: [Sign] = []
                // A propname answer names getetag with no value: nothing to compare.
                if let etag = head.headers["ETag"], let propfind = record.etag, propfind.hasNonWhitespace,
                    normalizeETag(etag) != normalizeETag(propfind)
                {
                    mismatches.append("ETag \(etag) vs getetag \(propfind)")
                    signs.append(Sign("head-etag-differs", subject: probe.subject, value: etag))
                }
                if let length = head.headers["Content-Length"], let propfind = record.contentLength, propfind.hasNonWhitespace,
                    length != propfind.trimmingASCIIWhitespace()
                {
                    mismatches.append("Content-Length \(length) vs getcontentlength \(propfind)")
                    signs.append(Sign("head-length-differs", subject: probe.subject, value: length))
                }
                if !mismatches.isEmpty {
                    findings.append(
                        Finding(
                            cause: .cache, likelihood: .medium, signs: signs, title: "HEAD and PROPFIND disagree about \(probe.subject)",
                            resources: [probe.subject],
                            evidence: mismatches.map { "HEAD says \($0)" } + [
                                "clients that compare them see a change that did not happen, or miss one (catalog CACHE-03)"
                            ],
                            fixes: [
                                Fix(
                                    "Make the server report the same validator in getetag as in the ETag header (same quoting, same weak/strong form)",
                                    .medium)
                            ]))
                }
            case .reportTarget:
                ReportProbes.judgeTarget(analysis, outcome: outcome, findings: &findings, notes: &analysis.notes)
            case .homeSets:
                ReportProbes.judgeHomes(outcome, findings: &findings, notes: &analysis.notes)
            case .wellKnown:
                ReportProbes.judgeWellKnown(analysis, outcome: outcome, findings: &findings, notes: &analysis.notes)
            case .cachedRepeat, .pastCache:
                continue  // read together after the loop (CachedListing)
            case .scratchCreate, .scratchPut, .destinationCopy, .destinationMove, .mkcolWithoutSlash, .scratchDelete,
                .scratchFilePut, .scratchFileDelete, .agreementPut, .agreementProperty, .agreementLock, .agreementRead, .agreementUnlock,
                .rootOptions, .missingPath, .quotaProperties,
                .lockTargetPut, .lockDirect, .ifThroughProxy, .ifDirect, .lockTokenThroughProxy, .lockTokenDirect:
                continue  // ScratchWrites and ClientProfiles read these, after the investigation
            }
        }
        CachedListing.judge(
            analysis, cached: outcomes.first { $0.probe.kind == .cachedRepeat }, fresh: outcomes.first { $0.probe.kind == .pastCache },
            findings: &findings, notes: &analysis.notes, noteSigns: &analysis.noteSigns)
        // A healthy answer stays healthy: what OPTIONS showed about the server in general (no DAV header on a
        // static path, OPTIONS behind a login) is said as a note, unless the request was OPTIONS itself.
        // (or one whose only finding a probe took back: a cached listing the server still gives word for word)
        let healthy = (initial.findings.isEmpty || findings.isEmpty) && (initial.status.map { (200..<300).contains($0) } ?? false)
        if healthy, analysis.context.method != "OPTIONS" {
            for finding in serverWide { analysis.notes.append("also seen: \(finding.title) (\(finding.evidence.first ?? ""))") }
        } else {
            findings += serverWide
        }
        analysis.findings = findings.rankedByLikelihood()
        return CheckResult(analysis: analysis, probes: outcomes, capabilities: capabilities)
    }

    /// Lowers every finding of `cause` below the one a probe has just proved.
    static func demote(_ cause: Cause, in findings: inout [Finding]) {
        for index in findings.indices where findings[index].cause == cause { findings[index].likelihood = .low }
    }

    /// `"abc"` and `abc` and `W/"abc"` compare equal here: servers quote inconsistently (WsgiDAV).
    static func normalizeETag(_ etag: String) -> String {
        var value = etag.trimmingASCIIWhitespace()
        if value.hasPrefix("W/") { value.removeFirst(2) }
        return value.trimmingCharacters(of: "\"")
    }

    /// The path down to the first segment of `path` below `parent` (`/a/b/c`, `/a/` → `/a/b`).
    static func firstSegment(of path: String, below parent: String) -> String {
        let base = URLPath.withoutTrailingSlash(parent)
        let rest = path.dropFirst(base == "/" ? 1 : base.count + 1)
        let segment = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? String(rest)
        return (base == "/" ? "/" : base + "/") + segment
    }
}

/// The parts of an `<D:activelock>` a report shows.
struct LockDescription {
    var scope: String?
    var depth: String?
    var timeout: String?
    var owner: String?
    var token: String?
    var root: String?

    init(_ lock: XMLElement) {
        scope = lock.firstChild(DAV.lockscope)?.elements.first?.name.name
        depth = lock.firstChild(DAV.depth)?.text.trimmingASCIIWhitespace()
        timeout = lock.firstChild(DAV.timeout)?.text.trimmingASCIIWhitespace()
        owner = lock.firstChild(DAV.owner).map { $0.text.trimmingASCIIWhitespace() }
        token = lock.firstChild(DAV.locktoken)?.firstChild(DAV.href)?.text.trimmingASCIIWhitespace()
        root = lock.firstChild(DAV.lockroot)?.firstChild(DAV.href).map { Href($0.text.trimmingASCIIWhitespace()).displayPath }
    }

    /// A lock that never expires outlives the client that took it. A missing owner alone proves nothing:
    /// nginx and lighttpd never keep the owner a client sends.
    var looksStale: Bool {
        (timeout ?? "").lowercased() == "infinite"
    }

    var summary: String {
        var parts: [String] = []
        parts.append("\(scope ?? "?") lock")
        parts.append("depth \(depth ?? "?")")
        parts.append("timeout \(timeout ?? "?")")
        parts.append("owner \((owner?.isEmpty ?? true) ? "(none given)" : owner!)")
        if let token { parts.append("token \(token)") }
        if looksStale { parts.append("looks stale (it never expires: nobody but its owner's token can clear it)") }
        return parts.joined(separator: ", ")
    }
}

extension String {
    func trimmingCharacters(of character: Character) -> String {
        var value = Substring(self)
        while value.first == character { value.removeFirst() }
        while value.last == character { value.removeLast() }
        return String(value)
    }
}

/// A lock header that lockdiscovery proves never reached the server: the token sent is the lock's own and the
/// lock is this user's, yet the server answers as if no token came.
enum LockHeaderArrival {
    /// Why a 423 to the lock's own token means the If header was dropped, or nil when the lock may be another user's.
    static func ifDropped(_ lock: LockDescription, options: Investigation.Options, request: RequestInfo) -> String? {
        if request.headers["Authorization"] == nil, !options.hasCredentials {
            return
                "the request submitted this lock's own token and no one signed in (no credentials, so the lock cannot belong to someone else), yet the server answered 423: it never saw the If header"
        }
        if let user = options.userName, !user.isEmpty, let owner = lock.owner, owner.lowercased().contains(user.lowercased()) {
            return
                "the request submitted this lock's own token, and the lock's owner (\(owner)) is \(user), the user asking, yet the server answered 423: it never saw the If header"
        }
        return nil
    }

    static func finding(header: String, token: String, path: String, evidence: String, head: ResponseHead?) -> Finding {
        Finding(
            cause: .proxy, likelihood: .high, title: "the \(header) header never reached the server",
            resources: [path], evidence: [evidence, "\(header) carried \(token)"], seen: ProxyRule.proxyHeaders(head),
            fixes: FixBook.proxyDroppedHeaders([header]), status: head?.status)
    }
}
