import DAVTesting
import Foundation
import Testing

/// `davdoctor proxy` against the lab's proxy scenarios: the lab serves the failure (the server itself and
/// the faulty proxy in front), proxy compares the two and must name what the proxy changes.
struct ProxyCommandTests {
    /// A lab scenario served until stopped; its proxy URL and the server's own.
    final class LabRun {
        let process = Process()
        var via = ""
        var direct = ""

        init(_ scenario: String) throws {
            process.executableURL = DavDoctorBinary.url
            process.arguments = ["lab", scenario]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            var text = ""
            while !text.contains("serving until Ctrl-C") {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            for line in text.split(separator: "\n") {
                if line.hasPrefix("server: ") { via = String(line.dropFirst(8).prefix { $0 != " " }) }
                if line.hasPrefix("direct: ") { direct = String(line.dropFirst(8).prefix { $0 != " " }) }
            }
        }

        func stop() {
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
        }
    }

    /// What the JSON report says as data: causes, signs and the notes' kinds (never their words).
    struct Report: Decodable {
        typealias Sign = ReportSign
        struct Fix: Decodable, Equatable { var action: String }
        struct Finding: Decodable {
            var cause: String
            var fixes: [Fix]
            var signs: [Sign]
            func sign(_ kind: String) -> Sign? { signs.first { $0.kind == kind } }
        }
        var findings: [Finding]
        var noteSigns: [Sign]
        func has(_ kind: String) -> Bool { findings.contains { $0.sign(kind) != nil } }
        func noted(_ kind: String) -> Bool { noteSigns.contains { $0.kind == kind } }
    }

    func compare(_ scenario: String, path: String = "docs/", extra: [String] = []) throws -> (Report, Int32) {
        let lab = try LabRun(scenario)
        defer { lab.stop() }
        try #require(!lab.via.isEmpty && !lab.direct.isEmpty, "the lab printed no URLs")
        let run = try DavDoctorBinary.run(
            ["proxy", "--direct", lab.direct + path, "--via", lab.via + path, "--user", "alice:alice-pw", "--format", "json"] + extra)
        return (try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8)), run.status)
    }

    @Test func strippedPrefixGivesTheMapping() throws {
        let (report, status) = try compare("proxy-prefix-stripped")
        #expect(status == 1)
        let hrefs = try #require(report.findings.first)
        #expect(hrefs.cause == "proxy")
        #expect(hrefs.sign("href-mapping") == ReportSign("href-mapping", subject: "/dav/", value: "/"))
    }

    @Test func changedStatusTypeAndCutBodyAreNamed() throws {
        #expect(
            try compare("proxy-207-to-200").0.findings.first?.sign("proxy-changes-status")
                == ReportSign("proxy-changes-status", subject: "207", value: "200"))
        #expect(try compare("proxy-html-content-type").0.findings.first?.sign("proxy-changes-content-type")?.value?.hasPrefix("text/html") == true)
        let cut = try compare("proxy-body-cut").0
        #expect(cut.has("proxy-cuts-body"))
        #expect(cut.has("proxy-misses-resources"))
    }

    @Test func destinationThroughTheProxyWithAllowWrites() throws {
        let (report, _) = try compare("proxy-prefix-stripped", extra: ["--allow-writes"])
        #expect(report.has("destination-refused"))
        #expect(report.noted("scratch-removed"))
        // This proxy strips a prefix but passes every header: the lock trials find nothing.
        #expect(!report.has("proxy-drops-header"))
        #expect(report.noted("lock-headers-pass"))
    }

    /// A dropped request header shows in no answer's headers, only in behaviour: a scratch file locked
    /// straight at the server, its token refused through the proxy (PUT with If: 423, UNLOCK with
    /// Lock-Token: 400) but accepted straight. The finding names the headers and the directives.
    @Test func droppedIfAndLockTokenAreFoundByBehaviour() throws {
        let (report, status) = try compare("proxy-drops-lock-token", extra: ["--allow-writes"])
        #expect(status == 1)
        let dropped = try #require(report.findings.first { $0.sign("proxy-drops-header") != nil })
        #expect(dropped.cause == "proxy")
        #expect(
            dropped.signs.filter { $0.kind == "proxy-drops-header" }
                == [
                    ReportSign("proxy-drops-header", subject: "If", value: "423"),
                    ReportSign("proxy-drops-header", subject: "Lock-Token", value: "400"),
                ])
        // The fixes are the directives to paste, one per proxy: values, not wording.
        #expect(dropped.fixes.contains { $0.action.contains(#"proxy_set_header If "" / proxy_set_header Lock-Token """#) })
        #expect(dropped.fixes.contains { $0.action.contains("RequestHeader unset If / RequestHeader unset Lock-Token") })
        // The lock was released and the scratch collection removed.
        #expect(report.noted("scratch-removed"))
    }

    @Test func badUsageAndUnreachableAreOneLine() throws {
        let bad = try DavDoctorBinary.run(["proxy", "--direct", "ftp://x/", "--via", "http://127.0.0.1:1/"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "davdoctor: error: --direct and --via must be absolute http:// or https:// URLs, not 'ftp://x/'\n")
        let port = Processes.freePort()
        let refused = try DavDoctorBinary.run(["proxy", "--direct", "http://127.0.0.1:\(port)/", "--via", "http://127.0.0.1:\(port)/"])
        #expect(refused.status == 3)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.hasPrefix("davdoctor: error: connection refused by 127.0.0.1:\(port)"))
        #expect(refused.stderr.split(separator: "\n").count == 1)
    }

    @Test func theSameURLBothWaysHasNoFinding() throws {
        let lab = try LabRun("proxy-backend-hrefs")
        defer { lab.stop() }
        let run = try DavDoctorBinary.run(["proxy", "--direct", lab.direct + "docs/", "--via", lab.direct + "docs/", "--user", "alice:alice-pw"])
        #expect(run.status == 0, "\(run.stdout)")
    }
}

/// `davdoctor proxy` through a real nginx and a real Apache reverse proxy in front of real Apache mod_dav
/// (scripts/peers/start-nginx-proxy.sh, start-apache-proxy.sh): the stripped prefix is found, with its mapping and the Destination
/// it breaks; the correct proxy shows nothing.
@Suite(.serialized)
struct ProxyCommandNginxTests {
    typealias Report = ProxyCommandTests.Report

    @Test(arguments: ["nginx-proxy", "apache-proxy"])
    func realProxyInFrontOfApache(_ name: String) throws {
        try Need.check(.peer("apache"), .peer(name))
        let apache = try Peer.start("apache", profile: "clean")
        defer { apache.stop() }
        let proxy = try Peer.start(
            name,
            environment: [
                "APACHE_PORT": String(apache.port), "BACKEND_PORT": String(apache.port), "WSGIDAV_PORT": String(Processes.freePort()),
            ])
        defer { proxy.stop() }
        func compare(_ via: String, _ extra: [String] = []) throws -> (Report, Int32) {
            let run = try DavDoctorBinary.run(["proxy", "--direct", apache.url("/docs/"), "--via", via, "--format", "json"] + extra)
            return (try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8)), run.status)
        }
        let (stripped, status) = try compare("http://127.0.0.1:\(proxy.port)/dav/docs/", ["--allow-writes"])
        #expect(status == 1)
        #expect(stripped.findings.allSatisfy { $0.cause == "proxy" })
        #expect(stripped.findings.first?.sign("href-mapping") == ReportSign("href-mapping", subject: "/dav/", value: "/"))
        #expect(stripped.has("destination-refused"))

        let (correct, fine) = try compare("http://127.0.0.1:\(proxy.port + 1)/docs/", ["--allow-writes"])
        #expect(fine == 0, "\(correct.findings.map(\.signs))")
    }

    /// nginx without proxy_set_header Host (its default sends the upstream's host:port), in front of Apache
    /// and of WsgiDAV, and the same nginx with Host kept. Apache ignores the host of a Destination, but its
    /// redirect (PROPFIND of /docs without the slash) links to its own address, which nginx's proxy_redirect
    /// rewrites in Location and not in the body; WsgiDAV calls the client's Destination another server
    /// (COPY and MOVE 502). Both findings say the proxy does not pass Host on and name proxy_set_header Host
    /// and ProxyPreserveHost; with Host kept nothing is found, If and Lock-Token trials included.
    @Test(.needs(.peer("apache"), .peer("nginx-proxy"), .peer("wsgidav")))
    func nginxThatDoesNotKeepHostInFrontOfApacheAndWsgiDAV() throws {
        let apache = try Peer.start("apache", profile: "clean")
        defer { apache.stop() }
        let wsgidav = try Peer.start("wsgidav", profile: "clean")
        defer { wsgidav.stop() }
        let nginx = try Peer.start(
            "nginx-proxy", environment: ["APACHE_PORT": String(apache.port), "WSGIDAV_PORT": String(wsgidav.port), "WSGIDAV_CORRECT": "1"])
        defer { nginx.stop() }
        typealias Full = ProxyCommandTests.Report
        func compare(_ backend: Peer, via port: Int, _ path: String, _ extra: [String] = []) throws -> (Full, Int32) {
            let run = try DavDoctorBinary.run(
                ["proxy", "--direct", backend.url(path), "--via", "http://127.0.0.1:\(port)\(path)", "--format", "json"] + extra)
            guard run.status == 0 || run.status == 1 else {
                Issue.record("proxy via \(port)\(path) exited \(run.status): \(run.stderr)")
                throw Processes.Failure(description: "proxy exited \(run.status)")
            }
            return (try JSONDecoder().decode(Full.self, from: Data(run.stdout.utf8)), run.status)
        }
        func expectHostAdvice(_ finding: Full.Finding, _ backend: String) {
            #expect(finding.cause == "proxy", "\(backend)")
            // The directives to paste (values the user copies), not the finding's wording.
            #expect(finding.fixes.contains { $0.action.contains("proxy_set_header Host $http_host;") }, "\(backend)")
            #expect(finding.fixes.contains { $0.action.contains("ProxyPreserveHost On") }, "\(backend)")
        }

        // Apache: the redirect through the proxy names the backend.
        let (apacheLost, apacheStatus) = try compare(apache, via: nginx.port + 2, "/docs")
        #expect(apacheStatus == 1)
        let redirect = try #require(apacheLost.findings.first, "no finding through nginx without Host in front of Apache")
        #expect(
            redirect.sign("proxy-does-not-pass-host")
                == ReportSign("proxy-does-not-pass-host", subject: "/docs", value: "http://127.0.0.1:\(apache.port)"))
        expectHostAdvice(redirect, "apache")
        #expect(try compare(apache, via: nginx.port + 1, "/docs").1 == 0)
        let (apacheKept, apacheClean) = try compare(apache, via: nginx.port + 1, "/docs/", ["--allow-writes"])
        #expect(apacheClean == 0, "\(apacheKept.findings.map(\.signs))")
        #expect(apacheKept.noted("lock-headers-pass"), "\(apacheKept.noteSigns)")

        // WsgiDAV: Destination names a host it does not answer to.
        let (wsgiLost, wsgiStatus) = try compare(wsgidav, via: nginx.port + 3, "/docs/", ["--allow-writes"])
        #expect(wsgiStatus == 1)
        #expect(wsgiLost.findings.allSatisfy { $0.cause == "proxy" }, "\(wsgiLost.findings.map(\.signs))")
        let destination = try #require(wsgiLost.findings.first { $0.sign("destination-host-not-passed") != nil }, "\(wsgiLost.findings.map(\.signs))")
        #expect(destination.signs.filter { $0.kind == "destination-refused" }.map(\.value) == ["502", "502"])
        expectHostAdvice(destination, "wsgidav")
        #expect(!wsgiLost.has("proxy-drops-header"), "nginx passes If and Lock-Token")
        let (wsgiKept, wsgiClean) = try compare(wsgidav, via: nginx.port + 4, "/docs/", ["--allow-writes"])
        #expect(wsgiClean == 0, "\(wsgiKept.findings.map(\.signs))")
        #expect(wsgiKept.noted("lock-headers-pass"), "\(wsgiKept.noteSigns)")
    }
}
