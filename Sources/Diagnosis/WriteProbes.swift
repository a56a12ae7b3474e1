import DAVCore

/// What the reads after a write prove: room left where it went (RFC 4331 quota), whether it took effect
/// (HEAD), and whether the share takes writes at all (OPTIONS Allow). Servers answer a full disk with 500,
/// 405 or even 201, and a read-only share with 403, 404, 405 or 500: these reads name the cause the status
/// hides.
enum WriteProbes {
    /// Writes the answer refused, or took only in part.
    static func failed(_ analysis: AnalysisResult) -> Bool {
        guard let status = analysis.status else { return false }
        return status >= 400 || (status == 207 && ((analysis.collector?.failingCount ?? 0) > 0 || propertyRefusal(analysis) != nil))
    }

    /// The status a 207 gave the properties it would not store (a PROPPATCH's 500 or 507 propstat), when
    /// that is all that failed; 424 only points at another failure.
    static func propertyRefusal(_ analysis: AnalysisResult) -> Int? {
        guard analysis.status == 207, let collector = analysis.collector, collector.failingCount == 0 else { return nil }
        let codes = Set(collector.failedProperties.keys.map(\.status))
        return [500, 507, 403].first { codes.contains($0) }
    }

    /// The bytes the write needed: its body, or a little for a new name.
    static func needed(_ analysis: AnalysisResult) -> Int64 {
        max(Int64(analysis.context.request.body?.count ?? 0), 4096)
    }

    static func space(_ analysis: AnalysisResult, outcome: ProbeOutcome, findings: inout [Finding]) -> Finding? {
        guard failed(analysis), outcome.head?.status == 207,
            let text = outcome.multistatus?.responses.first?.value(of: DAV.quotaAvailableBytes)?.text.trimmingASCIIWhitespace(),
            let available = Int64(text)
        else { return nil }
        let target = outcome.probe.subject
        guard available < needed(analysis) else {
            for index in findings.indices where findings[index].cause == .storage { findings[index].likelihood = .low }
            return nil
        }
        for index in findings.indices where findings[index].cause != .storage { findings[index].likelihood = .low }
        return Finding(
            cause: .storage, likelihood: .high, title: "no room left where \(target) goes: \(available) bytes free",
            resources: [target],
            evidence: [
                "\(Href(outcome.probe.url).displayPath) reports quota-available-bytes \(available), less than the \(needed(analysis)) bytes the \(analysis.context.method) needed",
                "the server answered \(analysis.head?.statusLine ?? "207") instead of 507 Insufficient Storage (RFC 4918 §11.5)",
            ],
            fixes: FixBook.storage(server: analysis.server.kind), status: analysis.status)
    }

    static func effect(_ analysis: AnalysisResult, head: ResponseHead) -> Finding? {
        let path = analysis.context.requestPath
        switch analysis.context.method {
        case "PUT" where (head.status == 404 || head.status == 410) && CacheRule.cacheHit(head) == nil:
            // (A 404 a cache kept from before says nothing of the PUT.)
            return Finding(
                cause: .permission, likelihood: .high, signs: [Sign("write-not-kept", subject: path, value: String(head.status))],
                title: "the PUT of \(path) did not take: nothing is there",
                resources: [path],
                evidence: [
                    "the PUT answered \(analysis.head?.statusLine ?? "2xx"), yet HEAD of \(path) right after answers \(Wording.status(head.status)): the server never created the file and said so to no one",
                    "a full disk leaves a file cut short, which HEAD finds; no file at all is a directory the server cannot write (a read-only mount, or one its user may not write)",
                ],
                fixes: FixBook.unwritableStorage(path: URLPath.parent(of: path), server: analysis.server.kind))
        case "MKCOL" where head.status == 404 || head.status == 410, "MKCALENDAR" where head.status == 404 || head.status == 410:
            return Finding(
                cause: .permission, likelihood: .medium, signs: [Sign("write-not-kept", subject: path, value: String(head.status))],
                title: "the \(analysis.context.method) of \(path) did not take: no collection is there",
                resources: [path],
                evidence: [
                    "the \(analysis.context.method) answered \(analysis.head?.statusLine ?? "2xx"), yet PROPFIND of \(path) right after answers \(Wording.status(head.status)): the server never made the collection and said so to no one",
                    "mkdir fails so in a directory the server cannot write (a read-only mount, or one its user may not write), or on a file system with no inode left",
                ],
                fixes: FixBook.unwritableStorage(path: URLPath.parent(of: URLPath.withoutTrailingSlash(path)), server: analysis.server.kind))
        case "PUT":
            let sent = analysis.context.request.body?.count ?? 0
            guard head.status == 200, let length = head.headers["Content-Length"].flatMap({ Int($0.trimmingASCIIWhitespace()) }), length < sent else {
                return nil
            }
            return Finding(
                cause: .storage, likelihood: .high, title: "the server kept \(length) of the \(sent) bytes PUT to \(path)",
                resources: [path],
                evidence: [
                    "the PUT answered \(analysis.head?.statusLine ?? "2xx"), yet HEAD says Content-Length: \(length): the write stopped short, as it does when the disk fills (ENOSPC) and the server ignores the short write"
                ],
                fixes: FixBook.storage(server: analysis.server.kind) + [Fix("Upload the file again once there is room, and compare its size", .easy)])
        case "DELETE":
            guard head.status == 200 else { return nil }
            return Finding(
                cause: .permission, likelihood: .high, title: "the DELETE of \(path) did not take: it is still there",
                resources: [path],
                evidence: [
                    "the DELETE answered \(analysis.head?.statusLine ?? "2xx"), yet HEAD still answers 200: the server could not remove it (a read-only file system or directory behind the share) and said so to no one"
                ],
                fixes: [
                    Fix(
                        "Check that the directory behind \(URLPath.parent(of: path)) is writable by the server's user and not mounted read-only",
                        .medium)
                ])
        default:
            return nil
        }
    }

    /// A write refused on a share whose OPTIONS names no method that writes.
    static func readOnly(_ analysis: AnalysisResult, options: ResponseHead, findings: [Finding]) -> Finding? {
        guard failed(analysis), findings.first?.cause != .permission, options.status < 400, let allow = options.headers["Allow"],
            let evidence = StatusRule.readOnlyShare(method: analysis.context.method, allow: allow, server: analysis.server.kind)
        else { return nil }
        let path = analysis.context.requestPath
        return Finding(
            cause: .permission, likelihood: .high, title: "\(path) is on a read-only share: the server refuses every write there",
            resources: [path],
            evidence: ["OPTIONS answers \(evidence)", "the \(analysis.context.method) answered \(analysis.head?.statusLine ?? "")"],
            fixes: FixBook.readOnly(path: path, server: analysis.server.kind), status: analysis.status)
    }
}
