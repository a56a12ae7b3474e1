import DAVCore
import DAVTesting
import Diagnosis
import Testing

/// What check's probes after a REPORT settle, from real captures (Tests/Corpus) with the probes' answers
/// written as the same servers give them.
struct ReportProbeTests {
    static let calendar = #"<D:resourcetype><D:collection/><C:calendar xmlns:C="urn:ietf:params:xml:ns:caldav"/></D:resourcetype>"#

    static func target(_ path: String, resourcetype: String, reports: [String]) -> String {
        let offered = reports.map { "<D:supported-report><D:report><\($0)/></D:report></D:supported-report>" }.joined()
        return #"<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response><D:href>"# + path
            + "</D:href><D:propstat><D:prop>\(resourcetype)<D:supported-report-set>\(offered)</D:supported-report-set><D:current-user-principal><D:href>/alice/</D:href></D:current-user-principal></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
    }

    @Test func theTargetsOwnTypeProvesAReportSentToTheWrongResource() throws {
        // SabreDAV refused a sync-collection on /docs/ with DAV:supported-report.
        let result = try ProvingProbeTests.conclude("sabredav/report-sync-collection-unsupported") { probe in
            probe.kind == .reportTarget ? (207, Self.target("/docs/", resourcetype: "<D:resourcetype/>", reports: [])) : nil
        }
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .path && first.likelihood == .high)
        #expect(first.signs.map(\.kind) == ["report-wrong-target"])
        #expect(result.analysis.findings.contains { $0.cause == .serverConfig && $0.likelihood == .low })
    }

    @Test func theRightKindOfCollectionThatDoesNotOfferTheReportIsServerConfiguration() throws {
        let result = try ProvingProbeTests.conclude("sabredav/report-sync-collection-unsupported") { probe in
            probe.kind == .reportTarget
                ? (207, Self.target("/docs/", resourcetype: "<D:resourcetype><D:collection/></D:resourcetype>", reports: ["D:expand-property"])) : nil
        }
        #expect(result.analysis.findings.first?.cause == .serverConfig)
        #expect(result.analysis.findings.first?.likelihood == .high)
    }

    @Test func anObjectTheCollectionListsButTheMultigetCannotFindWasLostInTheHref() throws {
        // Xandikos answered 404 for retro.ics; here the listing (as a prefix-stripping proxy shows it) has it.
        let result = try ProvingProbeTests.conclude("xandikos/report-multiget-missing-href") { probe in
            guard probe.kind == .parentListing else { return nil }
            return (
                207,
                ProvingProbeTests.listing([
                    ("/calendars/personal/", true), ("/calendars/personal/standup.ics", false), ("/calendars/personal/retro.ics", false),
                ])
            )
        }
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .proxy)
        #expect(first.resources == ["/alice/calendars/personal/retro.ics"])
        #expect(first.signs == [Sign("multiget-href-listed", subject: "/alice/calendars/personal/retro.ics", value: "/calendars/personal/")])
    }

    @Test func anObjectTheCollectionDoesNotListStaysMissing() throws {
        let result = try ProvingProbeTests.conclude("xandikos/report-multiget-missing-href") { probe in
            guard probe.kind == .parentListing else { return nil }
            return (207, ProvingProbeTests.listing([("/alice/calendars/personal/", true), ("/alice/calendars/personal/standup.ics", false)]))
        }
        #expect(result.analysis.findings.first?.cause == .path)
        // The listing names no such object: the parent is all there is (nearest-parent, and no near match).
        #expect(result.analysis.findings.first?.signs.map(\.kind) == ["multiget-href-not-there", "nearest-parent"])
    }

    @Test func theProbesAskForTheTargetDiscoveryAndThePrincipalsHomes() throws {
        let initial = try CorpusDiagnosisTests.analyze(try ProvingProbeTests.corpusCase("radicale/report-calendar-multiget"))
        var investigation = Investigation(initial: initial, options: .init())
        guard case .send(let first) = investigation.start() else {
            Issue.record("no probes")
            return
        }
        #expect(first.contains { $0.kind == .reportTarget && $0.method == "PROPFIND" && $0.headers["Depth"] == "0" })
        #expect(first.contains { $0.kind == .wellKnown && $0.url.hasSuffix("/.well-known/caldav") && $0.method == "GET" })
        let answers = first.map { probe in
            probe.kind == .reportTarget
                ? ProbeOutcome(
                    probe: probe, head: InvestigationTests.answer(207),
                    body: Array(Self.target("/alice/calendar/", resourcetype: Self.calendar, reports: ["C:calendar-multiget"]).utf8))
                : ProbeOutcome(probe: probe, head: nil, failure: "not answered in this test")
        }
        guard case .send(let second) = investigation.receive(answers) else {
            Issue.record("no follow-up for the principal")
            return
        }
        #expect(second.map(\.kind) == [.homeSets])
        #expect(second.first?.url.hasSuffix("/alice/") == true)
        // Every probe after a REPORT only reads.
        #expect((first + second).allSatisfy { $0.isSafe })
    }
}
