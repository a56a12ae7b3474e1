import DAVCore
import Testing

@testable import Diagnosis

/// What one server's bare status means, read from real captures (Tests/Corpus): each server maps its
/// failures to statuses its own way, and the diagnosis reads them by that server's table.
struct ServerHabitTests {
    static func analyze(_ name: String) throws -> AnalysisResult {
        try CorpusDiagnosisTests.analyze(try ProvingProbeTests.corpusCase(name))
    }

    static func head(_ status: Int, _ fields: [(String, String)]) -> ResponseHead {
        ResponseHead(status: status, headers: HTTPFields(fields.map { (name: $0.0, value: $0.1) }))
    }

    @Test func goWebDAVIsKnownByItsBareReasonPhrase() {
        let plain = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "18")]
        #expect(ServerProfile.recognise(headers: Self.head(405, plain).headers, bodyExcerpt: "Method Not Allowed").kind == .rclone)
        // A Server header names the server; another body is someone else's words.
        #expect(
            ServerProfile.recognise(headers: Self.head(405, plain + [("Server", "Caddy")]).headers, bodyExcerpt: "Method Not Allowed").kind
                == .unknown)
        #expect(ServerProfile.recognise(headers: Self.head(405, plain).headers, bodyExcerpt: "Method Not Allowed\n").kind == .unknown)
        #expect(ServerProfile.recognise(headers: Self.head(404, [("Content-Type", "text/html")]).headers, bodyExcerpt: "Not Found").kind == .unknown)
    }

    @Test(arguments: [
        // (case, the cause x/net/webdav's table gives, its likelihood)
        ("rclone/put-no-inodes", Cause.storage, Likelihood.high),  // PUT 405: the copy into the opened file failed
        ("rclone/copy-into-quota", .storage, .high),  // COPY 500: copying the data failed
        ("rclone/delete-readonly", .permission, .high),  // DELETE 405: the resource is there, removing it failed
        ("rclone/move-missing-parent", .path, .high),  // MOVE 403: the rename failed
        ("rclone/mkcol-readonly", .permission, .medium),  // MKCOL 405: mkdir failed, not for a missing parent
        ("rclone/copy-readonly", .permission, .high),  // COPY 403: the destination could not be created
    ])
    func goWebDAVStatusesNameTheFailedOperation(_ name: String, _ cause: Cause, _ likelihood: Likelihood) throws {
        let result = try Self.analyze(name)
        #expect(result.server.kind == .rclone)
        #expect(result.findings.first?.cause == cause)
        #expect(result.findings.first?.likelihood == likelihood)
    }

    @Test func lighttpdRefusesAPutWith405OnlyOnADirectory() throws {
        let result = try Self.analyze("lighttpd/put-collection-no-slash")
        #expect(result.server.kind == .lighttpd)
        #expect(result.findings.first?.cause == .path)
        #expect(result.findings.first?.resources == ["/docs/sub"])
    }

    @Test func theTellingLineIsTheRulesReasonNotTheStatusLine() throws {
        let finding = try #require(try Self.analyze("lighttpd/put-collection-no-slash").findings.first)
        let because = try #require(finding.because)
        #expect(finding.evidence.contains(because))
        #expect(because != finding.evidence.first)  // the first restates the status line
        #expect(finding.tellingEvidence == because)
    }

    @Test func nginxAnswers500WhenItCannotOpenAFolderToList() throws {
        let result = try Self.analyze("nginx/propfind-unreadable-folder")
        #expect(result.findings.first?.cause == .permission)
        #expect(result.findings.first?.likelihood == .high)
    }

    @Test func aMoveWhoseDestinationParentHoldsTheSourceWasRewrittenOnTheWay() throws {
        // MOVE /dav/docs/old-name.txt → /dav/docs/new-name.txt failed for a missing parent: the parent holds the source.
        let result = try Self.analyze("haproxy/prefix-move-500")
        #expect(result.findings.first?.cause == .proxy)
        #expect(result.findings.first?.resources.contains("/dav/docs/new-name.txt") == true)
        // The same 500 into another folder stays a missing parent.
        let elsewhere = try Self.analyze("apache/move-missing-parent")
        #expect(elsewhere.findings.first?.cause == .path)
    }

    @Test func aConflictOnCopyNamesTheDestinationsParent() throws {
        let result = try Self.analyze("apache-proxy/prefix-copy")
        #expect(result.findings.first?.cause == .path)
        #expect(result.findings.first?.resources == ["/dav/work/"])
    }

    @Test func credentialsLostBehindARelayAreTheProxys() throws {
        // nginx in front, Apache's 401 page behind it, and the request carried Authorization.
        let dropped = try Self.analyze("nginx-proxy/auth-dropped-propfind")
        #expect(dropped.findings.map(\.cause).prefix(2) == [.proxy, .permission])
        // No sign of a relay: a 401 to credentials is the credentials.
        let wrong = try Self.analyze("apache/get-secret-wrong-password")
        #expect(wrong.findings.first?.cause == .permission)
    }

    @Test func aMemberListedUnderTheCollectionsOwnURLLostItsName() throws {
        let result = try Self.analyze("sabredav/propfind-latin1-name")
        let finding = try #require(result.findings.first)
        #expect(finding.cause == .payload)
        #expect(finding.signs.contains(Sign("member-named-as-request-uri", subject: "/odd/", value: "2")))
    }

    @Test func aVersionTreeAnsweredWithTheResourcesThemselvesWasNotCarriedOut() throws {
        let result = try Self.analyze("radicale/report-unknown-type")
        let finding = try #require(result.findings.first)
        #expect(finding.cause == .serverConfig)
        #expect(finding.signs.contains(Sign("report-not-carried-out", subject: "/alice/calendar/", value: "version-tree")))
    }

    @Test func escapesOfBytesThatAreNotUTF8CompareWithoutTheirCase() throws {
        #expect(Href("/latin1/caf%e9.txt").displayPath == Href("/latin1/caf%E9.txt").displayPath)
        #expect(URLPath.uppercasingEscapes("/a%e9%zz/b%c3") == "/a%E9%zz/b%C3")
        // The request asked for caf%E9.txt and the server named it caf%e9.txt: the same resource, not one outside.
        let result = try Self.analyze("apache/propfind-latin1-file")
        #expect(result.findings.first?.cause == .payload)
        #expect(!result.findings.contains { $0.cause == .path })
    }

    @Test(arguments: [
        // (case, the cause the answer's method gives its refusal)
        ("apache/lock-method-off", Cause.serverConfig),  // LOCK 405: no locking at this location, not a read-only share
        ("wsgidav/lock-no-lock-storage", .serverConfig),  // LOCK 405 from a server without lock storage
        ("apache/mkcol-exists", .path),  // MKCOL 405: RFC 4918 §9.3.1 reserves it for a URL that is mapped
        ("apache/put-readonly-allowmethods", .permission),  // PUT 405 with Allow: TRACE: AllowMethods keeps only reads
        ("apache/options-dav-off", .serverConfig),  // OPTIONS 200, no DAV header, Allow without a WebDAV method
        ("haproxy/strip-options-no-dav", .proxy),  // OPTIONS 200, no DAV header, Allow names PROPFIND: removed on the way
        ("varnish/naive-file-200", .proxy),  // PROPFIND 200 text/plain through Varnish: fetched as a GET
    ])
    func aRefusalIsReadByWhatItsMethodMeans(_ name: String, _ cause: Cause) throws {
        #expect(try Self.analyze(name).findings.first?.cause == cause)
    }

    @Test func aReadOnlyShareStaysTheSecondReadingOfApachesMkcol405() throws {
        let findings = try Self.analyze("apache/mkcol-exists").findings
        #expect(findings.map(\.cause) == [.path, .permission])
    }

    @Test func healthyAnswersToOptionsAndFreeBusyGetNoFinding() throws {
        // DAV header present behind Varnish; a CalDAV free-busy REPORT is answered 200 text/calendar by design.
        #expect(try Self.analyze("varnish/naive-options-ok").findings.isEmpty)
        #expect(try Self.analyze("xandikos/options-calendar").findings.isEmpty)
    }
}
