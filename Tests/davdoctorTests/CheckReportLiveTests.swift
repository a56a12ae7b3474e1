import DAVTesting
import Foundation
import Testing

/// `davdoctor check --method REPORT` against a real Xandikos and a real Radicale (scripts/peers/, clean
/// profiles): the probes read the target's resourcetype and supported-report-set, the principal's home
/// sets and RFC 6764 discovery, and settle what the REPORT's own answer cannot.
@Suite(.serialized)
struct CheckReportLiveTests {
    struct Report: Decodable {
        struct Finding: Decodable {
            typealias Sign = ReportSign
            var cause: String
            var likelihood: String
            var resources: [String]
            var signs: [Sign]?
        }
        struct Probe: Decodable {
            var kind: String
            var status: Int?
        }
        var findings: [Finding]
        var probes: [Probe]?
    }

    static let query =
        #"<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>"#
    static let sync =
        #"<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"#
    static let multiget =
        #"<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>/alice/calendars/work/standup.ics</D:href><D:href>/alice/calendars/work/retro.ics</D:href></C:calendar-multiget>"#
    static let event =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davdoctor//test//EN\r\nBEGIN:VEVENT\r\nUID:standup@example.com\r\nDTSTAMP:20261201T080000Z\r\nDTSTART:20261207T090000Z\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

    func curl(_ arguments: [String]) throws {
        _ = try Processes.run(try Need.executable("curl"), ["-s", "-g", "-o", "/dev/null"] + arguments)
    }

    func check(_ url: String, body: String, depth: String, in work: String, user: [String] = []) throws -> (Report, Int32) {
        let file = work + "/body-\(abs(body.hashValue)).xml"
        try body.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try DavDoctorBinary.run(["check", url, "--method", "REPORT", "--body", file, "--depth", depth, "--format", "json"] + user)
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        return (report, run.status)
    }

    @Test(.needs(.peer("xandikos"), .curl)) func xandikosReportsAreCheckedAgainstWhatTheTargetIs() throws {
        let peer = try Peer.start("xandikos", profile: "clean")
        defer { peer.stop() }
        let work = try Processes.temporaryDirectory("check-report")
        defer { try? FileManager.default.removeItem(atPath: work) }
        try curl(["-X", "MKCALENDAR", peer.url("/alice/calendars/work/")])
        try curl(["-X", "MKCOL", peer.url("/alice/files/")])
        try curl(["-X", "PUT", "-H", "Content-Type: text/calendar", "--data-binary", Self.event, peer.url("/alice/calendars/work/standup.ics")])

        // A calendar-query sent to a plain folder: proven the wrong target by the folder's own resourcetype.
        let (wrong, wrongStatus) = try check(peer.url("/alice/files/"), body: Self.query, depth: "1", in: work)
        #expect(wrongStatus == 1)
        let first = try #require(wrong.findings.first)
        #expect(first.cause == "path" && first.likelihood == "high")
        #expect(first.signs?.map(\.kind) == ["report-wrong-target"])
        let kinds = Set(wrong.probes?.map(\.kind) ?? [])
        #expect(kinds.isSuperset(of: ["reportTarget", "homeSets", "wellKnown"]), "\(kinds)")

        // An initial sync of the calendar is healthy.
        let (synced, syncStatus) = try check(peer.url("/alice/calendars/work/"), body: Self.sync, depth: "0", in: work)
        #expect(syncStatus == 0, "\(synced.findings.map(\.cause))")

        // A multiget of one event that is there and one that is not names the missing one, and why.
        let (fetched, fetchStatus) = try check(peer.url("/alice/calendars/work/"), body: Self.multiget, depth: "1", in: work)
        #expect(fetchStatus == 1)
        let missing = try #require(fetched.findings.first)
        #expect(missing.cause == "path")
        #expect(missing.resources == ["/alice/calendars/work/retro.ics"])
        // Why, and the listing check made of the collection (no near match in it).
        #expect(missing.signs?.map(\.kind) == ["multiget-href-not-there", "nearest-parent"])
    }

    /// Radicale (auth none: any user name signs in) refuses a calendar-multiget sent to the principal with
    /// DAV:supported-report; the principal's resourcetype proves the wrong target. Its calendar syncs cleanly.
    @Test(.needs(.peer("radicale"), .curl)) func radicaleMultigetOnThePrincipalIsTheWrongTarget() throws {
        let peer = try Peer.start("radicale", profile: "clean")
        defer { peer.stop() }
        let work = try Processes.temporaryDirectory("check-report-radicale")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let alice = ["-u", "alice:x"]
        try curl(alice + ["-X", "MKCALENDAR", peer.url("/alice/calendar/")])
        try curl(alice + ["-X", "PUT", "-H", "Content-Type: text/calendar", "--data-binary", Self.event, peer.url("/alice/calendar/standup.ics")])
        let multiget = Self.multiget.replacingOccurrences(of: "/alice/calendars/work/", with: "/alice/calendar/")

        let (wrong, wrongStatus) = try check(peer.url("/alice/"), body: multiget, depth: "1", in: work, user: ["--user", "alice:x"])
        #expect(wrongStatus == 1)
        let first = try #require(wrong.findings.first)
        #expect(first.cause == "path" && first.likelihood == "high", "\(wrong.findings.map(\.cause))")
        #expect(first.signs?.map(\.kind) == ["report-wrong-target"])

        let (synced, syncStatus) = try check(peer.url("/alice/calendar/"), body: Self.sync, depth: "0", in: work, user: ["--user", "alice:x"])
        #expect(syncStatus == 0, "\(synced.findings.map(\.cause))")
    }
}
