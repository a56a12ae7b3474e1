import DAVCore

/// Cross-references server logs with a report (the guide's "cross-reference server logs with the 207
/// payload … timing windows"): log lines about the failing resources, near the answer's time, become
/// evidence; an error line that names the cause settles an ambiguous finding; and what the server logged
/// but the answer does not show (a lock database error behind a 500) becomes a finding of its own.
public struct LogCorrelator: Sendable {
    public var findings: [Finding]
    public let requestPath: String
    /// The answer's time (its Date header), seconds since 1970.
    public let time: Int?
    public let window: Int
    public private(set) var accessLines = 0
    public private(set) var errorLines = 0
    private var matchedAccess: [Int: [LogEntry]] = [:]
    private var matchedErrors: [Int: [LogEntry]] = [:]
    private var unmatchedErrors: [LogEntry] = []
    /// Every error line in the window (bounded), to tell which connection a line belongs to.
    private var windowErrors: [LogEntry] = []
    private var otherRequestPaths = Set<String>()
    static let perFinding = 8

    /// The answer's status: lines the server logged but the answer does not show are looked for behind 5xx answers.
    public let answerStatus: Int?

    public init(findings: [Finding], requestPath: String, time: Int?, window: Int, answerStatus: Int? = nil) {
        self.answerStatus = answerStatus
        self.findings = findings
        self.requestPath = requestPath
        self.time = time
        self.window = window
    }

    private func inWindow(_ entry: LogEntry) -> Bool {
        guard let time, let when = entry.time else { return time == nil }
        return abs(when - time) <= window
    }

    /// The resources each finding is about, with the request's own path for findings on the whole answer.
    private func subjects(_ finding: Finding) -> [String] {
        finding.resources.isEmpty ? [requestPath] : finding.resources
    }

    public mutating func add(access entry: LogEntry) {
        accessLines += 1
        guard inWindow(entry), let path = entry.path else { return }
        var matched = false
        for (index, finding) in findings.enumerated() where subjects(finding).contains(where: { Self.covers($0, path) }) {
            matched = true
            if matchedAccess[index, default: []].count < Self.perFinding { matchedAccess[index, default: []].append(entry) }
        }
        // The request itself (a DELETE of /locks/ whose finding names the locked member) belongs to the top finding.
        if !matched, !findings.isEmpty, URLPath.withoutTrailingSlash(path) == URLPath.withoutTrailingSlash(requestPath) {
            matched = true
            if matchedAccess[0, default: []].count < Self.perFinding { matchedAccess[0, default: []].append(entry) }
        }
        if !matched { otherRequestPaths.insert(URLPath.withoutTrailingSlash(path)) }
    }

    public mutating func add(error entry: LogEntry) {
        errorLines += 1
        guard inWindow(entry) else { return }
        if windowErrors.count < 2000 { windowErrors.append(entry) }
        let level = (entry.level ?? "").lowercased()
        guard !["notice", "info", "debug"].contains(level) || LogClassifier.cause(of: entry.line) != nil else { return }
        var matched = false
        for (index, finding) in findings.enumerated() where subjects(finding).contains(where: { Self.mentions(entry.line, $0) }) {
            matched = true
            if matchedErrors[index, default: []].count < Self.perFinding { matchedErrors[index, default: []].append(entry) }
        }
        // A line that names no path but logs this answer's status (lighttpd's "request-size too long: 4096 -> 413")
        // is this request's; behind a 5xx such lines are weighed as unexplained below instead.
        if !matched, !findings.isEmpty, let answerStatus, answerStatus < 500, Self.loggedStatus(entry.line) == answerStatus {
            matched = true
            let index = LogClassifier.cause(of: entry.line).flatMap { cause in findings.firstIndex { $0.cause == cause } } ?? 0
            if matchedErrors[index, default: []].count < Self.perFinding { matchedErrors[index, default: []].append(entry) }
        }
        if !matched && unmatchedErrors.count < 50 && LogClassifier.cause(of: entry.line) != nil { unmatchedErrors.append(entry) }
    }

    /// The findings with the log evidence folded in, re-ranked.
    public func conclude() -> (findings: [Finding], notes: [String]) {
        var findings = findings
        var notes: [String] = []
        for (index, entries) in matchedAccess {
            for entry in entries { findings[index].evidence.append("access log (\(entry.source)): \(Self.clip(entry.line))") }
            findings[index].signs += entries.map { Self.sign("access-log-line", $0) }
        }
        // Error lines name the cause: raise the finding they confirm, lower the ones they rule out.
        var confirmed: [Int: Cause] = [:]
        for (index, entries) in matchedErrors {
            for entry in entries {
                findings[index].evidence.append("error log (\(entry.source)): \(Self.clip(entry.line))")
                findings[index].signs.append(Self.sign("error-log-line", entry))
                if let cause = LogClassifier.cause(of: entry.line) { confirmed[index] = cause }
            }
        }
        for (index, cause) in confirmed {
            let resources = Set(subjects(findings[index]))
            for other in findings.indices where !Set(subjects(findings[other])).isDisjoint(with: resources) {
                if findings[other].cause == cause {
                    findings[other].likelihood = .high
                    if other != index { findings[other].evidence.append("the error log names this cause (see the lines above)") }
                } else if findings[other].likelihood != .high
                    || findings.contains(where: { $0.cause == cause && !Set(subjects($0)).isDisjoint(with: resources) })
                {
                    findings[other].likelihood = .low
                    findings[other].evidence.append("the error log points to \(cause.rawValue) instead")
                }
            }
            if !findings.contains(where: { $0.cause == cause && !Set(subjects($0)).isDisjoint(with: resources) }) {
                findings.append(
                    Finding(
                        cause: cause, likelihood: .high, signs: matchedErrors[index, default: []].map { Self.sign("error-log-line", $0) },
                        title: "the server's error log shows \(LogClassifier.describe(cause)) behind this answer",
                        resources: Array(resources),
                        evidence: matchedErrors[index, default: []].map { "error log (\($0.source)): \(Self.clip($0.line))" },
                        fixes: LogClassifier.fixes(cause)))
            }
        }
        // What the server logged that the answer does not show.
        let behindServerError = (answerStatus ?? 0) >= 500 || findings.contains { ($0.status ?? 0) >= 500 }
        // Lines of one connection (Apache's [client ip:port], nginx's *N) belong together: if any of them
        // names another request's path, or logs another status, the whole group is that request's.
        let foreignConnections = Set(
            windowErrors.compactMap { entry -> String? in
                guard let key = Self.connectionKey(entry.line) else { return nil }
                if let logged = Self.loggedStatus(entry.line), logged != answerStatus { return key }
                return otherRequestPaths.contains { path in path.count > 1 && Self.mentions(entry.line, path) } ? key : nil
            })
        let unexplained =
            !behindServerError
            ? []
            : unmatchedErrors.filter { entry in
                // Apache writes the status it sent ([409, #0]): a line with another status is another request's.
                if let logged = Self.loggedStatus(entry.line), logged != answerStatus { return false }
                if let key = Self.connectionKey(entry.line), foreignConnections.contains(key) { return false }
                return !otherRequestPaths.contains { path in path.count > 1 && Self.mentions(entry.line, path) }
            }
        var byCause: [Cause: [LogEntry]] = [:]
        for entry in unexplained { if let cause = LogClassifier.cause(of: entry.line) { byCause[cause, default: []].append(entry) } }
        for (cause, entries) in byCause.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let lines = entries.prefix(Self.perFinding).map { "error log (\($0.source)): \(Self.clip($0.line))" }
            if let index = findings.firstIndex(where: { $0.cause == cause }) {
                // The answer already pointed this way; the log says why.
                findings[index].likelihood = .high
                if findings[index].sign("server-failed-unexplained") != nil {
                    findings[index].title += ": \(LogClassifier.describe(cause)), says its error log"
                }
                findings[index].evidence += lines + ["the server logged this within \(window) s of the answer; the answer itself does not say it"]
                findings[index].signs += entries.prefix(Self.perFinding).map { Self.sign("error-log-line", $0) }
                for fix in LogClassifier.fixes(cause) where !findings[index].fixes.contains(fix) { findings[index].fixes.insert(fix, at: 0) }
            } else {
                findings.append(
                    Finding(
                        cause: cause, likelihood: .medium, signs: entries.prefix(Self.perFinding).map { Self.sign("error-log-line", $0) },
                        title: "the server logged \(LogClassifier.describe(cause)) that the answer does not show",
                        resources: [requestPath],
                        evidence: lines + ["these lines fall within \(window) s of the answer and name no other request"],
                        fixes: LogClassifier.fixes(cause)))
            }
        }
        if matchedAccess.isEmpty && matchedErrors.isEmpty && byCause.isEmpty {
            notes.append(
                "no log line within \(window) s of the answer names its resources (\(accessLines) access and \(errorLines) error lines read)")
        }
        return (findings.rankedByLikelihood(), notes)
    }

    /// A log line as data: `access-log-line` or `error-log-line`, subject where it is (`error.log:3`), value the line.
    static func sign(_ kind: String, _ entry: LogEntry) -> Sign { Sign(kind, subject: entry.source, value: clip(entry.line)) }

    /// Whether a log path is the resource or inside a failing collection.
    static func covers(_ resource: String, _ path: String) -> Bool {
        let r = URLPath.withoutTrailingSlash(resource)
        let p = URLPath.withoutTrailingSlash(path)
        return p == r || (resource.hasSuffix("/") && URLPath.isWithin(p, r))
    }

    /// Whether a log line names `path`: as written, percent-encoded, or as the tail of a file system
    /// path (`…/root/nope/new.txt`), or without its leading slash (rclone: `quota/big.bin:`).
    static func mentions(_ line: String, _ path: String) -> Bool {
        let trimmed = URLPath.withoutTrailingSlash(path)
        guard trimmed.count > 1 else { return false }
        for form in [trimmed, URLPath.encode(trimmed)] {
            var rest = Substring(line)
            while let range = rest.firstRange(of: form) {
                let after = rest[range.upperBound...].first
                if after == nil
                    || !(after!.isLetter || after!.isNumber || after! == "-" || after! == "_"
                        || after! == "." && rest[range.upperBound...].dropFirst().first?.isLetter == true)
                {
                    return true
                }
                rest = rest[range.upperBound...]
            }
        }
        let relative = String(trimmed.dropFirst())
        return line.contains(" \(relative):") || line.contains(" \(relative) ")
    }

    /// Apache's `[client 127.0.0.1:56004]` or nginx's `*28` connection number, to group a request's lines.
    static func connectionKey(_ line: String) -> String? {
        if let range = line.firstRange(of: "[client ") {
            return String(line[range.upperBound...].prefix { $0 != "]" })
        }
        if let star = line.firstRange(of: ": *") {
            let digits = line[star.upperBound...].prefix { $0.isNumber }
            return digits.isEmpty ? nil : "*" + digits
        }
        return nil
    }

    /// The `[NNN, #N]` status Apache's mod_dav appends to its error lines.
    static func loggedStatus(_ line: String) -> Int? {
        // lighttpd: "request-size too long: 4096 -> 413"
        if let arrow = line.ranges(of: " -> ").last {
            let tail = line[arrow.upperBound...].trimmingASCIIWhitespace()
            if tail.count == 3, let code = Int(tail) { return code }
        }
        guard let range = line.firstRange(of: ", #"), line[..<range.lowerBound].count >= 4 else { return nil }
        let digits = line[..<range.lowerBound].suffix(3)
        return line[..<range.lowerBound].dropLast(3).last == "[" ? Int(digits) : nil
    }

    static func clip(_ line: String) -> String {
        line.count > 300 ? String(line.prefix(300)) + "…" : line
    }
}

/// Names the cause an error log line points to, from the words servers use.
enum LogClassifier {
    static let table: [(needles: [String], cause: Cause)] = [
        // Exception classes SabreDAV and Nextcloud name in their logs (nextcloud.log), most specific first.
        (["sabre\\dav\\exception\\locked", "sabre\\dav\\exception\\conflictinglock", "exception\\filelocked", "ocp\\lock\\lockedexception"], .lock),
        (
            ["sabre\\dav\\exception\\insufficientstorage", "ocp\\files\\notenoughspaceexception", "ocp\\files\\storagenotavailableexception"],
            .storage
        ),
        (
            [
                "sabre\\dav\\exception\\notauthenticated", "sabre\\dav\\exception\\forbidden", "sabre\\dav\\exception\\needprivileges",
                "connector\\sabre\\exception\\forbidden", "ocp\\files\\notpermittedexception",
            ], .permission
        ),
        (
            [
                "sabre\\dav\\exception\\notfound", "sabre\\dav\\exception\\conflict", "connector\\sabre\\exception\\invalidpath",
                "ocp\\files\\notfoundexception",
            ], .path
        ),
        (
            [
                "sabre\\dav\\exception\\methodnotallowed", "sabre\\dav\\exception\\serviceunavailable", "connector\\sabre\\exception\\entitytoolarge",
                "sabre\\dav\\exception\\notimplemented",
            ], .serverConfig
        ),
        (
            [
                "sabre\\dav\\exception\\badrequest", "sabre\\dav\\exception\\unsupportedmediatype", "sabre\\dav\\exception\\reportnotsupported",
                "sabre\\dav\\exception\\preconditionfailed", "sabre\\dav\\exception\\invalidsynctoken",
            ], .client
        ),
        (["lock database", "locks could not be queried", "davlockdb"], .serverConfig),
        (["no space left", "enospc", "(28)", "oserror(28", "file too big for remaining disk space", "has written only", "quota"], .storage),
        (
            [
                "permission denied", "(13)", "password doesn't match", "password mismatch", "unauthorized request", "not found in user file",
                "authentication failure", "user not found", "access forbidden by rule", "client denied by server configuration",
            ], .permission
        ),
        (["invalid \"destination\"", "destination uri", "destination header", "different scheme or port"], .proxy),
        (["request-size too long", "too large body", "limitrequestbody", "request body is larger"], .serverConfig),
        (["is locked", "lock token", "locked resource", "(423)"], .lock),
        (["depth of \"infinity\"", "depth infinity"], .serverConfig),
        (
            ["no such file or directory", "intermediate collection does not exist", "mkcol can create a collection only", "(2)", "does not exist"],
            .path
        ),
    ]

    static func cause(of line: String) -> Cause? {
        let lower = line.lowercased()
        for entry in table where entry.needles.contains(where: { lower.contains($0) }) { return entry.cause }
        return nil
    }

    static func describe(_ cause: Cause) -> String {
        switch cause {
        case .serverConfig: "a configuration error (lock database, limits)"
        case .storage: "a full disk or quota"
        case .permission: "an authentication or permission error"
        case .proxy: "a refused Destination"
        case .lock: "a lock conflict"
        case .path: "a missing file or directory"
        case .client: "a request the server refused as malformed or out of date"
        default: "an error"
        }
    }

    static func fixes(_ cause: Cause) -> [Fix] {
        switch cause {
        case .serverConfig:
            [
                Fix(
                    "Point DavLockDB (or the server's lock store) at a writable local path and install its DBM driver; check the limits the log names",
                    .medium)
            ]
        case .storage: FixBook.storage(server: .unknown)
        case .permission: [Fix("Give the server's user the file system rights the log names, or fix the credentials it rejects", .medium)]
        case .proxy: FixBook.proxyDestination(server: .unknown)
        case .lock: [Fix("Find the lock with PROPFIND lockdiscovery and clear it with its token", .medium)]
        case .path: [Fix("Create the missing parent collection (MKCOL) or correct the path", .easy)]
        case .client: [Fix("Compare the request the log names with what the server accepts (its body, its If or sync-token headers)", .medium)]
        default: [Fix("Read the log lines above", .easy)]
        }
    }
}
