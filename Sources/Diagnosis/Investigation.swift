import DAVCore

/// The guide's diagnostic flow after the first answer, as a sans-I/O state machine: it looks at the
/// analysis, asks for follow-up ``Probe``s, takes their outcomes, asks again where one answer raises a new
/// question (a parent that is missing too), and finally returns the findings with the probes' evidence.
///
/// ```swift
/// var investigation = Investigation(initial: analysis, options: options)
/// var action = investigation.start()
/// while case .send(let probes) = action { action = investigation.receive(try await run(probes)) }
/// ```
///
/// It never writes: every probe it asks for is OPTIONS, PROPFIND or HEAD, or a repeat of a read.
public struct Investigation: Sendable {
    public struct Options: Sendable {
        /// The request carried credentials, so an anonymous repeat says something.
        public var hasCredentials: Bool
        /// A second user was given (`--as`).
        public var hasSecondUser: Bool
        /// At most this many probes of one kind (parents, lock roots, files for HEAD).
        public var limitPerKind: Int
        /// The two accounts' names, so the report can say which of them sees what.
        public var userName: String?
        public var secondUserName: String?

        public init(
            hasCredentials: Bool = false, hasSecondUser: Bool = false, limitPerKind: Int = 5, userName: String? = nil, secondUserName: String? = nil
        ) {
            self.hasCredentials = hasCredentials
            self.hasSecondUser = hasSecondUser
            self.limitPerKind = limitPerKind
            self.userName = userName
            self.secondUserName = secondUserName
        }
    }

    public enum Action: Sendable {
        case send([Probe])
        case done(CheckResult)
    }

    public let initial: AnalysisResult
    public let options: Options
    private var outcomes: [ProbeOutcome] = []
    private var nextID = 1
    private var rounds = 0

    public init(initial: AnalysisResult, options: Options) {
        self.initial = initial
        self.options = options
    }

    public mutating func start() -> Action {
        let probes = ProbePlanner.firstRound(initial, options: options, nextID: &nextID)
        return probes.isEmpty ? .done(conclude()) : .send(probes)
    }

    public mutating func receive(_ results: [ProbeOutcome]) -> Action {
        outcomes += results
        rounds += 1
        // Only parent listings lead to another round: walk up until a parent exists.
        guard rounds < 4 else { return .done(conclude()) }
        let next = ProbePlanner.followUps(results, initial: initial, nextID: &nextID)
        return next.isEmpty ? .done(conclude()) : .send(next)
    }

    /// Ends early (Ctrl-C, a transport failure): concludes with what the probes found so far.
    public func conclude() -> CheckResult {
        ProbeInterpreter.conclude(initial, outcomes: outcomes, options: options)
    }
}

/// The result of a live check: the analysis with the probes' evidence folded in, and the probes themselves.
public struct CheckResult: Sendable {
    public var analysis: AnalysisResult
    public var probes: [ProbeOutcome]
    /// What OPTIONS said of the server (`DAV`, `Allow`, `MS-Author-Via`, whether it needs credentials).
    public var capabilities: [String: String]
    /// With `--client`: each need of each client asked about, and the verdict.
    public var clientOutcomes: [ClientProfiles.Outcome] = []
}

/// Chooses probes from an analysis.
enum ProbePlanner {
    static func firstRound(_ analysis: AnalysisResult, options: Investigation.Options, nextID: inout Int) -> [Probe] {
        let context = analysis.context
        let url = context.request.url
        guard let origin = originOf(url) else { return [] }
        var probes: [Probe] = []
        func add(
            _ kind: Probe.Kind, _ purpose: String, method: String, url: String, headers: HTTPFields = HTTPFields(),
            body: [UInt8]? = nil, identity: Probe.Identity = .user, subject: String
        ) {
            guard !probes.contains(where: { $0.kind == kind && $0.url == url && $0.identity == identity }) else { return }
            probes.append(
                Probe(
                    id: nextID, kind: kind, purpose: purpose, method: method, url: url, headers: headers, body: body,
                    identity: identity, subject: subject))
            nextID += 1
        }
        add(
            .serverOptions, "ask the server what it supports (DAV classes, Allow, MS-Author-Via)", method: "OPTIONS", url: url,
            subject: context.requestPath)
        if options.hasCredentials {
            add(
                .anonymousOptions, "see whether a client can discover the server before authenticating", method: "OPTIONS", url: url,
                identity: .anonymous, subject: context.requestPath)
        }
        let failing = analysis.collector?.failing ?? []
        let top = analysis.head?.status
        // path: the nearest existing parent of each missing resource.
        var missing = failing.filter { $0.status == 404 || $0.status == 409 }.map(\.path)
        if top == 404 || top == 409 { missing.insert(context.requestPath, at: 0) }
        // MKCOL's 405 means "already exists" only when the parent lists it.
        if context.method == "MKCOL", top == 405 { missing.insert(context.requestPath, at: 0) }
        // PUT's 405 is often a PUT to the URL of a collection, which only the parent's listing shows.
        if context.method == "PUT", top == 405 { missing.insert(context.requestPath, at: 0) }
        // COPY and MOVE refused: servers answer a Destination whose folder is missing with 403 or 500 as well
        // as RFC 4918's 409; the listing of that folder says which.
        if ["COPY", "MOVE"].contains(context.method), let top, [403, 404, 409, 500].contains(top),
            let destination = ParentProbes.destinationPath(context)
        {
            missing.append(destination)
        }
        for path in uniqued(missing).prefix(options.limitPerKind) {
            let parent = URLPath.parent(of: path)
            add(
                .parentListing, "list \(parent) to find what is there instead of \(path)", method: "PROPFIND", url: origin + URLPath.encode(parent),
                headers: HTTPFields([("Depth", "1")]), body: allprop, subject: path)
        }
        // permission: who may see what. A write is never repeated: its repeat is a PROPFIND of the same URL.
        let refused = failing.contains { $0.status == 401 || $0.status == 403 } || top == 401 || top == 403
        var repeatHeaders = context.request.headers
        repeatHeaders.remove("Authorization")
        let reads = ["PROPFIND", "GET", "HEAD", "OPTIONS", "REPORT"].contains(context.method)
        let repeatMethod = reads ? context.method : "PROPFIND"
        let repeatBody = reads ? context.request.body : allprop
        if !reads { repeatHeaders = HTTPFields([("Depth", "0")]) }
        let asRead = reads ? "" : " (as a PROPFIND: check never repeats a write)"
        if refused, options.hasCredentials {
            add(
                .anonymousRepeat, "repeat the request without credentials\(asRead): authentication (401) or authorisation (403)?",
                method: repeatMethod, url: url, headers: repeatHeaders, body: repeatBody, identity: .anonymous, subject: context.requestPath)
        }
        // With --as always: a server may hide what an account may not read instead of refusing it.
        if options.hasSecondUser {
            add(
                .secondUserRepeat, "repeat the request as the second user\(asRead), to find the subtrees that differ",
                method: repeatMethod, url: url, headers: repeatHeaders, body: repeatBody, identity: .secondUser, subject: context.requestPath)
        }
        // lock: who holds it.
        var lockRoots = failing.filter { $0.status == 423 }.flatMap {
            $0.conditionHrefs.isEmpty ? [$0.path] : $0.conditionHrefs.map { Href($0).displayPath }
        }
        if top == 423 || top == 412 || (context.method == "UNLOCK" && (top == 400 || top == 409)) { lockRoots.insert(context.requestPath, at: 0) }
        for root in uniqued(lockRoots).prefix(options.limitPerKind) {
            add(
                .lockDiscovery, "read the lock on \(root): owner, scope, depth, timeout, token", method: "PROPFIND",
                url: origin + URLPath.encode(root),
                headers: HTTPFields([("Depth", "0")]), body: lockDiscoveryBody, subject: root)
        }
        // server-config: is it Depth infinity that is refused, or the resource?
        let infinityRefused =
            top == 403 && context.method == "PROPFIND" && context.depth == .infinity
            || failing.contains { $0.conditions.contains(DAV.propfindFiniteDepth.description) }
        if infinityRefused {
            var headers = context.request.headers
            headers.set("Depth", "1")
            add(
                .depthOne, "ask the same with Depth: 1 to tell a finite-depth refusal from a forbidden resource",
                method: "PROPFIND", url: url, headers: headers, body: context.request.body, subject: context.requestPath)
        }
        // permission on disk: a listing that fails with a bare 500 while the collection itself can be read.
        if context.method == "PROPFIND", top == 500, context.depth != .zero {
            var headers = context.request.headers
            headers.set("Depth", "0")
            add(
                .depthZero, "ask the same with Depth: 0: can the collection itself be read, only not its members?",
                method: "PROPFIND", url: url, headers: headers, body: context.request.body, subject: context.requestPath)
        }
        // cache: a listing a shared cache answered, compared with what the server answers past the cache. The
        // repeat goes first: a cache that honours no-cache stores the fresh answer it fetches.
        if CachedListing.applies(analysis) {
            add(
                .cachedRepeat, "repeat the \(context.method) as sent: the cache answers it again", method: context.method, url: url,
                headers: context.request.headers, body: context.request.body, subject: context.requestPath)
            var headers = context.request.headers
            headers.set("Cache-Control", "no-cache")
            headers.set("Pragma", "no-cache")
            let token = String(UInt32.random(in: 0...UInt32.max), radix: 36)
            add(
                .pastCache, "the same \(context.method) with a query string no cache holds: the server's own answer now", method: context.method,
                url: CachedListing.pastCacheURL(url, token: token), headers: headers, body: context.request.body, subject: context.requestPath)
        }
        // cache: does the answer change when caches are told to stand aside?
        if context.method == "PROPFIND", top == 207 || top == nil {
            var headers = context.request.headers
            headers.set("Cache-Control", "no-cache")
            headers.set("Pragma", "no-cache")
            add(
                .cacheBusting, "repeat the PROPFIND past any cache and compare ETags and dates", method: "PROPFIND", url: url,
                headers: headers, body: context.request.body, subject: context.requestPath)
            let files = (analysis.collector?.records ?? []).filter { !$0.isCollection && $0.status == 200 && $0.etag != nil }
            for file in files.prefix(3) {
                add(
                    .head, "compare HEAD's ETag and length for \(file.path) with PROPFIND's", method: "HEAD", url: origin + URLPath.encode(file.path),
                    subject: file.path)
            }
        }
        // cache: a read answered from a cache looks healthy; PROPFIND, which no HTTP cache keeps, says what the server holds.
        if ["GET", "HEAD"].contains(context.method), let top, (200..<300).contains(top), top != 206 {
            add(
                .serverCopy, "PROPFIND \(context.requestPath) (no HTTP cache keeps a PROPFIND) and compare with what the \(context.method) was given",
                method: "PROPFIND", url: url, headers: HTTPFields([("Depth", "0")]), body: StaleRead.body, subject: context.requestPath)
        }
        // REPORT: what the target is and offers, and where discovery leads.
        if context.method == "REPORT" {
            add(
                .reportTarget,
                "PROPFIND \(context.requestPath): is it the kind of collection the report is defined on, and does it offer the report?",
                method: "PROPFIND", url: url, headers: HTTPFields([("Depth", "0")]), body: ReportProbes.targetBody, subject: context.requestPath)
            if let wellKnown = ReportProbes.wellKnownPath(context.report?.kind ?? analysis.collector?.report.kind) {
                add(
                    .wellKnown, "GET \(wellKnown), not followed: where RFC 6764 discovery sends a client", method: "GET", url: origin + wellKnown,
                    subject: wellKnown)
            }
        }
        // storage and read-only shares: after a write, how much room is left where it went, and whether it took.
        if StatusRule.writeMethods.contains(context.method), context.method != "UNLOCK", let top {
            let target =
                ["COPY", "MOVE"].contains(context.method)
                ? context.request.headers["Destination"].map { Href($0).displayPath } ?? context.requestPath : context.requestPath
            let collection = URLPath.parent(of: URLPath.withoutTrailingSlash(target))
            if top >= 400 || top == 207 || context.method == "PUT" {
                add(
                    .writeSpace, "read the free space (RFC 4331 quota) of \(collection), where the write went", method: "PROPFIND",
                    url: origin + URLPath.encode(collection), headers: HTTPFields([("Depth", "0")]), body: quotaBody, subject: target)
            }
            if PropertyEffect.claimedSuccess(analysis), case let changes = PropertyEffect.changes(context.request.body), !changes.isEmpty {
                add(
                    .propertyEffect, "PROPFIND the properties the PROPPATCH set, to see whether the server kept them", method: "PROPFIND",
                    url: url, headers: HTTPFields([("Depth", "0")]), body: PropertyEffect.readBack(changes), subject: context.requestPath)
            }
            if (200..<300).contains(top), context.method == "PUT" || context.method == "DELETE" {
                add(
                    .writeEffect, "HEAD \(target) to see whether the \(context.method) took effect", method: "HEAD",
                    url: origin + URLPath.encode(target), subject: target)
            }
            // A collection is asked with PROPFIND: many servers have no page for the GET or HEAD of one (404).
            if (200..<300).contains(top), context.method == "MKCOL" || context.method == "MKCALENDAR" {
                add(
                    .writeEffect, "PROPFIND \(target) to see whether the \(context.method) took effect", method: "PROPFIND",
                    url: origin + URLPath.encode(target), headers: HTTPFields([("Depth", "0")]), body: allprop, subject: target)
            }
        }
        return probes
    }

    static let quotaBody = Array(
        #"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>"#
            .utf8)

    /// Parent listings that found no parent ask for the next one up.
    static func followUps(_ results: [ProbeOutcome], initial: AnalysisResult, nextID: inout Int) -> [Probe] {
        guard let origin = originOf(initial.context.request.url) else { return [] }
        var probes: [Probe] = []
        for outcome in results where outcome.probe.kind == .reportTarget {
            // The principal the request ran as names where the calendars and address books are.
            guard let principal = ReportProbes.Target(outcome)?.principal else { continue }
            let path = Href(principal).displayPath
            probes.append(
                Probe(
                    id: nextID, kind: .homeSets, purpose: "PROPFIND the principal \(path) for its calendar and address book homes",
                    method: "PROPFIND", url: origin + URLPath.encode(path), headers: HTTPFields([("Depth", "0")]),
                    body: ReportProbes.homeSetsBody, subject: path))
            nextID += 1
        }
        for outcome in results where outcome.probe.kind == .parentListing && (outcome.head?.status == 404 || outcome.head?.status == 409) {
            let listed = Href(outcome.probe.url).displayPath
            guard URLPath.withoutTrailingSlash(listed) != "/" else { continue }
            let parent = URLPath.parent(of: listed)
            probes.append(
                Probe(
                    id: nextID, kind: .parentListing, purpose: "\(listed) is missing too: list \(parent)", method: "PROPFIND",
                    url: origin + URLPath.encode(parent), headers: HTTPFields([("Depth", "1")]), body: allprop, subject: outcome.probe.subject))
            nextID += 1
        }
        return probes
    }

    static func originOf(_ url: String) -> String? {
        let href = Href(url)
        guard let scheme = href.scheme, let authority = href.authority else { return nil }
        return scheme + "://" + authority
    }

    static func uniqued(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    static let allprop = Array(
        #"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getetag/></D:prop></D:propfind>"#.utf8)
    static let lockDiscoveryBody = Array(
        #"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/><D:supportedlock/></D:prop></D:propfind>"#.utf8)
}
