import DAVCore
import DAVTesting
import Diagnosis
import Foundation
import Testing

/// REPORT answers read by their own RFC, from real Radicale, Xandikos and SabreDAV captures (Tests/Corpus):
/// what is the protocol working stays quiet, what breaks clients is named, by kind and value.
struct ReportReadingTests {
    static func corpusCase(_ id: String) throws -> Corpus.Case {
        try #require(try Corpus.cases().first { $0.description == id }, "no corpus case \(id)")
    }

    static func analyze(_ id: String, withBody: Bool = true) throws -> AnalysisResult {
        let item = try corpusCase(id)
        let body = withBody ? try item.bodyURL.map { Array(try Data(contentsOf: $0)) } : nil
        let overrides = RequestOverrides(method: item.method, url: item.url, headers: item.requestHeaders, body: body)
        var reader = try CaptureReader(path: item.capture.path)
        defer { reader.close() }
        return try Analysis.run(reader: &reader, request: overrides, pieces: 1)
    }

    @Test func theReportIsReadFromTheRequestBody() throws {
        let multiget = try #require(try Self.analyze("radicale/report-calendar-multiget").context.report)
        #expect(multiget.kind == .calendarMultiget)
        #expect(multiget.hrefs.count == 3)
        #expect(multiget.asksForObjectData)
        let query = try #require(try Self.analyze("xandikos/report-calendar-query-timerange").context.report)
        #expect(query.kind == .calendarQuery)
        #expect(query.componentFilters == ["VCALENDAR", "VEVENT"])
        #expect(query.hasTimeRange)
        let sync = try #require(try Self.analyze("radicale/report-sync-incremental").context.report)
        #expect(sync.kind == .syncCollection)
        #expect(sync.syncToken?.isEmpty == false)
    }

    @Test(arguments: [
        "radicale/report-calendar-multiget", "radicale/report-addressbook-multiget", "radicale/report-calendar-query-timerange",
        "radicale/report-addressbook-query", "radicale/report-sync-initial", "radicale/report-sync-incremental",
        "xandikos/report-calendar-multiget", "xandikos/report-addressbook-multiget", "xandikos/report-sync-initial",
        "xandikos/report-sync-incremental", "xandikos/report-addressbook-query",
    ])
    func aHealthyReportHasNoFinding(_ id: String) throws {
        let result = try Self.analyze(id)
        #expect(result.findings.isEmpty, "\(id): \(result.findings.map(\.title))")
    }

    @Test func aSyncAnswerKeepsItsTokenAndIsRecognisedWithoutItsBody() throws {
        let result = try Self.analyze("xandikos/report-sync-incremental", withBody: false)
        #expect(result.context.report == nil)
        #expect(result.collector?.report.kind == .syncCollection)
        #expect(result.collector?.report.syncToken?.isEmpty == false)
        #expect(result.findings.isEmpty)
    }

    @Test func aMultigetOfAnObjectThatIsNotThereSaysWhichAndWhy() throws {
        let result = try Self.analyze("xandikos/report-multiget-missing-href")
        let finding = try #require(result.findings.first)
        #expect(finding.cause == .path)
        #expect(finding.status == 404)
        let item = try Self.corpusCase("xandikos/report-multiget-missing-href")
        #expect(finding.resources == item.resources)
        #expect(finding.signs.map(\.kind) == ["multiget-href-not-there"])
    }

    @Test func aReportTheResourceDoesNotOfferIsServerConfiguration() throws {
        let result = try Self.analyze("sabredav/report-sync-collection-unsupported")
        #expect(result.findings.first?.cause == .serverConfig)
        #expect(result.findings.allSatisfy { !$0.signs.contains { $0.kind == "report-depth-not-zero" } })
    }

    @Test func aStaleSyncTokenIsTheClientsStaleState() throws {
        for id in ["radicale/report-sync-made-up-token", "xandikos/report-sync-made-up-token", "xandikos/report-sync-token-after-restore"] {
            #expect(try Self.analyze(id).findings.first?.cause == .cache, "\(id)")
        }
    }

    // MARK: - multistatus shapes only a REPORT has (small answers, written the way the servers above write them)

    static func report(_ body: String, request: String, url: String = "http://127.0.0.1:8080/cal/", depth: String? = "0", status: Int = 207) throws
        -> AnalysisResult
    {
        let capture = "HTTP/1.1 \(status) \(HTTPStatus.reason(for: status))\r\nContent-Type: application/xml\r\n\r\n" + body
        var reader = CaptureReader(bytes: Array(capture.utf8), name: "test")
        return try Analysis.run(reader: &reader, request: RequestOverrides(method: "REPORT", url: url, depth: depth, body: Array(request.utf8)))
    }

    static let syncRequest =
        #"<D:sync-collection xmlns:D="DAV:"><D:sync-token>http://example.com/sync/4</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#

    @Test func aSyncsRemovedMembersAndTruncationAreTheProtocolNotFaults() throws {
        let body = """
            <D:multistatus xmlns:D="DAV:">
            <D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
            <D:response><D:href>/cal/gone.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
            <D:response><D:href>/cal/</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status><D:error><D:number-of-matches-within-limits/></D:error></D:response>
            <D:sync-token>http://example.com/sync/9</D:sync-token>
            </D:multistatus>
            """
        let result = try Self.report(body, request: Self.syncRequest)
        #expect(result.findings.isEmpty, "\(result.findings.map(\.title))")
        let tally = try #require(result.collector?.report)
        #expect(tally.removed == ["/cal/gone.ics"])
        #expect(tally.truncated)
        #expect(tally.syncToken == "http://example.com/sync/9")
        #expect(result.collector?.failingCount == 0)
    }

    @Test func aSyncAnswerWithoutItsTokenIsAFinding() throws {
        let body =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
        let result = try Self.report(body, request: Self.syncRequest)
        #expect(result.findings.first?.signs.map(\.kind) == ["sync-token-missing"])
    }

    @Test func aSyncSentWithDepthOneAndRefusedNamesTheDepth() throws {
        let result = try Self.report("Depth must be 0 for sync-collection\n", request: Self.syncRequest, depth: "1", status: 400)
        let finding = try #require(result.findings.first)
        #expect(finding.cause == .path)
        #expect(finding.signs == [Sign("report-depth-not-zero", subject: "sync-collection", value: "1")])
    }

    @Test func aQueryOfDepthZeroSearchedOnlyTheCollection() throws {
        let query =
            #"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>"#
        let empty = #"<D:multistatus xmlns:D="DAV:"/>"#
        let noDepth = try Self.report(empty, request: query, depth: nil)
        #expect(noDepth.findings.first?.signs.first?.kind == "query-of-collection-itself")
        // Depth 1 and nothing found: the filter matched nothing, which is an answer.
        let depthOne = try Self.report(empty, request: query, depth: "1")
        #expect(depthOne.findings.isEmpty)
    }

    @Test func multigetHrefsOutsideTheCollectionOrOfACollectionSayWhy() throws {
        let request =
            #"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><D:href>/cal/Review.ics</D:href><D:href>/other/x.ics</D:href><D:href>/principals/alice/</D:href><D:href>/cal/a%2520b.ics</D:href></C:calendar-multiget>"#
        let body = """
            <D:multistatus xmlns:D="DAV:">
            <D:response><D:href>/cal/review.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
            <D:response><D:href>/cal/Review.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
            <D:response><D:href>/other/x.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
            <D:response><D:href>/principals/alice/</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
            <D:response><D:href>/cal/a%2520b.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
            </D:multistatus>
            """
        let result = try Self.report(body, request: request, depth: "1")
        let finding = try #require(result.findings.first { $0.cause == .path && $0.status == 404 })
        #expect(
            Set(finding.signs.map(\.kind)) == [
                "multiget-href-case-differs", "multiget-href-in-other-collection",
                "multiget-href-is-collection", "multiget-href-encoded-twice",
            ])
        #expect(finding.signs.first { $0.kind == "multiget-href-case-differs" }?.value == "/cal/review.ics")
        // Hrefs outside the Request-URI are a multiget's reason, not an out-of-scope listing.
        #expect(result.collector?.outOfScopeCount == 0)
    }

    @Test func objectDataThatClientsRefuseIsAPayloadFinding() throws {
        let request =
            #"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><D:href>/cal/a.ics</D:href><D:href>/cal/b.ics</D:href></C:calendar-multiget>"#
        let body = """
            <D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
            <D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><C:calendar-data>BEGIN:VCALENDAR
            VERSION:2.0
            BEGIN:VEVENT
            SUMMARY:no uid
            END:VEVENT
            END:VCALENDAR
            </C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
            <D:response><D:href>/cal/b.ics</D:href><D:propstat><D:prop><C:calendar-data/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
            </D:multistatus>
            """
        let result = try Self.report(body, request: request, depth: "1")
        let finding = try #require(result.findings.first)
        #expect(finding.cause == .payload)
        #expect(Set(finding.signs.map(\.kind)) == ["object-data-missing-uid", "object-data-empty"])
        #expect(finding.resources == ["/cal/a.ics", "/cal/b.ics"])
    }
}

/// The structure checks of calendar and address data, one problem each.
struct ObjectDataCheckTests {
    @Test func aWellFormedEventAndCardHaveNoProblem() {
        let event =
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDESCRIPTION:a long\r\n  folded line\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:1\r\nRECURRENCE-ID:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        #expect(ObjectDataCheck.problems(event, format: .iCalendar).isEmpty)
        #expect(ObjectDataCheck.problems("BEGIN:VCARD\nVERSION:4.0\nUID:urn:uuid:1\nFN:A\nEND:VCARD\n", format: .vCard).isEmpty)
    }

    @Test func eachProblemIsNamed() {
        #expect(ObjectDataCheck.problems("", format: .iCalendar) == [.empty])
        #expect(ObjectDataCheck.problems("BEGIN:VCARD\nVERSION:3.0\nUID:1\nEND:VCARD", format: .iCalendar).map(\.kind) == ["not-this-format"])
        #expect(ObjectDataCheck.problems("BEGIN:VCARD\nUID:1\nFN:A\nEND:VCARD", format: .vCard) == [.missingVersion])
        #expect(ObjectDataCheck.problems("BEGIN:VCARD\nVERSION:3.0\nFN:A\nEND:VCARD", format: .vCard) == [.missingUID])
        let two = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nEND:VEVENT\nEND:VCALENDAR"
        #expect(ObjectDataCheck.problems(two, format: .iCalendar) == [.severalUIDs(["a", "b"])])
        let unfolded = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nDESCRIPTION:first half\nsecond half\nEND:VEVENT\nEND:VCALENDAR"
        #expect(ObjectDataCheck.problems(unfolded, format: .iCalendar) == [.brokenFolding(line: 6, text: "second half")])
        let open = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nEND:VCALENDAR"
        #expect(ObjectDataCheck.problems(open, format: .iCalendar).first?.kind == "unbalanced")
    }
}
