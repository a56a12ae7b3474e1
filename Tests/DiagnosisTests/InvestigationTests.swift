import DAVCore
import DAVTesting
import Diagnosis
import Testing

/// The probe loop without a network: events in (outcomes), actions out (probes, then the result).
struct InvestigationTests {
    static func analysis(_ capture: String, method: String = "PROPFIND", url: String, depth: String? = "1") throws -> AnalysisResult {
        var reader = CaptureReader(bytes: Array(capture.utf8))
        return try Analysis.run(reader: &reader, request: RequestOverrides(method: method, url: url, depth: depth))
    }

    static func answer(_ status: Int, _ body: String = "", headers: [(String, String)] = []) -> ResponseHead {
        ResponseHead(status: status, reason: HTTPStatus.reason(for: status), headers: HTTPFields(headers))
    }

    static func probes(_ action: Investigation.Action) -> [Probe] {
        if case .send(let probes) = action { return probes }
        return []
    }

    @Test func missingResourceWalksUpToTheNearestParent() throws {
        let initial = try Self.analysis("HTTP/1.1 404 Not Found\r\n\r\n", url: "http://127.0.0.1:8080/docs/reports/q1.txt", depth: "0")
        var investigation = Investigation(initial: initial, options: .init())
        let first = Self.probes(investigation.start())
        #expect(first.map(\.kind) == [.serverOptions, .parentListing])
        #expect(first.allSatisfy { $0.isSafe })
        let listing = first[1]
        #expect(listing.url == "http://127.0.0.1:8080/docs/reports/")
        // /docs/reports/ is missing too: the investigation asks for /docs/.
        let next = Self.probes(
            investigation.receive([
                ProbeOutcome(probe: first[0], head: Self.answer(200, headers: [("DAV", "1, 2"), ("Allow", "OPTIONS, PROPFIND")])),
                ProbeOutcome(probe: listing, head: Self.answer(404)),
            ]))
        #expect(next.map(\.url) == ["http://127.0.0.1:8080/docs/"])
        let body =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/docs/</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response><D:response><D:href>/docs/Reports/</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>"#
        guard case .done(let result) = investigation.receive([ProbeOutcome(probe: next[0], head: Self.answer(207), body: Array(body.utf8))]) else {
            Issue.record("expected the investigation to end")
            return
        }
        let path = try #require(result.analysis.findings.first)
        #expect(path.cause == .path)
        #expect(path.sign("nearest-parent") == Sign("nearest-parent", subject: "/docs/reports/q1.txt", value: "/docs/"))
        #expect(path.sign("name-differs-in-case") == Sign("name-differs-in-case", subject: "/docs/reports", value: "/docs/Reports/"))
        #expect(result.capabilities["DAV"] == "1, 2")
    }

    @Test func depthOneSettlesAFiniteDepthRefusal() throws {
        let initial = try Self.analysis(
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n<p>nope</p>", url: "http://127.0.0.1:8080/docs/", depth: "infinity")
        var investigation = Investigation(initial: initial, options: .init())
        let probes = Self.probes(investigation.start())
        let depthOne = try #require(probes.first { $0.kind == .depthOne })
        #expect(depthOne.headers["Depth"] == "1")
        guard
            case .done(let result) = investigation.receive(
                probes.map { probe in
                    ProbeOutcome(
                        probe: probe, head: probe.kind == .depthOne ? Self.answer(207) : Self.answer(200, headers: [("DAV", "1,2")]),
                        body: probe.kind == .depthOne ? Array(#"<D:multistatus xmlns:D="DAV:"/>"#.utf8) : [])
                })
        else {
            Issue.record("expected done")
            return
        }
        #expect(result.analysis.findings.first?.cause == .serverConfig)
        #expect(result.analysis.findings.first?.likelihood == .high)
        #expect(!result.analysis.findings.contains { $0.cause == .permission })
    }

    @Test func forbiddenAtDepthOneTooIsPermission() throws {
        let initial = try Self.analysis(
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\n\r\n<p>nope</p>", url: "http://127.0.0.1:8080/docs/", depth: "infinity")
        var investigation = Investigation(initial: initial, options: .init())
        let probes = Self.probes(investigation.start())
        guard
            case .done(let result) = investigation.receive(
                probes.map { ProbeOutcome(probe: $0, head: Self.answer($0.kind == .depthOne ? 403 : 200)) })
        else {
            Issue.record("expected done")
            return
        }
        #expect(result.analysis.findings.first?.cause == .permission)
    }

    @Test func lockDiscoveryNamesOwnerAndPrintsTheUnlock() throws {
        let capture =
            "HTTP/1.1 207 Multi-Status\r\n\r\n"
            + #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/locks/held.txt</D:href><D:status>HTTP/1.1 423 Locked</D:status><D:error><D:lock-token-submitted><D:href>/locks/held.txt</D:href></D:lock-token-submitted></D:error></D:response></D:multistatus>"#
        let initial = try Self.analysis(capture, method: "DELETE", url: "http://127.0.0.1:8080/locks/", depth: nil)
        var investigation = Investigation(initial: initial, options: .init())
        let probes = Self.probes(investigation.start())
        let discovery = try #require(probes.first { $0.kind == .lockDiscovery })
        #expect(discovery.url == "http://127.0.0.1:8080/locks/held.txt")
        let body =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/locks/held.txt</D:href><D:propstat><D:prop><D:lockdiscovery><D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:exclusive/></D:lockscope><D:depth>0</D:depth><D:owner><D:href>mailto:alice@example.com</D:href></D:owner><D:timeout>Infinite</D:timeout><D:locktoken><D:href>opaquelocktoken:1234</D:href></D:locktoken><D:lockroot><D:href>/locks/held.txt</D:href></D:lockroot></D:activelock></D:lockdiscovery></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
        guard
            case .done(let result) = investigation.receive(
                probes.map {
                    ProbeOutcome(
                        probe: $0, head: Self.answer($0.kind == .lockDiscovery ? 207 : 200), body: $0.kind == .lockDiscovery ? Array(body.utf8) : [])
                })
        else {
            Issue.record("expected done")
            return
        }
        let lock = try #require(result.analysis.findings.first { $0.cause == .lock })
        #expect(lock.sign("lock-held") == Sign("lock-held", subject: "/locks/held.txt", value: "mailto:alice@example.com"))
        #expect(lock.sign("lock-looks-stale")?.subject == "/locks/held.txt")
        #expect(lock.sign("unlock-command") == Sign("unlock-command", subject: "http://127.0.0.1:8080/locks/held.txt", value: "opaquelocktoken:1234"))
    }

    @Test func anonymousRepeatTellsAuthenticationFromAuthorisation() throws {
        let initial = try Self.analysis("HTTP/1.1 403 Forbidden\r\n\r\n", url: "http://127.0.0.1:8080/secret/", depth: "1")
        var investigation = Investigation(initial: initial, options: .init(hasCredentials: true, hasSecondUser: true))
        let probes = Self.probes(investigation.start())
        #expect(Set(probes.map(\.kind)).isSuperset(of: [.anonymousRepeat, .secondUserRepeat, .anonymousOptions]))
        #expect(probes.first { $0.kind == .anonymousRepeat }?.identity == .anonymous)
        guard
            case .done(let result) = investigation.receive(
                probes.map { ProbeOutcome(probe: $0, head: Self.answer($0.kind == .anonymousRepeat || $0.kind == .anonymousOptions ? 401 : 403)) })
        else {
            Issue.record("expected done")
            return
        }
        let permission = try #require(result.analysis.findings.first { $0.cause == .permission })
        #expect(permission.sign("refusal-is-authorisation")?.value == "401")
        #expect(result.analysis.findings.contains { $0.cause == .client && $0.sign("options-needs-authentication")?.value == "401" })
    }

    /// `--as`: each account's refusals that the other may read collapse into the smallest subtrees, named
    /// with who may read them and the status the other got.
    @Test func secondUserRepeatNamesTheSmallestSubtreesThatDiffer() throws {
        func listing(_ entries: [(String, Int)]) -> String {
            #"<D:multistatus xmlns:D="DAV:">"#
                + entries.map { href, status in
                    "<D:response><D:href>\(href)</D:href><D:status>HTTP/1.1 \(status) \(HTTPStatus.reason(for: status))</D:status></D:response>"
                }.joined() + "</D:multistatus>"
        }
        let bob = listing([
            ("/secret/", 200), ("/secret/note.txt", 200), ("/secret/alice/", 403), ("/secret/alice/diary.txt", 403),
            ("/secret/alice/old/", 403), ("/secret/alice/old/2025.txt", 403), ("/secret/bob/", 200), ("/secret/bob/plan.txt", 200),
        ])
        let alice = listing([
            ("/secret/", 200), ("/secret/note.txt", 200), ("/secret/alice/", 200), ("/secret/alice/diary.txt", 200),
            ("/secret/alice/old/", 200), ("/secret/alice/old/2025.txt", 200), ("/secret/bob/", 403), ("/secret/bob/plan.txt", 403),
        ])
        let initial = try Self.analysis("HTTP/1.1 207 Multi-Status\r\n\r\n" + bob, url: "http://127.0.0.1:8080/secret/", depth: "infinity")
        var investigation = Investigation(
            initial: initial, options: .init(hasCredentials: true, hasSecondUser: true, userName: "bob", secondUserName: "alice"))
        let probes = Self.probes(investigation.start())
        guard
            case .done(let result) = investigation.receive(
                probes.map { probe in
                    switch probe.kind {
                    case .secondUserRepeat: ProbeOutcome(probe: probe, head: Self.answer(207), body: Array(alice.utf8))
                    case .anonymousRepeat: ProbeOutcome(probe: probe, head: Self.answer(401))
                    default: ProbeOutcome(probe: probe, head: Self.answer(200, headers: [("DAV", "1,2")]))
                    }
                })
        else {
            Issue.record("expected done")
            return
        }
        let permission = try #require(result.analysis.findings.first { $0.cause == .permission })
        let subtrees = permission.signs.filter { $0.kind.hasPrefix("subtree-") }
        #expect(
            subtrees == [
                Sign("subtree-refused-authorisation", subject: "/secret/alice/", value: "alice"),
                Sign("subtree-refused-authorisation", subject: "/secret/bob/", value: "bob"),
            ], "\(permission.signs)")
        #expect(permission.sign("refusal-is-authorisation")?.value == "401")
    }

    /// Beyond the user's own request nothing is written: a refused DELETE is repeated as a PROPFIND.
    @Test func aRefusedWriteIsRepeatedAsAPropfind() throws {
        let initial = try Self.analysis("HTTP/1.1 403 Forbidden\r\n\r\n", method: "DELETE", url: "http://127.0.0.1:8080/secret/alice/", depth: nil)
        var investigation = Investigation(initial: initial, options: .init(hasCredentials: true, hasSecondUser: true))
        let probes = Self.probes(investigation.start())
        let repeats = probes.filter { $0.kind == .anonymousRepeat || $0.kind == .secondUserRepeat }
        #expect(repeats.count == 2)
        #expect(repeats.allSatisfy { $0.method == "PROPFIND" && $0.headers["Depth"] == "0" })
        #expect(probes.allSatisfy { $0.isSafe }, "\(probes.map(\.method))")
    }

    /// 401 with the account and without it is authentication, not a rule about the account.
    @Test func refusedWithAndWithoutCredentialsIsAuthentication() throws {
        let initial = try Self.analysis(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n\r\n", url: "http://127.0.0.1:8080/secret/", depth: "1")
        var investigation = Investigation(
            initial: initial, options: .init(hasCredentials: true, hasSecondUser: true, userName: "bob", secondUserName: "alice"))
        let probes = Self.probes(investigation.start())
        guard
            case .done(let result) = investigation.receive(
                probes.map { probe in
                    probe.kind == .secondUserRepeat
                        ? ProbeOutcome(
                            probe: probe, head: Self.answer(207),
                            body: Array(
                                #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/secret/</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>"#
                                    .utf8))
                        : ProbeOutcome(probe: probe, head: Self.answer(401))
                })
        else {
            Issue.record("expected done")
            return
        }
        let permission = try #require(result.analysis.findings.first { $0.cause == .permission })
        #expect(permission.sign("refusal-is-authentication")?.value == "401", "\(permission.signs)")
        #expect(
            permission.sign("subtree-refused-authentication") == Sign("subtree-refused-authentication", subject: "/secret/", value: "alice"),
            "\(permission.signs)")
    }

    @Test func unstableETagsAreACacheFinding() throws {
        let first =
            "HTTP/1.1 207 Multi-Status\r\n\r\n"
            + #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/docs/a.txt</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag><D:getcontentlength>5</D:getcontentlength></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
        let initial = try Self.analysis(first, url: "http://127.0.0.1:8080/docs/a.txt", depth: "0")
        #expect(initial.findings.isEmpty)
        var investigation = Investigation(initial: initial, options: .init())
        let probes = Self.probes(investigation.start())
        let again =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/docs/a.txt</D:href><D:propstat><D:prop><D:getetag>"2"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
        guard
            case .done(let result) = investigation.receive(
                probes.map { probe in
                    switch probe.kind {
                    case .cacheBusting: ProbeOutcome(probe: probe, head: Self.answer(207, headers: [("Age", "30")]), body: Array(again.utf8))
                    case .head: ProbeOutcome(probe: probe, head: Self.answer(200, headers: [("ETag", "\"1\""), ("Content-Length", "7")]))
                    default: ProbeOutcome(probe: probe, head: Self.answer(200, headers: [("DAV", "1,2")]))
                    }
                })
        else {
            Issue.record("expected done")
            return
        }
        #expect(
            result.analysis.findings.contains {
                $0.cause == .cache && $0.likelihood == .high && $0.sign("validator-changed")?.subject == "/docs/a.txt"
            })
        #expect(
            result.analysis.findings.contains {
                $0.cause == .cache && $0.sign("head-length-differs") == Sign("head-length-differs", subject: "/docs/a.txt", value: "7")
            })
    }

    /// Apache answers W/"x" for a file modified within the last second and "x" after: not a change.
    @Test func anETagTurningStrongIsNoChange() throws {
        let first =
            "HTTP/1.1 207 Multi-Status\r\n\r\n"
            + #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/docs/a.txt</D:href><D:propstat><D:prop><D:getetag>W/"5-61"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
        let initial = try Self.analysis(first, url: "http://127.0.0.1:8080/docs/a.txt", depth: "0")
        var investigation = Investigation(initial: initial, options: .init())
        let probes = Self.probes(investigation.start())
        let again =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/docs/a.txt</D:href><D:propstat><D:prop><D:getetag>"5-61"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
        guard
            case .done(let result) = investigation.receive(
                probes.map { probe in
                    probe.kind == .cacheBusting
                        ? ProbeOutcome(probe: probe, head: Self.answer(207), body: Array(again.utf8))
                        : ProbeOutcome(probe: probe, head: Self.answer(200, headers: [("DAV", "1,2"), ("ETag", "\"5-61\"")]))
                })
        else {
            Issue.record("expected done")
            return
        }
        #expect(!result.analysis.findings.contains { $0.cause == .cache }, "\(result.analysis.findings.map(\.title))")
    }

    @Test func nothingToAskEndsAtOnce() throws {
        let initial = try Self.analysis(#"<D:multistatus xmlns:D="DAV:"/>"#, url: "", depth: "1")
        var investigation = Investigation(initial: initial, options: .init())
        if case .send = investigation.start() { Issue.record("no URL, so no probes") }
    }
}

/// The `--allow-writes` probes as data: where the scratch collection goes, the order of the steps, and
/// what their answers mean.
struct ScratchWritesTests {
    func outcome(_ probe: Probe, _ status: Int) -> ProbeOutcome {
        ProbeOutcome(probe: probe, head: ResponseHead(status: status, reason: "", headers: HTTPFields()))
    }

    @Test func scratchCollectionSitsBesideTheURLAndStepsStayInside() throws {
        let file = try #require(ScratchWrites(requestURL: "https://dav.example.com/team/report.txt", token: "t0k"))
        #expect(file.scratchURL == "https://dav.example.com/team/.davdoctor-scratch-t0k/")
        let steps = file.steps
        #expect(steps.map(\.method) == ["MKCOL", "PUT", "COPY", "MOVE", "MKCOL", "DELETE"])
        for step in steps {
            #expect(step.url.hasPrefix(file.scratchURL))
            if let destination = step.headers["Destination"] { #expect(destination.hasPrefix(file.scratchURL)) }
        }
        let collection = try #require(ScratchWrites(requestURL: "http://127.0.0.1:8080/docs/", token: "x"))
        #expect(collection.scratchURL == "http://127.0.0.1:8080/docs/.davdoctor-scratch-x/")
        #expect(ScratchWrites(requestURL: "/relative/", token: "x") == nil)
    }

    @Test func refusedDestinationIsTheProxy() throws {
        let writes = try #require(ScratchWrites(requestURL: "https://dav.example.com/docs/", token: "t"))
        let steps = writes.steps
        let (finding, _, notes) = writes.interpret(
            [outcome(steps[0], 201), outcome(steps[1], 201), outcome(steps[2], 502), outcome(steps[3], 502), outcome(steps[5], 204)], server: .apache)
        let proxy = try #require(finding)
        #expect(proxy.cause == .proxy)
        #expect(
            proxy.signs.filter { $0.kind == "destination-refused" } == [
                Sign("destination-refused", subject: "COPY", value: "502"), Sign("destination-refused", subject: "MOVE", value: "502"),
            ])
        #expect(proxy.sign("destination-tls-ends-at-proxy") != nil)
        #expect(proxy.fixes == FixBook.proxyDestination(server: .apache))
        #expect(notes == [Sign("scratch-removed", subject: "/docs/.davdoctor-scratch-t/")])
    }

    @Test func workingDestinationAndCleanupAreNotes() throws {
        let writes = try #require(ScratchWrites(requestURL: "http://127.0.0.1/docs/", token: "t"))
        let steps = writes.steps
        let (finding, _, notes) = writes.interpret(
            [outcome(steps[0], 201), outcome(steps[1], 201), outcome(steps[2], 201), outcome(steps[3], 201), outcome(steps[5], 500)], server: .nginx)
        #expect(finding == nil)
        #expect(notes.map(\.kind) == ["scratch-left-behind", "destination-intact"])
        #expect(notes.first?.value == "http://127.0.0.1/docs/.davdoctor-scratch-t/")
    }

    /// ProxyLockHeaders: refused through the proxy and accepted straight names the header; accepted both
    /// ways is a note; a lock that could not be taken stops the trial with a note.
    @Test func lockHeadersDroppedByTheProxyAreNamed() throws {
        let trial = ProxyLockHeaders(
            directScratch: "http://127.0.0.1:8080/docs/.davdoctor-scratch-t/", viaScratch: "https://dav.example.com/dav/docs/.davdoctor-scratch-t/")
        #expect(trial.setup.map(\.method) == ["PUT", "LOCK"])
        #expect(trial.setup.allSatisfy { $0.url == "http://127.0.0.1:8080/docs/.davdoctor-scratch-t/locked.txt" })
        let locked = ProbeOutcome(probe: trial.setup[1], head: ResponseHead(status: 200, headers: HTTPFields([("Lock-Token", "<urn:uuid:42>")])))
        #expect(ProxyLockHeaders.token(from: locked) == "urn:uuid:42")
        let trials = trial.trials(token: "urn:uuid:42")
        #expect(trials.map(\.method) == ["PUT", "PUT", "UNLOCK", "UNLOCK"])
        #expect(trials[0].headers["If"] == "(<urn:uuid:42>)" && trials[0].url.hasPrefix("https://dav.example.com/dav/"))
        #expect(trials[2].headers["Lock-Token"] == "<urn:uuid:42>" && trials[3].url.hasPrefix("http://127.0.0.1:8080/"))

        let setup = [outcome(trial.setup[0], 201), locked]
        let (dropped, _, _) = trial.interpret(
            setup + [outcome(trials[0], 423), outcome(trials[1], 204), outcome(trials[2], 400), outcome(trials[3], 204)])
        let finding = try #require(dropped)
        #expect(finding.cause == .proxy)
        #expect(finding.resources == ["/dav/docs/.davdoctor-scratch-t/locked.txt"])
        #expect(
            finding.signs == [
                Sign("proxy-drops-header", subject: "If", value: "423"), Sign("proxy-drops-header", subject: "Lock-Token", value: "400"),
            ])
        #expect(finding.fixes == FixBook.proxyDroppedHeaders(["If", "Lock-Token"]))

        let (onlyIf, _, _) = trial.interpret(
            setup + [outcome(trials[0], 412), outcome(trials[1], 204), outcome(trials[2], 204), outcome(trials[3], 409)])
        #expect(onlyIf?.signs.map(\.subject) == ["If"])
        let (none, _, notes) = trial.interpret(
            setup + [outcome(trials[0], 204), outcome(trials[1], 204), outcome(trials[2], 204), outcome(trials[3], 409)])
        #expect(none == nil)
        #expect(notes.map(\.kind) == ["lock-headers-pass"])
        // Refused both ways is the server's business, not the proxy's.
        #expect(
            trial.interpret(setup + [outcome(trials[0], 423), outcome(trials[1], 423), outcome(trials[2], 204), outcome(trials[3], 409)]).finding
                == nil)
        let (noLock, _, why) = trial.interpret([outcome(trial.setup[0], 201), outcome(trial.setup[1], 405)])
        #expect(noLock == nil)
        #expect(why == [Sign("lock-trial-not-run", subject: "LOCK", value: "405")])
    }

    @Test func refusedScratchCollectionStopsEverything() throws {
        let writes = try #require(ScratchWrites(requestURL: "http://127.0.0.1/docs/", token: "t"))
        let (finding, _, notes) = writes.interpret([outcome(writes.steps[0], 403)], server: .apache)
        #expect(finding == nil)
        #expect(notes == [Sign("scratch-not-created", subject: "/docs/.davdoctor-scratch-t/", value: "403")])
    }
}

/// ProxyComparison on two hand-made answers: what the proxy dropped shows in what came back.
struct ProxyComparisonTests {
    func side(_ url: String, status: Int, hrefs: [String], headers: [(String, String)] = []) throws -> ProxyComparison.Side {
        var body = #"<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:">"#
        for href in hrefs { body += "<D:response><D:href>\(href)</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>" }
        body += "</D:multistatus>"
        var fields = HTTPFields()
        fields.add("Content-Type", "application/xml; charset=utf-8")
        for (name, value) in headers { fields.add(name, value) }
        var session = AnalysisSession(
            request: RequestInfo(method: "PROPFIND", url: url, headers: HTTPFields()), head: ResponseHead(status: status, headers: fields),
            format: .live, sourceName: url)
        if status == 207 { try session.feed(Array(body.utf8)) }
        return ProxyComparison.Side(url: url, analysis: try session.finish(), bodyBytes: status == 207 ? body.utf8.count : 0)
    }

    @Test func droppedDepthAndAuthorizationAreNamed() throws {
        let direct = try side("http://backend:8080/docs/", status: 207, hrefs: ["/docs/", "/docs/a.txt", "/docs/b.txt"])
        let onlySelf = try side("http://proxy/docs/", status: 207, hrefs: ["/docs/"])
        let depth = ProxyComparison(direct: direct, via: onlySelf).findings()
        #expect(depth.contains { $0.resourceCount == 2 && $0.sign("proxy-misses-resources")?.value == "1" && $0.sign("proxy-drops-depth") != nil })

        let refused = try side("http://proxy/docs/", status: 401, hrefs: [], headers: [("WWW-Authenticate", "Basic realm=\"proxy\"")])
        let auth = ProxyComparison(direct: direct, via: refused).findings()
        #expect(auth.first?.sign("proxy-drops-authorization") != nil)
    }

    @Test func aFaithfulProxyShowsNothing() throws {
        let direct = try side("http://backend:8080/docs/", status: 207, hrefs: ["/docs/", "/docs/a.txt"])
        let via = try side("http://proxy/docs/", status: 207, hrefs: ["/docs/", "/docs/a.txt"])
        #expect(ProxyComparison(direct: direct, via: via).findings().isEmpty)
    }
}
