import DAVCore

/// `davdoctor proxy`: the same request sent straight to the server and through the proxy, and every
/// difference that matters: status, Content-Type, Content-Length against the body, Content-Encoding, how
/// hrefs were (not) rewritten and the mapping that would make them agree, responses missing, statuses
/// changed. Each difference is a `proxy` finding naming the directive that fixes it.
public struct ProxyComparison: Sendable {
    /// One side: the analysis of its answer and the bytes its body held.
    public struct Side: Sendable {
        public var url: String
        public var analysis: AnalysisResult
        public var bodyBytes: Int

        public init(url: String, analysis: AnalysisResult, bodyBytes: Int) {
            self.url = url
            self.analysis = analysis
            self.bodyBytes = bodyBytes
        }
    }

    public var direct: Side
    public var via: Side

    public init(direct: Side, via: Side) {
        self.direct = direct
        self.via = via
    }

    /// The findings, most telling first; none when the proxy passes the answer through faithfully.
    public func findings() -> [Finding] {
        var findings = framingFindings()
        let directHead = direct.analysis.head
        let viaHead = via.analysis.head
        let viaPath = Href(via.url).path
        let directPath = Href(direct.url).path

        if let d = directHead?.status, let v = viaHead?.status, d != v {
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .high,
                    signs: [Sign("proxy-changes-status", subject: String(d), value: String(v))]
                        + (v == 401 && d < 400 ? [Sign("proxy-drops-authorization")] : []),
                    title: "the proxy changes the status: \(d) straight from the server, \(v) through the proxy",
                    resources: [Href(via.url).displayPath],
                    evidence: ["direct \(direct.url): \(d) \(HTTPStatus.reason(for: d))", "via \(via.url): \(v) \(HTTPStatus.reason(for: v))"]
                        + (d == 207 && v == 200 ? ["clients that see 200 stop looking at per-resource statuses (catalog PROXY-06)"] : [])
                        + (v == 401 && d < 400
                            ? [
                                "the same credentials work straight at the server: the proxy drops Authorization, or asks for its own (catalog PERM-02)"
                            ] : []),
                    fixes: [
                        Fix(
                            "Pass the backend's status through unchanged: no error_page/ProxyErrorOverride for 207, no rewrite rules on DAV methods",
                            .medium)
                    ]))
        }
        let dType = directHead?.headers["Content-Type"]
        let vType = viaHead?.headers["Content-Type"]
        if let dType, dType != vType {
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .high, signs: [Sign("proxy-changes-content-type", subject: dType, value: vType)],
                    title: "the proxy changes Content-Type",
                    resources: [Href(via.url).displayPath], evidence: ["direct: Content-Type: \(dType)", "via: Content-Type: \(vType ?? "(none)")"],
                    fixes: [
                        Fix(
                            "Let the backend's Content-Type through (nginx: no default_type/add_header Content-Type for the DAV location; Apache: no Header set Content-Type)",
                            .easy)
                    ]))
        }
        let lengthNamed = findings.contains { $0.signs.contains { $0.kind.hasPrefix("framing-body-") } }
        if !lengthNamed, let declared = viaHead?.headers["Content-Length"].flatMap({ Int($0.trimmingASCIIWhitespace()) }), declared != via.bodyBytes,
            viaHead?.headers["Content-Encoding"] == nil
        {
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .high, signs: [Sign("proxy-length-mismatch", subject: String(declared), value: String(via.bodyBytes))],
                    title: "through the proxy the body does not match its Content-Length",
                    resources: [Href(via.url).displayPath],
                    evidence: ["Content-Length: \(declared), body: \(via.bodyBytes) bytes", "direct: \(direct.bodyBytes) bytes"],
                    fixes: [
                        Fix(
                            "Let the proxy pass bodies whole (buffer and size limits, timeouts) and never rewrite a body without fixing its length",
                            .medium)
                    ]))
        } else if direct.bodyBytes > 0, via.bodyBytes < direct.bodyBytes / 2,
            via.analysis.collector?.responseCount ?? 0 < direct.analysis.collector?.responseCount ?? 0
        {
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .high,
                    signs: [Sign("proxy-cuts-body", subject: String(direct.bodyBytes), value: String(via.bodyBytes))],
                    title: "the body is cut on its way through the proxy",
                    resources: [Href(via.url).displayPath], evidence: ["direct: \(direct.bodyBytes) bytes, via: \(via.bodyBytes) bytes"],
                    fixes: [
                        Fix(
                            "Raise the proxy's buffer, size and time limits for DAV answers (nginx proxy_max_temp_file_size, proxy_read_timeout; Apache ProxyTimeout)",
                            .medium)
                    ]))
        }
        let dEncoding = directHead?.headers["Content-Encoding"]
        let vEncoding = viaHead?.headers["Content-Encoding"]
        if dEncoding != vEncoding {
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .low, signs: [Sign("proxy-changes-content-encoding", subject: dEncoding, value: vEncoding)],
                    title: "the proxy changes Content-Encoding",
                    resources: [Href(via.url).displayPath], evidence: ["direct: \(dEncoding ?? "identity"), via: \(vEncoding ?? "identity")"],
                    fixes: [
                        Fix("Harmless when the client decodes it; some DAV clients do not (disable gzip for the DAV location if they fail)", .easy)
                    ]))
        }
        if let finding = redirectFinding() { findings.append(finding) }
        if let finding = hrefFinding(directPath: directPath, viaPath: viaPath) { findings.append(finding) }
        findings.append(contentsOf: resourceFindings(directPath: directPath, viaPath: viaPath))
        return findings
    }

    /// Framing faults come first: a strict client refuses the whole answer. A fault seen only through the
    /// proxy is the proxy's; one the server's own answer has too is the server's, passed on.
    func framingFindings() -> [Finding] {
        func framingKinds(_ finding: Finding) -> Set<String> { Set(finding.signs.map(\.kind).filter { $0.hasPrefix("framing-") }) }
        let straight = direct.analysis.findings.reduce(into: Set<String>()) { $0.formUnion(framingKinds($1)) }
        return via.analysis.findings.compactMap { finding in
            let kinds = framingKinds(finding)
            guard !kinds.isEmpty else { return nil }
            var found = finding
            if kinds.isDisjoint(with: straight) {
                found.cause = .proxy
                if kinds.contains("framing-\(FramingFault.Kind.bodyShorter.rawValue)") {
                    found.title = "the body was cut short on its way through the proxy"
                }
                found.evidence.append("straight from the server (\(direct.url)) the answer has no such fault: the proxy frames it so")
            } else {
                found.evidence.append("the server's own answer (\(direct.url)) has the same fault: the proxy passes it on")
            }
            return found
        }
    }

    /// A redirect through the proxy should send the client back to the proxy. When its Location, or the
    /// link in its body, names another origin (the backend's), the backend was sent another Host than the
    /// client's: nginx's default proxy_redirect fixes the Location header but never the body.
    func redirectFinding() -> Finding? {
        guard let head = via.analysis.head, (300..<400).contains(head.status) else { return nil }
        let viaHref = Href(via.url)
        let viaOrigin = "\(viaHref.scheme ?? "http")://\(viaHref.authority ?? "")"
        var evidence: [String] = []
        var foreign: String?
        if let location = head.headers["Location"], let authority = Href(location).normalizedAuthority, authority != viaHref.normalizedAuthority {
            foreign = "\(Href(location).scheme ?? "http")://\(Href(location).authority ?? authority)"
            evidence.append("through the proxy: Location: \(location)")
        }
        // The body's links: the via side's own analysis already read them (StatusRule's redirect finding).
        for finding in via.analysis.findings where finding.cause == .proxy && (300..<400).contains(finding.status ?? 0) {
            for link in finding.signs where link.kind == "redirect-names-other-origin" {
                evidence.append("through the proxy: the body of the \(finding.status ?? head.status) links to \(link.value ?? "")")
                if foreign == nil { foreign = link.value }
            }
        }
        guard let foreign else { return nil }
        if let location = head.headers["Location"],
            Href(location).normalizedAuthority == viaHref.normalizedAuthority || Href(location).authority == nil
        {
            evidence.append(
                "Location: \(location) was rewritten (nginx's default proxy_redirect), the body was not: the backend itself was told another Host")
        }
        return Finding(
            cause: .proxy, likelihood: .high, signs: [Sign("proxy-does-not-pass-host", subject: viaHref.displayPath, value: foreign)],
            title: "the proxy does not pass Host on: through it, the redirect names \(foreign), not \(viaOrigin)",
            resources: [viaHref.displayPath], evidence: evidence, fixes: FixBook.proxyHost(), status: head.status)
    }

    /// Hrefs should name what the client asked for: the via URL's origin and prefix. Says how they are
    /// written through the proxy, and the mapping (prefix, origin) that would make them agree.
    func hrefFinding(directPath: String, viaPath: String) -> Finding? {
        guard let collector = via.analysis.collector, collector.responseCount > 0 else { return nil }
        let viaHref = Href(via.url)
        let viaOrigin = "\(viaHref.scheme ?? "http")://\(viaHref.authority ?? "")"
        var evidence: [String] = []
        var signs: [Sign] = []
        var fixes: [Fix] = []
        let foreign = collector.foreignOrigins.keys.sorted()
        if !foreign.isEmpty {
            evidence.append("hrefs through the proxy name \(foreign.joined(separator: ", ")), not \(viaOrigin)")
            signs += foreign.map { Sign("hrefs-name-other-origin", subject: viaOrigin, value: $0) }
            fixes += [
                Fix(
                    "Keep Host and scheme (nginx: proxy_set_header Host $host; proxy_set_header X-Forwarded-Proto $scheme; Apache: ProxyPreserveHost On), or rewrite hrefs \(foreign[0]) → \(viaOrigin)",
                    .medium)
            ]
        }
        // The prefix: the via path ends like the direct path; what comes before is what the proxy adds.
        let viaDir = viaPath.hasSuffix("/") ? viaPath : viaPath + "/"
        let directDir = directPath.hasSuffix("/") ? directPath : directPath + "/"
        if viaDir != directDir, viaDir.hasSuffix(directDir) {
            let prefix = String(viaDir.dropLast(directDir.count))
            let paths = collector.records.map(\.path)
            let lacking = paths.filter { !$0.hasPrefix(prefix + "/") && $0 != prefix }
            if !paths.isEmpty, lacking.count == paths.count {
                evidence.append(
                    "the proxy serves \(directDir) under \(prefix)\(directDir); \(lacking.count) href(s) lack \(prefix) (e.g. \(lacking[0]))")
                evidence.append("mapping that makes them agree: \(prefix)/… (client) ↔ /… (backend), in both directions, hrefs and Destination alike")
                signs.append(Sign("href-mapping", subject: prefix + "/", value: "/"))
                fixes += [
                    Fix(
                        "Mount the backend under the same path (nginx: location \(prefix)/ { proxy_pass http://backend\(prefix)/; }; Apache: ProxyPass \(prefix)/ http://backend\(prefix)/) so nothing needs rewriting",
                        .medium),
                    Fix("Or tell the backend its public base path (X-Script-Name, WsgiDAV mount_path, Nextcloud overwritewebroot)", .medium),
                ]
            }
        }
        guard !evidence.isEmpty else { return nil }
        return Finding(
            cause: .proxy, likelihood: .high, signs: signs, title: "the proxy does not rewrite hrefs to the address the client uses",
            resources: [viaHref.displayPath], evidence: evidence, fixes: fixes)
    }

    /// Resources the server listed that the proxy's answer lacks, and statuses that differ.
    func resourceFindings(directPath: String, viaPath: String) -> [Finding] {
        guard let d = direct.analysis.collector, let v = via.analysis.collector else { return [] }
        func key(_ path: String) -> String { URLPath.withoutTrailingSlash(path) }
        // Bring the via paths to the server's view: drop a prefix the proxy adds, if the hrefs carry it.
        let viaDir = viaPath.hasSuffix("/") ? viaPath : viaPath + "/"
        let directDir = directPath.hasSuffix("/") ? directPath : directPath + "/"
        let prefix = viaDir != directDir && viaDir.hasSuffix(directDir) ? String(viaDir.dropLast(directDir.count)) : ""
        var viaStatus: [String: Int] = [:]
        for record in v.records {
            let path = !prefix.isEmpty && record.path.hasPrefix(prefix + "/") ? String(record.path.dropFirst(prefix.count)) : record.path
            viaStatus[key(path)] = record.status ?? 0
        }
        var missing: [String] = []
        var changed: [String] = []
        for record in d.records {
            guard let status = viaStatus[key(record.path)] else {
                missing.append(record.path)
                continue
            }
            if status != (record.status ?? 0) { changed.append("\(record.path): \(record.status ?? 0) direct, \(status) via") }
        }
        var findings: [Finding] = []
        if !missing.isEmpty, v.responseCount > 0 || d.responseCount > 0 {
            var evidence = ["direct: \(d.responseCount) responses, via: \(v.responseCount)"]
            var signs = [Sign("proxy-misses-resources", subject: String(d.responseCount), value: String(v.responseCount))]
            if v.responseCount == 1, d.responseCount > 1, via.bodyBytes >= direct.bodyBytes / max(d.responseCount, 1) {
                evidence.append("through the proxy only the resource itself comes back, as if Depth: 0: the proxy drops or rewrites the Depth header")
                signs.append(Sign("proxy-drops-depth"))
            }
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .high, signs: signs,
                    title: "\(missing.count) resource(s) the server lists are missing through the proxy",
                    resources: Array(missing.prefix(ResponseCollector.examplesKept)), resourceCount: missing.count,
                    evidence: evidence,
                    fixes: [Fix("Check that the proxy passes Depth and the request body unchanged, and does not cut long answers", .medium)]))
        }
        if !changed.isEmpty {
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .medium, signs: [Sign("proxy-changes-resource-status", value: String(changed.count))],
                    title: "\(changed.count) resource(s) answer with another status through the proxy",
                    resources: changed.prefix(ResponseCollector.examplesKept).map { String($0.prefix { $0 != ":" }) },
                    resourceCount: changed.count, evidence: Array(changed.prefix(5)),
                    fixes: [Fix("Pass requests through unchanged (Authorization, Depth, If, Lock-Token) so both ends see the same request", .medium)])
            )
        }
        return findings
    }
}
