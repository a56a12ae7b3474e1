import DAVCore
import Diagnosis
import Testing

/// nextcloud.log lines, in Nextcloud 14+'s shape (an `exception` object) and ownCloud's older one (the
/// exception as JSON text in `message`), read into error entries whose words name the cause.
@Suite struct NextcloudLogTests {
    static let modern =
        #"{"reqId":"AxFU2FE0jkbnlk9hj7qp","level":0,"time":"2026-12-04T21:59:02+01:00","remoteAddr":"127.0.0.1","user":"alice","app":"webdav","method":"PUT","url":"\/remote.php\/dav\/files\/alice\/Reports%202026\/q4.ods?x=1","message":"\"Reports 2026\/q4.ods\" is locked","userAgent":"mirall","version":"30.0.2.2","exception":{"Exception":"OCA\\DAV\\Connector\\Sabre\\Exception\\FileLocked","Message":"\"Reports 2026\/q4.ods\" is locked","Code":0,"Trace":[],"File":"\/var\/www\/apps\/dav\/lib\/Connector\/Sabre\/File.php","Line":246,"Previous":{"Exception":"OCP\\Lock\\LockedException","Message":"locked"},"CustomMessage":"--"}}"#

    static let older =
        #"{"reqId":"nm6+cO5y37\/qMKxYOluL","remoteAddr":"10.0.0.2","app":"webdav","message":"Exception: {\"Message\":\"HTTP\\\/1.1 507 Insufficient Storage\",\"Exception\":\"Sabre\\\\DAV\\\\Exception\\\\InsufficientStorage\",\"Code\":0}","level":4,"time":"2026-12-04T20:59:02+00:00","method":"PUT","url":"\/remote.php\/webdav\/big.iso"}"#

    @Test func modernLineGivesRequestTimeAndClass() throws {
        let entry = try #require(LogFormat.parseError(Self.modern, source: "nextcloud.log:1", day: nil))
        #expect(entry.kind == .error)
        #expect(entry.method == "PUT")
        #expect(entry.path == "/remote.php/dav/files/alice/Reports 2026/q4.ods")
        #expect(entry.level == "debug")
        #expect(entry.time == HTTPDate.epoch(year: 2026, month: 12, day: 4, hour: 20, minute: 59, second: 2))
        #expect(entry.line.hasPrefix("PUT /remote.php/dav/files/alice/Reports 2026/q4.ods — OCA\\DAV\\Connector\\Sabre\\Exception\\FileLocked: "))
        #expect(entry.line.contains("after OCP\\Lock\\LockedException"))
        #expect(entry.line.hasSuffix("(user alice, reqId AxFU2FE0jkbnlk9hj7qp)"))
    }

    @Test func olderLineCarriesTheExceptionInItsMessage() throws {
        let entry = try #require(LogFormat.parseAccess(Self.older, source: "owncloud.log:1"))
        #expect(entry.kind == .error)
        #expect(entry.level == "fatal")
        #expect(entry.line.contains("Sabre\\DAV\\Exception\\InsufficientStorage: HTTP/1.1 507 Insufficient Storage"))
    }

    /// The correlator matches the line to the failing resource and settles the cause from the class name.
    @Test(arguments: [
        (modern, "/remote.php/dav/files/alice/Reports 2026/q4.ods", Cause.lock),
        (older, "/remote.php/webdav/big.iso", .storage),
    ])
    func classNameSettlesTheCause(_ line: String, _ resource: String, _ cause: Cause) throws {
        let entry = try #require(LogFormat.parseError(line, source: "nextcloud.log:1", day: nil))
        let finding = Finding(
            cause: .serverConfig, likelihood: .medium, title: "the server failed (500)", resources: [resource], evidence: [], fixes: [])
        var correlator = LogCorrelator(findings: [finding], requestPath: resource, time: entry.time, window: 5, answerStatus: 500)
        correlator.add(error: entry)
        let (findings, _) = correlator.conclude()
        #expect(findings.first?.cause == cause)
        #expect(findings.first?.likelihood == .high)
        #expect(findings.flatMap(\.signs).contains { $0.kind == "error-log-line" && $0.subject == "nextcloud.log:1" })
    }

    @Test func davdoctorServeLinesAreNotTakenForNextcloud() throws {
        let entry = try #require(
            LogFormat.parseAccess(#"{"time":"2026-11-25T11:36:13Z","method":"PROPFIND","path":"/docs/","status":207}"#, source: "access.log:1"))
        #expect(entry.kind == .access)
        #expect(entry.status == 207)
    }
}
