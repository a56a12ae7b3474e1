import DAVCore
import DAVTesting
import Testing

@testable import Diagnosis

/// The small readings the diagnosis rules are built on, each by value: which condition a 412 answers,
/// what an Allow header says of a share, what a cache's headers say of an answer, what a server's words mean.
struct ReadingRuleTests {
    static func request(_ headers: [(String, String)], method: String = "PUT") -> RequestInfo {
        RequestInfo(method: method, url: "http://h/docs/a.txt", headers: HTTPFields(headers.map { (name: $0.0, value: $0.1) }))
    }

    @Test func aPreconditionIsReadFromTheHeadersThatSetIt() {
        #expect(
            PreconditionRule.conditions(of: Self.request([("If", "(<opaquelocktoken:abc>)")]), method: "PUT") == [.lockToken("opaquelocktoken:abc")])
        #expect(PreconditionRule.conditions(of: Self.request([("If", "([\"e1\"])")]), method: "PUT") == [.etag(header: "If", value: "\"e1\"")])
        #expect(
            PreconditionRule.conditions(of: Self.request([("If-Match", "\"e2\"")]), method: "PUT") == [.etag(header: "If-Match", value: "\"e2\"")])
        #expect(PreconditionRule.conditions(of: Self.request([("If-None-Match", "*")]), method: "PUT") == [.noneMatchAny])
        #expect(
            PreconditionRule.conditions(of: Self.request([("Overwrite", "F"), ("Destination", "http://h/x/b.txt")], method: "COPY"), method: "COPY")
                == [.overwriteFalse(destination: "/x/b.txt")])
        // `(Not <DAV:no-lock>)` submits no token.
        #expect(PreconditionRule.conditions(of: Self.request([("If", "(Not <DAV:no-lock>)")]), method: "PUT").isEmpty)
    }

    @Test func anAllowWithNoWriteMeansAReadOnlyShare() {
        #expect(StatusRule.readOnlyShare(method: "PUT", allow: "GET, HEAD, OPTIONS, PROPFIND", server: .unknown) != nil)
        #expect(StatusRule.readOnlyShare(method: "DELETE", allow: "OPTIONS, GET, HEAD, PROPFIND, PUT", server: .unknown) == nil)
        #expect(StatusRule.readOnlyShare(method: "PROPFIND", allow: "GET, HEAD", server: .unknown) == nil)
        // mod_allowmethods' 405 names TRACE alone, whatever AllowMethods lists.
        #expect(StatusRule.readOnlyShare(method: "PUT", allow: "TRACE", server: .apache) != nil)
        #expect(StatusRule.readOnlyShare(method: "PUT", allow: "TRACE", server: .nginx) == nil)
    }

    @Test func aRelayShowsInTheCaseOfHeadersAndInAnotherServersErrorPage() {
        let apachePage =
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">\n<html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>Your browser sent a request</p>"
        let lowered = ResponseHead(
            version: "HTTP/1.1", status: 400, headers: HTTPFields([(name: "date", value: "x"), (name: "server", value: "Apache/2.4.71 (Debian)")]))
        #expect(ServerProfile.relaySigns(lowered, bodyExcerpt: "").count == 1)
        // HTTP/2 names are lower case by definition.
        let http2 = ResponseHead(version: "HTTP/2", status: 400, headers: lowered.headers)
        #expect(ServerProfile.relaySigns(http2, bodyExcerpt: "").isEmpty)
        let nginxFront = ResponseHead(status: 401, headers: HTTPFields([(name: "Server", value: "nginx/1.22.1")]))
        #expect(ServerProfile.relaySigns(nginxFront, bodyExcerpt: apachePage).count == 1)
        let apacheItself = ResponseHead(status: 400, headers: HTTPFields([(name: "Server", value: "Apache/2.4.71")]))
        #expect(ServerProfile.relaySigns(apacheItself, bodyExcerpt: apachePage).isEmpty)
    }

    @Test func aFileNameAskedForWithASlash() {
        #expect(StatusRule.fileNameWithSlash("/docs/plain.txt/") == "plain.txt")
        #expect(StatusRule.fileNameWithSlash("/docs/sub/") == nil)
        #expect(StatusRule.fileNameWithSlash("/releases/v1.2/") == nil)
        #expect(StatusRule.fileNameWithSlash("/docs/plain.txt") == nil)
    }

    @Test func aPrefixStrippedFromTheNameTheServerGives() {
        #expect(ArrivalRule.strippedPrefix(asked: "/dav/docs/a.txt", named: "/docs/a.txt") == "/dav")
        #expect(ArrivalRule.strippedPrefix(asked: "/docs/a.txt", named: "/docs/a.txt") == nil)
        #expect(ArrivalRule.strippedPrefix(asked: "/dav/docs/a.txt", named: "/other/a.txt") == nil)
    }

    @Test func aCacheHitIsToldFromAMiss() {
        func head(_ fields: [(String, String)]) -> ResponseHead {
            ResponseHead(status: 207, headers: HTTPFields(fields.map { (name: $0.0, value: $0.1) }))
        }
        #expect(CacheRule.cacheHit(head([("Age", "0"), ("X-Varnish", "32770")])) == nil)
        #expect(CacheRule.cacheHit(head([("Age", "12")]))?.count == 1)
        #expect(CacheRule.cacheHit(head([("X-Varnish", "32770 5")]))?.count == 1)
        #expect(CacheRule.cacheHit(head([("X-Cache-Status", "HIT")]))?.count == 1)
        #expect(CacheRule.cacheHit(head([("X-Cache-Status", "MISS")])) == nil)
    }

    @Test func aServersOwnWordsNameTheCause() {
        #expect(ErrorBodyRule.message("OSError: [Errno 28] No space left on device", path: "/q/a", server: .wsgidav)?.cause == .storage)
        #expect(ErrorBodyRule.message("OSError: [Errno 30] Read-only file system", path: "/q/a", server: .wsgidav)?.cause == .permission)
        #expect(ErrorBodyRule.message("ValueError('All strings must be XML compatible')", path: "/q/", server: .wsgidav)?.cause == .payload)
        #expect(ErrorBodyRule.message("403 Forbidden: Directory browsing is not enabled.", path: "/q/", server: .wsgidav)?.cause == .serverConfig)
        #expect(ErrorBodyRule.message("Something else went wrong", path: "/q/", server: .wsgidav) == nil)
        #expect(ErrorBodyRule.precondition(DAV.validSyncToken, path: "/c/", server: .unknown)?.cause == .cache)
        #expect(ErrorBodyRule.precondition(CalDAV.noUIDConflict, path: "/c/", server: .unknown)?.cause == .cache)
        #expect(ErrorBodyRule.sabre("Sabre\\DAV\\Exception\\Locked", message: nil, path: "/a", server: .sabre)?.cause == .lock)
        #expect(ErrorBodyRule.sabre("Sabre\\DAV\\Exception\\InsufficientStorage", message: nil, path: "/a", server: .sabre)?.cause == .storage)
    }

    @Test func aBareBadRequestGivesNoReason() {
        #expect(ArrivalRule.saysNothingButItsStatus("Bad Request"))
        #expect(ArrivalRule.saysNothingButItsStatus(""))
        #expect(ArrivalRule.saysNothingButItsStatus("<html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1></body></html>"))
        #expect(!ArrivalRule.saysNothingButItsStatus("Bad Request: DTSTART is missing"))
        // nginx's own 400 page names nginx: the proxy refused the request itself, it did not lose its body.
        #expect(
            !ArrivalRule.saysNothingButItsStatus(
                "<html><head><title>400 Bad Request</title></head><body><center><h1>400 Bad Request</h1></center><hr><center>nginx/1.22.1</center></body></html>"
            ))
    }

    /// Real capture: nginx in front of Radicale with proxy_pass_request_body off; the PUT carried a whole event.
    @Test func aBare400ToACompleteEventIsABodyThatNeverArrived() throws {
        let lost = try ReportReadingTests.analyze("radicale-proxy/nobody-put")
        let finding = try #require(lost.findings.first)
        #expect(finding.cause == .proxy)
        #expect(finding.status == 400)
        #expect(finding.resources == ["/radicale/alice/calendar/empty.ics"])
        // The same answer to an event without a UID: the server may have refused the data itself.
        let item = try ReportReadingTests.corpusCase("radicale-proxy/nobody-put")
        let broken = Array("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        var reader = try CaptureReader(path: item.capture.path)
        defer { reader.close() }
        let refused = try Analysis.run(
            reader: &reader, request: RequestOverrides(method: "PUT", url: item.url, headers: item.requestHeaders, body: broken), pieces: 1)
        #expect(refused.findings.first?.cause != .proxy, "\(refused.findings.map(\.title))")
    }
}
