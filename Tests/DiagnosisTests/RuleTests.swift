import DAVCore
import Diagnosis
import Testing

/// The rules on small, hand-made answers: one behaviour each.
struct RuleTests {
    static func analyze(
        _ body: String, method: String = "PROPFIND", url: String = "http://127.0.0.1:8080/docs/", depth: String? = "1",
        status: Int? = 207, headers: [(String, String)] = [], requestHeaders: [(String, String)] = []
    ) throws -> AnalysisResult {
        var capture = ""
        if let status {
            capture = "HTTP/1.1 \(status) \(HTTPStatus.reason(for: status))\r\n"
            for (name, value) in headers { capture += "\(name): \(value)\r\n" }
            capture += "\r\n"
        }
        var reader = CaptureReader(bytes: Array((capture + body).utf8))
        return try Analysis.run(reader: &reader, request: RequestOverrides(method: method, url: url, depth: depth, headers: requestHeaders))
    }

    static func multistatus(_ responses: [(String, Int)]) -> String {
        "<D:multistatus xmlns:D=\"DAV:\">"
            + responses.map { href, code in
                "<D:response><D:href>\(href)</D:href><D:status>HTTP/1.1 \(code) \(HTTPStatus.reason(for: code))</D:status></D:response>"
            }.joined() + "</D:multistatus>"
    }

    @Test func allSuccessGivesNoFinding() throws {
        let result = try Self.analyze(Self.multistatus([("/docs/", 200), ("/docs/a", 200)]))
        #expect(result.findings.isEmpty)
    }

    @Test func forbiddenSubtreeIsCollapsed() throws {
        let body =
            "<D:multistatus xmlns:D=\"DAV:\">"
            + "<D:response><D:href>/docs/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
            + "<D:response><D:href>/docs/private/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat></D:response>"
            + "<D:response><D:href>/docs/private/a</D:href><D:status>HTTP/1.1 403 Forbidden</D:status></D:response>"
            + "<D:response><D:href>/docs/private/b</D:href><D:status>HTTP/1.1 403 Forbidden</D:status></D:response>"
            + "<D:response><D:href>/docs/open</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response>"
            + "</D:multistatus>"
        let result = try Self.analyze(body, depth: "infinity")
        let permission = try #require(result.findings.first)
        #expect(permission.cause == .permission)
        #expect(permission.resources == ["/docs/private/"])
        #expect(permission.resourceCount == 3)
    }

    @Test func absentPropertyIsNotAFault() throws {
        let body =
            "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/docs/</D:href>"
            + "<D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
            + "<D:propstat><D:prop><x:author xmlns:x=\"urn:x\"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>"
        let result = try Self.analyze(body, depth: "0")
        #expect(result.findings.isEmpty)
        #expect(result.noteSigns == [Sign("absent-properties", value: "1")])
    }

    @Test func missingResourceReportedThroughPropstatsIsAPath() throws {
        let body =
            "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/docs/gone</D:href>"
            + "<D:propstat><D:prop><D:resourcetype/><D:getetag/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>"
        let result = try Self.analyze(body, url: "http://127.0.0.1:8080/docs/gone", depth: "0")
        #expect(result.findings.first?.cause == .path)
    }

    @Test func lockedMemberAndItsDependency() throws {
        let body =
            "<D:multistatus xmlns:D=\"DAV:\">"
            + "<D:response><D:href>/docs/</D:href><D:status>HTTP/1.1 424 Failed Dependency</D:status></D:response>"
            + "<D:response><D:href>/docs/held.txt</D:href><D:status>HTTP/1.1 423 Locked</D:status>"
            + "<D:error><D:lock-token-submitted><D:href>/docs/held.txt</D:href></D:lock-token-submitted></D:error></D:response></D:multistatus>"
        let result = try Self.analyze(body, method: "DELETE", depth: nil)
        let lock = try #require(result.findings.first)
        #expect(lock.cause == .lock)
        #expect(lock.likelihood == .high)
        #expect(lock.resources == ["/docs/held.txt"])
        #expect(lock.sign("failed-dependency") == Sign("failed-dependency", subject: "/docs/", value: "/docs/held.txt"))
        #expect(!result.findings.contains { $0.status == 424 })
    }

    @Test func foreignHostInHrefsIsTheProxy() throws {
        let result = try Self.analyze(
            Self.multistatus([("http://backend:8080/docs/", 200), ("http://backend:8080/docs/a", 200)]),
            url: "https://files.example.com/docs/")
        let proxy = try #require(result.findings.first)
        #expect(proxy.cause == .proxy)
        #expect(proxy.sign("href-scheme-differs") == Sign("href-scheme-differs", subject: "https", value: "http"))
        #expect(proxy.sign("href-host-differs") == Sign("href-host-differs", subject: "files.example.com", value: "backend"))
    }

    @Test func strippedPrefixIsTheProxy() throws {
        let result = try Self.analyze(Self.multistatus([("/docs/", 200), ("/docs/a", 200)]), url: "http://127.0.0.1:8080/dav/docs/")
        let proxy = try #require(result.findings.first)
        #expect(proxy.cause == .proxy)
        #expect(proxy.sign("hrefs-lack-prefix")?.value == "/dav")
    }

    @Test func tooDeepForDepthOneIsAPath() throws {
        let result = try Self.analyze(Self.multistatus([("/docs/", 200), ("/docs/a/", 200), ("/docs/a/b", 200)]))
        #expect(result.findings.first?.cause == .path)
        #expect(result.findings.first?.resources == ["/docs/a/b"])
    }

    @Test func insufficientStorage() throws {
        let result = try Self.analyze(Self.multistatus([("/docs/big.iso", 507)]), method: "COPY", depth: nil)
        #expect(result.findings.first?.cause == .storage)
    }

    @Test func finiteDepthPreconditionIsServerConfig() throws {
        let result = try Self.analyze(
            #"<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>"#, depth: "infinity", status: 403,
            headers: [("Content-Type", "application/xml")])
        #expect(result.findings.first?.cause == .serverConfig)
    }

    @Test func destinationRefusedIsTheProxy() throws {
        let result = try Self.analyze(
            "", method: "MOVE", depth: nil, status: 502,
            requestHeaders: [("Destination", "https://127.0.0.1:8080/docs/b")])
        #expect(result.findings.first?.cause == .proxy)
    }

    /// https on the very host asked over http: TLS ends at a proxy that passes Destination unchanged.
    @Test func destinationWithAnotherSchemeOnTheSameHostIsTheTLSProxy() throws {
        let result = try Self.analyze(
            "", method: "COPY", url: "http://127.0.0.1:8080/docs/a", depth: nil, status: 502,
            requestHeaders: [("Destination", "https://127.0.0.1:8080/docs/b")])
        let proxy = try #require(result.findings.first)
        #expect(proxy.cause == .proxy)
        #expect(proxy.sign("destination-scheme-differs") == Sign("destination-scheme-differs", subject: "http", value: "https"))
        #expect(proxy.resources == ["/docs/a", "/docs/b"])
        #expect(Set(FixBook.proxyDestination(server: .unknown)).isSubset(of: proxy.fixes))
    }

    /// A 400 to an UNLOCK that carried Lock-Token: the proxy's when the server says the header is
    /// missing, the lock's when it says the token is wrong.
    @Test func unlockWithoutTheLockTokenItSentIsTheProxy() throws {
        let missing = try Self.analyze(
            "UNLOCK needs a Lock-Token header: <token>", method: "UNLOCK", url: "http://127.0.0.1:8080/a.txt", depth: nil,
            status: 400, headers: [("Via", "1.1 gateway")], requestHeaders: [("Lock-Token", "<urn:uuid:1>")])
        #expect(missing.findings.first?.cause == .proxy)
        #expect(Set(FixBook.proxyDroppedHeaders(["Lock-Token"])).isSubset(of: missing.findings.first?.fixes ?? []))
        let wrong = try Self.analyze(
            "the lock token is not valid", method: "UNLOCK", url: "http://127.0.0.1:8080/a.txt", depth: nil,
            status: 400, requestHeaders: [("Lock-Token", "<urn:uuid:1>")])
        #expect(wrong.findings.first?.cause == .lock)
    }

    @Test func lockedDespiteASubmittedTokenSaysTheTokenIsNotThisUsers() throws {
        let result = try Self.analyze(
            #"<D:error xmlns:D="DAV:"><D:lock-token-submitted><D:href>/a.txt</D:href></D:lock-token-submitted></D:error>"#,
            method: "PUT", url: "http://127.0.0.1:8080/a.txt", depth: nil, status: 423,
            headers: [("Content-Type", "application/xml")], requestHeaders: [("If", "(<urn:uuid:bob>)")])
        let lock = try #require(result.findings.first)
        #expect(lock.cause == .lock)
        #expect(lock.signs == [Sign("token-refused", subject: "/a.txt", value: "urn:uuid:bob")])
        // The first fix is for a token this user may not use, then the general ones for the lock.
        #expect(Array(lock.fixes.dropFirst()) == FixBook.lock(roots: ["/a.txt"], server: .unknown))
    }

    /// analyze of a listing whose hrefs were encoded twice: a payload finding naming the catalog entry
    /// and the resources as the server named them; a single-encoded literal %25 stays clean.
    @Test func doubleEncodedHrefsAreAPayloadFault() throws {
        let result = try Self.analyze(Self.multistatus([("/docs/", 200), ("/docs/a%2520b.txt", 200), ("/docs/plain.txt", 200)]))
        let payload = try #require(result.findings.first)
        #expect(payload.cause == .payload)
        #expect(payload.resources == ["/docs/a%20b.txt"])
        #expect(payload.sign("lint") == Sign("lint", subject: "href-double-encoded", value: "PATH-08"))
        #expect(try Self.analyze(Self.multistatus([("/pct/", 200), ("/pct/50%2525%20off.txt", 200)])).findings.allSatisfy { $0.cause != .payload })
    }

    @Test func multistatusAs200IsTheProxy() throws {
        let result = try Self.analyze(Self.multistatus([("/docs/", 200)]), status: 200)
        #expect(result.findings.first?.cause == .proxy)
    }

    @Test func nearMatchesAreHinted() throws {
        let result = try Self.analyze(Self.multistatus([("/docs/", 200), ("/docs/Reports/", 200), ("/docs/reports/", 404)]))
        let path = try #require(result.findings.first)
        #expect(path.cause == .path)
        #expect(path.sign("name-differs-in-case") == Sign("name-differs-in-case", subject: "/docs/reports/", value: "/docs/Reports/"))
    }

    @Test func likelihoodOrdersFindings() {
        let findings = [Finding(cause: .proxy, title: "p"), Finding(cause: .path, title: "a"), Finding(cause: .lock, title: "l")].rankedByLikelihood()
        #expect(findings.map(\.cause) == [.path, .lock, .proxy])
    }
}
