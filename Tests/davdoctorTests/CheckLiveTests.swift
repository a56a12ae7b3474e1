import DAVTesting
import Foundation
import Testing

/// `davdoctor check` against real servers on 127.0.0.1, each driven into the failures it can produce
/// (scripts/peers/start-*.sh, faulty profile): the right cause and resources for each, probe evidence in
/// the report, no finding on a clean request; then the fix is applied (on the same server, or on a fresh
/// clean-profile one for configuration faults) and `davdoctor diff` of the two saved runs says "fixed".
@Suite(.serialized)
struct CheckLiveTests {
    static let servers = ["apache", "nginx-dav-ext", "lighttpd", "wsgidav", "rclone", "davdoctor"]

    @Test(arguments: servers)
    func namesTheCauseAndConfirmsTheFix(_ server: String) throws {
        try Need.check(.peer(server), .curl)
        let cases = LiveCase.cases(for: server)
        let work = try Processes.temporaryDirectory("check-\(server)")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let faulty = try Peer.start(server)
        var pending: [(LiveCase, before: String)] = []
        do {
            defer { faulty.stop() }
            var session = Session(peer: faulty, user: LiveCase.user(for: server))
            for (index, live) in cases.enumerated() {
                try session.run(live.setup)
                let saved = "\(work)/\(index)-before"
                let result = try check(faulty, live.path, live.arguments, save: saved)
                try expect(result, live, server: server)
                switch live.fix {
                case .onSameServer(let steps, let arguments):
                    try session.run(steps, printed: result.report.findings.flatMap(\.signs))
                    try expectFixed(faulty, live, arguments: arguments ?? live.arguments, before: saved, after: "\(work)/\(index)-after")
                case .onCleanServer: pending.append((live, saved))
                case .none: break
                }
            }
        }
        guard !pending.isEmpty else { return }
        let clean = try Peer.start(server, profile: "clean")
        defer { clean.stop() }
        var session = Session(peer: clean, user: nil)
        for (index, (live, before)) in pending.enumerated() {
            guard case .onCleanServer(let steps) = live.fix else { continue }
            try session.run(steps)
            try expectFixed(clean, live, arguments: live.arguments, before: before, after: "\(work)/clean-\(index)-after")
        }
    }

    /// `--allow-writes` through a proxy that strips a path prefix: COPY's Destination still carries the
    /// prefix, the backend refuses it, and check says so (cause proxy); through a correct proxy the same
    /// probes pass. Either way the scratch collection is gone afterwards.
    @Test(.needs(.peer("apache"), .peer("nginx-proxy"), .curl))
    func allowWritesShowsWhetherDestinationSurvivesTheProxy() throws {
        let apache = try Peer.start("apache", profile: "clean")
        defer { apache.stop() }
        let proxy = try Peer.start("nginx-proxy", environment: ["APACHE_PORT": String(apache.port), "WSGIDAV_PORT": String(Processes.freePort())])
        defer { proxy.stop() }
        let work = try Processes.temporaryDirectory("check-writes")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let docs = apache.workDirectory + "/apache/root/docs"
        let before = try FileManager.default.contentsOfDirectory(atPath: docs).sorted()

        let stripped = try check(proxy, "/dav/docs/", ["--allow-writes"], save: work + "/stripped")
        let destination = stripped.report.findings.first { $0.cause == "proxy" && $0.signs.first("destination-refused")?.subject == "COPY" }
        #expect(destination != nil, "no Destination finding in \(stripped.report.findings.map(\.cause))")
        #expect(
            stripped.report.probes.map(\.kind).filter { !$0.hasPrefix("agreement") }.suffix(6) == [
                "scratchCreate", "scratchPut", "destinationCopy", "destinationMove", "mkcolWithoutSlash", "scratchDelete",
            ])

        let correct = Peer(name: proxy.name, workDirectory: proxy.workDirectory, base: "http://127.0.0.1:\(proxy.port + 1)", port: proxy.port + 1)
        let fine = try check(correct, "/docs/", ["--allow-writes"], save: work + "/correct")
        #expect(fine.report.findings.isEmpty, "\(fine.report.findings.map(\.cause))")
        #expect(fine.report.noteSigns.first("destination-intact") != nil, "\(fine.report.noteSigns)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: docs).sorted() == before, "the scratch collection was left behind")
    }

    /// `--allow-writes` behind a round-robin balancer: two Apache nodes on one tree, each with its own
    /// DavLockDB, show a lock in some reads of the same file and not in others (a finding); their dead
    /// properties live in the shared tree and agree. One Apache, and two davdoctor serve instances sharing
    /// PostgreSQL behind the same kind of balancer, agree on both (a note, no finding).
    @Test(.needs(.peer("apache-pair"), .peer("apache"), .peer("cluster"), .postgres, .curl))
    func allowWritesFindsBalancedNodesThatDoNotShareLocks() throws {
        let pair = try Peer.start("apache-pair", profile: "clean")
        defer { pair.stop() }
        let work = try Processes.temporaryDirectory("check-nodes")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let split = try check(pair, "/docs/", ["--allow-writes"], save: work + "/pair")
        let disagree = split.report.findings.filter { $0.cause == "server-config" && $0.signs.first("nodes-disagree") != nil }
        #expect(disagree.map { $0.signs.first("nodes-disagree")?.subject } == ["lock"], "\(split.report.findings.map(\.cause))")
        #expect(disagree.first?.signs.first("nodes-disagree")?.value == "3/6", "round-robin over two nodes: every other read")
        #expect(split.report.noteSigns.first("agreement-lock-left") == nil, "the UNLOCK reached the node that holds the lock")
        let docs = pair.workDirectory + "/apache-pair-a/root/docs"
        #expect(try !FileManager.default.contentsOfDirectory(atPath: docs).contains { $0.hasPrefix(".davdoctor-scratch") })

        let single = try Peer.start("apache", profile: "clean")
        defer { single.stop() }
        let one = try check(single, "/docs/", ["--allow-writes"], save: work + "/single")
        #expect(one.report.findings.isEmpty, "\(one.report.findings.map(\.cause))")
        #expect(one.report.noteSigns.first("nodes-agree")?.value == "6")

        let cluster = try Peer.start("cluster", profile: "clean")
        defer { cluster.stop() }
        let shared = try check(cluster, "/docs/", ["--allow-writes"], save: work + "/cluster")
        #expect(shared.report.findings.isEmpty, "\(shared.report.findings.map(\.cause))")
        #expect(shared.report.noteSigns.first("nodes-agree")?.value == "6")
    }

    /// `--as`: bob is refused alice's subtree, alice may read it; check names the subtree, who may read it
    /// and the status. Asked for /secret/ instead, davdoctor serve leaves /secret/alice/ out of bob's
    /// listing (Apache lists it to anyone): only the second user's repeat shows it.
    @Test(arguments: ["davdoctor", "apache"])
    func secondUserNamesTheSubtreeThatDiffers(_ server: String) throws {
        try Need.check(.peer(server), .curl)
        let peer = try Peer.start(server)
        defer { peer.stop() }
        let work = try Processes.temporaryDirectory("check-as-\(server)")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let users = ["--user", "bob:bob-pw", "--as", "alice:alice-pw", "--depth", "1"]

        let refused = try check(peer, "/secret/alice/", users, save: work + "/refused")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.report.probes.contains { $0.kind == "secondUserRepeat" })
        let permission = refused.report.findings.filter { $0.cause == "permission" }
        #expect(permission.flatMap(\.resources).contains("/secret/alice/"), "\(permission.map(\.resources))")
        #expect(
            permission.flatMap(\.signs).contains(ReportSign("subtree-refused-authorisation", subject: "/secret/alice/", value: "alice")),
            "\(permission.flatMap(\.signs))")

        guard server == "davdoctor" else { return }
        let hidden = try check(peer, "/secret/", users, save: work + "/hidden")
        #expect(hidden.status == 1, "\(hidden.stderr)")
        let finding = hidden.report.findings.first { $0.cause == "permission" }
        #expect(finding?.resources == ["/secret/alice/"], "\(hidden.report.findings.map(\.resources))")
        #expect(finding?.signs == [ReportSign("subtree-hidden", subject: "/secret/alice/", value: "alice")])
    }

    // MARK: - Running and asserting

    struct Report: Decodable {
        struct Finding: Decodable {
            var cause: String
            var resources: [String]
            var evidence: [String]
            var signs: [ReportSign]
        }
        struct Probe: Decodable { var kind: String }
        var status: Int?
        var findings: [Finding]
        var probes: [Probe]
        var noteSigns: [ReportSign]
    }

    struct Outcome {
        var report: Report
        var status: Int32
        var stderr: String
    }

    func check(_ peer: Peer, _ path: String, _ arguments: [String], save: String) throws -> Outcome {
        let run = try DavDoctorBinary.run(["check", peer.url(path), "--format", "json", "--save", save] + arguments.map(resolve))
        guard let report = try? JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8)) else {
            Issue.record("check \(path) printed no JSON report (exit \(run.status)): \(run.stderr)")
            throw Processes.Failure(description: "no report")
        }
        // Passwords never reach the output or the saved exchanges (Authorization is redacted there).
        let secrets = ["alice-pw", "bob-pw", "YWxpY2U6YWxpY2UtcHc", "Ym9iOmJvYi1wdw"]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: save)) ?? [] {
            let text = String(decoding: FileManager.default.contents(atPath: save + "/" + name) ?? Data(), as: UTF8.self)
            #expect(!secrets.contains { text.contains($0) }, "\(save)/\(name) holds a password")
        }
        #expect(!secrets.contains { run.stdout.contains($0) || run.stderr.contains($0) }, "check printed a password")
        return Outcome(report: report, status: run.status, stderr: run.stderr)
    }

    func expect(_ outcome: Outcome, _ live: LiveCase, server: String) throws {
        let label = "\(server) \(live.name)"
        let findings = outcome.report.findings
        guard let cause = live.cause else {
            #expect(findings.isEmpty, "\(label): expected no finding, got \(findings.map(\.cause))")
            #expect(outcome.status == 0, "\(label): exit \(outcome.status)")
            return
        }
        #expect(outcome.status == 1, "\(label): exit \(outcome.status) \(outcome.stderr)")
        #expect(findings.first?.cause == cause, "\(label): first cause \(findings.first?.cause ?? "none"), expected \(cause)")
        let named = Set(findings.filter { $0.cause == cause }.flatMap(\.resources))
        for resource in live.resources {
            #expect(named.contains(resource), "\(label): \(resource) not among \(named.sorted())")
        }
        if let expected = live.sign {
            let all = findings.flatMap(\.signs)
            let found = all.contains {
                $0.kind == expected.kind && (expected.subject == nil || $0.subject == expected.subject)
                    && (expected.value == nil || $0.value == expected.value)
            }
            #expect(found, "\(label): no sign \(expected) in \(all)")
        }
        #expect(!outcome.report.probes.isEmpty, "\(label): no probe ran")
    }

    /// The same request after the fix must succeed, and diff must name each expected resource fixed.
    func expectFixed(_ peer: Peer, _ live: LiveCase, arguments: [String], before: String, after: String) throws {
        let label = "\(peer.name) \(live.name) after the fix"
        let fixed = try check(peer, live.path, arguments, save: after)
        // Other faults may remain (lighttpd sizes every collection 4096): only this case's cause must be gone.
        #expect(!fixed.report.findings.contains { $0.cause == live.cause }, "\(label): still \(fixed.report.findings.map(\.cause))")
        let diff = try DavDoctorBinary.run(["diff", before, after, "--format", "json"])
        #expect(diff.status == 0, "\(label): diff exit \(diff.status) \(diff.stderr)")
        struct Diff: Decodable {
            struct Entry: Decodable {
                var path: String
                var change: String
            }
            var resources: [Entry]
        }
        let entries = (try? JSONDecoder().decode(Diff.self, from: Data(diff.stdout.utf8)))?.resources ?? []
        // diff keys resources without a trailing slash, so that /a and /a/ are one resource.
        func key(_ path: String) -> String { path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path }
        let path = key(live.fixedResource ?? live.resources.first ?? live.path)
        #expect(entries.contains { key($0.path) == path && $0.change == "fixed" }, "\(label): diff says \(entries.map { "\($0.path) \($0.change)" })")
    }

    /// Request bodies live in files, since check reads `--body FILE`.
    func resolve(_ argument: String) -> String {
        guard argument.hasPrefix("@") else { return argument }
        let name = String(argument.dropFirst())
        let path = NSTemporaryDirectory() + "davdoctor-live-\(name)"
        if !FileManager.default.fileExists(atPath: path) {
            if !FileManager.default.createFile(atPath: path, contents: LiveCase.bodies[name].map { Data($0.utf8) }) {
                Issue.record("cannot write the request body \(path)")
            }
        }
        return path
    }
}

/// Setup and fix steps, sent with curl as a user of the server would.
struct Session {
    var peer: Peer
    var user: String?
    var lockTokens: [String: String] = [:]

    /// `printed` is the signs of the check before the fix, for steps that do what it said.
    mutating func run(_ steps: [LiveCase.Step], printed: [ReportSign] = []) throws {
        for step in steps {
            switch step {
            case .mkcol(let path):
                _ = try curl(["-X", "MKCOL", peer.url(path)])
            case .lock(let path):
                let head = try curl([
                    "-D", "-", "-o", "/dev/null", "-X", "LOCK", "-H", "Timeout: Second-3600",
                    "-H", "Content-Type: application/xml", "--data-binary", LiveCase.bodies["lockinfo.xml"]!, peer.url(path),
                ])
                let token = head.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("lock-token:") }
                    .flatMap { line in line.firstIndex(of: "<").map { String(line[line.index(after: $0)...].prefix { $0 != ">" }) } }
                let taken: String = try #require(token, "LOCK \(path) gave no Lock-Token: \(head)")
                lockTokens[path] = taken
            case .unlock(let path):
                let token = try #require(lockTokens[path])
                _ = try curl(["-X", "UNLOCK", "-H", "Lock-Token: <\(token)>", peer.url(path)])
            case .unlockAsPrinted(let path):
                // The UNLOCK check printed (never sent), with the token it read from lockdiscovery.
                let unlock = try #require(
                    printed.first { $0.kind == "unlock-command" && $0.subject == peer.url(path) }, "check printed no UNLOCK for \(path): \(printed)")
                let token = try #require(unlock.value)
                let head = try curl(["-D", "-", "-o", "/dev/null", "-X", "UNLOCK", "-H", "Lock-Token: <\(token)>", peer.url(path)])
                #expect(head.hasPrefix("HTTP/1.1 204") || head.hasPrefix("HTTP/1.1 200"), "UNLOCK with the printed token: \(head)")
            }
        }
    }

    func curl(_ arguments: [String]) throws -> String {
        try Processes.run(try Need.executable("curl"), ["-s", "-g"] + (user.map { ["-u", $0] } ?? []) + arguments)
    }
}

/// One failure a server can be driven into, what check must say about it, and how it is fixed.
struct LiveCase: Sendable {
    enum Step: Sendable {
        case mkcol(String)
        case lock(String)
        case unlock(String)
        /// UNLOCK with the token from the UNLOCK line the check before the fix printed.
        case unlockAsPrinted(String)
    }

    enum Fix: Sendable {
        /// Steps on the same server, then the check again (with other arguments when given).
        case onSameServer([Step], arguments: [String]?)
        /// The same check against a fresh clean-profile server (a configuration fault), after the steps.
        case onCleanServer([Step])
        case none
    }

    var name: String
    var path: String
    var arguments: [String]
    /// nil: a clean request, no finding expected.
    var cause: String?
    var resources: [String] = []
    /// What must show among the findings' signs (a nil subject or value matches any).
    var sign: ReportSign?
    var setup: [Step] = []
    var fix: Fix = .none
    /// The resource diff must call fixed, when not the first expected resource.
    var fixedResource: String?

    static let bodies = [
        "lockinfo.xml": """
        <?xml version="1.0" encoding="utf-8"?>
        <D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype>\
        <D:owner><D:href>mailto:alice@example.com</D:href></D:owner></D:lockinfo>
        """,
        "small.txt": "overwritten by check\n",
        "4k.bin": String(repeating: "x", count: 4096),
    ]

    /// rclone's and davdoctor's faulty profiles want a user for everything.
    static func user(for server: String) -> String? {
        ["rclone", "davdoctor"].contains(server) ? "alice:alice-pw" : nil
    }

    /// What the lock probe can show: the owner where the server keeps it; nginx and lighttpd drop the
    /// owner, so the printed UNLOCK; rclone's lockdiscovery answers without the lock.
    static let lockEvidence = [
        "apache": ReportSign("lock-held", subject: "/locks/held.txt", value: "mailto:alice@example.com"),
        "wsgidav": ReportSign("lock-held", subject: "/locks/held.txt", value: "mailto:alice@example.com"),
        "davdoctor": ReportSign("lock-held", subject: "/locks/held.txt", value: "mailto:alice@example.com"),
        "nginx-dav-ext": ReportSign("unlock-command"), "lighttpd": ReportSign("unlock-command"),
        "rclone": ReportSign("lockdiscovery-unreadable", subject: "/locks/held.txt"),
    ]

    /// The limit each server's 413 is blamed on, found by the OPTIONS probe (PUT allowed, the body too big).
    static let bodyLimit = ReportSign("body-over-limit", subject: "/upload/big.bin", value: "4096")

    /// What the anonymous repeat tells of bob's refusal: Apache answers bob 403 and anyone else 401;
    /// nginx's `return 403` runs before it asks for a password; lighttpd and WsgiDAV answer bob 401.
    static let refusalEvidence = [
        "apache": ReportSign("refusal-is-authorisation"), "nginx-dav-ext": ReportSign("refused-before-login"),
        "lighttpd": ReportSign("refusal-is-authentication"), "wsgidav": ReportSign("refusal-is-authentication"),
    ]

    static func cases(for server: String) -> [LiveCase] {
        let user = user(for: server).map { ["--user", $0] } ?? []
        var cases: [LiveCase] = []
        let cleanPath = server == "lighttpd" ? "/docs/plain.txt" : "/docs/"  // lighttpd sizes its collections 4096 (a real payload fault)
        cases.append(LiveCase(name: "clean listing", path: cleanPath, arguments: user + ["--depth", server == "lighttpd" ? "0" : "1"], cause: nil))
        cases.append(
            LiveCase(
                name: "case-mismatched path", path: "/Docs/", arguments: user, cause: "path", resources: ["/Docs/"],
                sign: ReportSign("name-differs-in-case", value: "/docs/"), fix: .onSameServer([.mkcol("/Docs/")], arguments: nil)))
        cases.append(
            LiveCase(
                name: "missing parent", path: "/nope/newcol/", arguments: user + ["--method", "MKCOL"], cause: "path",
                resources: ["/nope/newcol/"], sign: ReportSign("nearest-parent", subject: "/nope/newcol/", value: "/"),
                fix: .onSameServer([.mkcol("/nope/")], arguments: nil)))
        cases.append(
            LiveCase(
                name: "locked member", path: "/locks/held.txt", arguments: user + ["--method", "PUT", "--body", "@small.txt"], cause: "lock",
                resources: ["/locks/held.txt"], sign: lockEvidence[server], setup: [.lock("/locks/held.txt")],
                fix: .onSameServer([.unlock("/locks/held.txt")], arguments: nil)))
        if ["apache", "nginx-dav-ext", "lighttpd", "davdoctor"].contains(server) {
            cases.append(
                LiveCase(
                    name: "Depth infinity refused", path: "/docs/", arguments: user + ["--depth", "infinity"], cause: "server-config",
                    resources: ["/docs/"], sign: ReportSign("depth-one-works", subject: "/docs/", value: "207"),
                    fix: .onSameServer([], arguments: user + ["--depth", "1"])))
            cases.append(
                LiveCase(
                    name: "small upload limit", path: "/upload/big.bin", arguments: user + ["--method", "PUT", "--body", "@4k.bin"],
                    cause: "server-config", resources: ["/upload/big.bin"],
                    sign: bodyLimit,
                    fix: .onCleanServer([])))
        }
        if server == "nginx-dav-ext" {
            // dav_methods off on /ro/: a location that takes no write, a read-only share made by configuration.
            cases.append(
                LiveCase(
                    name: "read-only location", path: "/ro/new.txt", arguments: ["--method", "PUT", "--body", "@small.txt"],
                    cause: "permission", resources: ["/ro/new.txt"],
                    sign: ReportSign("method-left-out-of-location", subject: "/ro/new.txt", value: "PUT"),
                    fix: .onCleanServer([.mkcol("/ro/")])))
        }
        if server == "apache" {
            // AllowMethods GET HEAD OPTIONS PROPFIND: every write is refused while reads work, a read-only share.
            cases.append(
                LiveCase(
                    name: "read-only share", path: "/ro/new.txt", arguments: ["--method", "PUT", "--body", "@small.txt"],
                    cause: "permission", resources: ["/ro/new.txt"], sign: ReportSign("read-only-share", subject: "/ro/new.txt", value: "TRACE"),
                    fix: .onCleanServer([.mkcol("/ro/")])))
        }
        switch server {
        case "apache", "nginx-dav-ext", "lighttpd":
            cases.append(
                LiveCase(
                    name: "forbidden subtree", path: "/secret/alice/", arguments: ["--user", "bob:bob-pw"], cause: "permission",
                    resources: ["/secret/alice/"], sign: refusalEvidence[server], fix: .onSameServer([], arguments: ["--user", "alice:alice-pw"])))
        case "wsgidav":
            cases.append(
                LiveCase(
                    name: "forbidden share", path: "/secret/", arguments: ["--user", "bob:bob-pw"], cause: "permission",
                    resources: ["/secret/"], sign: refusalEvidence[server], fix: .onSameServer([], arguments: ["--user", "alice:alice-pw"])))
        case "rclone":
            cases.append(
                LiveCase(
                    name: "no credentials", path: "/docs/", arguments: [], cause: "permission", resources: ["/docs/"],
                    sign: ReportSign("login-needed-for-method", subject: "PROPFIND", value: "200"),
                    fix: .onSameServer([], arguments: ["--user", "alice:alice-pw"])))
        case "davdoctor":
            cases.append(
                LiveCase(
                    name: "forbidden subtree", path: "/secret/alice/", arguments: ["--user", "bob:bob-pw"], cause: "permission",
                    resources: ["/secret/alice/"], sign: ReportSign("refusal-is-authorisation"),
                    fix: .onSameServer([], arguments: ["--user", "alice:alice-pw"])))
        default: break
        }
        if ["apache", "wsgidav", "davdoctor"].contains(server) {
            // These refuse to delete a collection whose member is locked (the others delete it anyway).
            cases.append(
                LiveCase(
                    name: "DELETE of a collection with a locked member", path: "/locks/", arguments: user + ["--method", "DELETE"],
                    cause: "lock", resources: ["/locks/held.txt"], sign: ReportSign("unlock-command"), setup: [.lock("/locks/held.txt")],
                    fix: .onSameServer([.unlockAsPrinted("/locks/held.txt")], arguments: nil)))
        }
        return cases
    }
}

/// `check --client`: real nginx + dav-ext misses what Windows (PROPPATCH) and Finder (MKCOL without a
/// trailing slash) need; davdoctor serve meets every need of every client.
struct ClientProfileLiveTests {
    struct Report: Decodable {
        struct Finding: Decodable {
            var cause: String
            var signs: [ReportSign]
        }
        struct Need: Decodable {
            var client: String
            var requirement: String
            var verdict: String
            var source: String
        }
        var findings: [Finding]
        var clients: [Need]
    }

    func check(_ peer: Peer, _ clients: String) throws -> (Report, Int32) {
        let run = try DavDoctorBinary.run(["check", peer.url("/docs/"), "--client", clients, "--allow-writes", "--format", "json"])
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        return (report, run.status)
    }

    @Test(.needs(.peer("nginx-dav-ext"), .chromium))
    func nginxMissesWindowsAndFinderNeeds() throws {
        let nginx = try Peer.start("nginx-dav-ext", profile: "clean")
        defer { nginx.stop() }
        let (report, status) = try check(nginx, "windows,finder")
        #expect(status == 1)
        let unmet = Set(report.clients.filter { $0.verdict == "unmet" }.map(\.requirement))
        #expect(unmet == ["windows-lock-and-proppatch", "finder-mkcol-without-slash"])
        #expect(Set(report.clients.map(\.client)) == ["windows", "finder"])
        let clientFindings = report.findings.filter { $0.cause == "client" }
        #expect(clientFindings.count == 2)
        #expect(
            Set(clientFindings.flatMap(\.signs)) == [
                ReportSign("client-need-unmet", subject: "windows", value: "windows-lock-and-proppatch"),
                ReportSign("client-need-unmet", subject: "finder", value: "finder-mkcol-without-slash"),
            ])
        #expect(report.clients.allSatisfy { $0.source.hasPrefix("catalog:") })

        // The same check as HTML, opened in headless Chromium: probes and client needs are on the page.
        let html = try DavDoctorBinary.run(["check", nginx.url("/docs/"), "--client", "windows,finder", "--format", "html"])
        let page = NSTemporaryDirectory() + "davdoctor-check-\(UUID().uuidString).html"
        try html.stdout.write(toFile: page, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: page) }
        let profile = try Processes.temporaryDirectory("chromium")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let dom = try Processes.run(
            try Need.executable("chromium"),
            ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--dump-dom", "file://\(page)"])
        // The page's parts by their ids and classes; their wording is pinned by the snapshot tests.
        #expect(dom.contains("id=\"probes-h\"") && dom.contains("id=\"clients-h\""))
        // Without --allow-writes Finder's MKCOL is not tried: only the Windows need is unmet here.
        #expect(dom.components(separatedBy: "<td>unmet</td>").count - 1 == 1)
        #expect(dom.components(separatedBy: "data-cause=\"client\"").count - 1 == 1)
    }

    @Test func davdoctorServeMeetsEveryClient() throws {
        let serve = try Peer.start("davdoctor", profile: "clean")
        defer { serve.stop() }
        let (report, status) = try check(serve, "all")
        #expect(status == 0)
        #expect(report.findings.isEmpty, "\(report.findings.map(\.signs))")
        #expect(Set(report.clients.map(\.client)).count == 10)
        // serve keeps files, not calendars: the calendar clients' discovery needs are not judged there.
        let calendarNeeds = [
            "davx5-discovery", "davx5-change-markers", "thunderbird-discovery", "thunderbird-change-markers", "apple-well-known",
            "apple-change-markers",
        ]
        let fileNeeds = report.clients.filter { !calendarNeeds.contains($0.requirement) }
        #expect(fileNeeds.allSatisfy { $0.verdict == "met" }, "\(fileNeeds.filter { $0.verdict != "met" }.map(\.requirement))")
        #expect(report.clients.filter { calendarNeeds.contains($0.requirement) }.allSatisfy { $0.verdict != "unmet" })
    }
}
