import DAVCore

/// One line of a server log, read into what correlation needs. Times are seconds since 1970, UTC: log
/// formats without a zone (nginx's, lighttpd's and Apache's error logs) are read as UTC, the zone these
/// servers log in when the host runs in UTC; `--utc-offset` corrects it otherwise.
public struct LogEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case access, error }

    public var kind: Kind
    public var time: Int?
    /// For access lines: the request's method, decoded path and status.
    public var method: String?
    public var path: String?
    public var status: Int?
    /// For error lines: `error`, `warn`, `notice` … as the server wrote it.
    public var level: String?
    /// The line as written.
    public var line: String
    /// Where it came from, `access.log:17`.
    public var source: String
}

/// The log formats davdoctor reads.
public enum LogFormat: String, Sendable, CaseIterable {
    case apache, nginx, lighttpd, davdoctor, wsgidav, rclone, nextcloud, auto

    /// Reads an access log line (common/combined and the variants Apache, nginx and lighttpd write), or
    /// a davdoctor serve JSON line. A `nextcloud.log` line, given as an access log, is read as the error
    /// line it is (its ``LogEntry/kind`` says so).
    public static func parseAccess(_ line: String, source: String) -> LogEntry? {
        if NextcloudLog.isNextcloud(line) { return NextcloudLog.parse(line, source: source) }
        if line.hasPrefix("{") { return parseJSONAccess(line, source: source) }
        // host ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "METHOD target HTTP/x" status bytes …
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else { return nil }
        let stamp = line[line.index(after: open)..<close]
        let time = parseCommonLogTime(stamp)
        guard let quote = line[close...].firstIndex(of: "\""), let endQuote = line[line.index(after: quote)...].firstIndex(of: "\"") else {
            return nil
        }
        let request = line[line.index(after: quote)..<endQuote].split(separator: " ")
        let after = line[line.index(after: endQuote)...].split(separator: " ")
        let status = after.first.flatMap { Int($0) }
        guard request.count >= 2 else {
            return LogEntry(kind: .access, time: time, method: nil, path: nil, status: status, level: nil, line: line, source: source)
        }
        let target = Href(String(request[1]))
        return LogEntry(
            kind: .access, time: time, method: String(request[0]), path: target.displayPath,
            status: status, level: nil, line: line, source: source)
    }

    /// `25/Nov/2026:11:36:13 +0000`.
    static func parseCommonLogTime(_ stamp: Substring) -> Int? {
        let parts = stamp.split(whereSeparator: { $0 == "/" || $0 == ":" || $0 == " " })
        guard parts.count >= 6, let day = Int(parts[0]), let month = HTTPDate.month(parts[1]), let year = Int(parts[2]),
            let hour = Int(parts[3]), let minute = Int(parts[4]), let second = Int(parts[5])
        else { return nil }
        var epoch = HTTPDate.epoch(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        if parts.count >= 7, let offset = Int(parts[6]), parts[6].count == 5 {
            let sign = offset < 0 ? -1 : 1
            let magnitude = abs(offset)
            epoch -= sign * ((magnitude / 100) * 3600 + (magnitude % 100) * 60)
        }
        return epoch
    }

    /// davdoctor serve's access log: one JSON object a line with time, method, path, status.
    static func parseJSONAccess(_ line: String, source: String) -> LogEntry? {
        func field(_ name: String) -> String? {
            guard let range = line.firstRange(of: "\"\(name)\"") else { return nil }
            var rest = line[range.upperBound...].drop { $0 == " " || $0 == ":" }
            if rest.first == "\"" {
                rest = rest.dropFirst()
                return String(rest.prefix { $0 != "\"" })
            }
            return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingASCIIWhitespace()
        }
        var time: Int?
        if let stamp = field("time") {
            // 2026-11-25T11:36:13Z or with fraction/offset: read the civil part as UTC.
            let parts = stamp.split(whereSeparator: { "-T:.Z+ ".contains($0) }).compactMap { Int($0) }
            if parts.count >= 6 {
                time = HTTPDate.epoch(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4], second: parts[5])
            }
        }
        let path = field("path").map { Href($0).decodedPath ?? $0 }
        return LogEntry(
            kind: .access, time: time, method: field("method"), path: path, status: field("status").flatMap { Int($0) },
            level: nil, line: line, source: source)
    }

    /// Reads an error log line of Apache, nginx, lighttpd, WsgiDAV, rclone or Nextcloud (`nextcloud.log`);
    /// `day` dates WsgiDAV's time-only lines.
    public static func parseError(_ line: String, source: String, day: Int?) -> LogEntry? {
        guard !line.isEmpty else { return nil }
        if NextcloudLog.isNextcloud(line) { return NextcloudLog.parse(line, source: source) }
        var time: Int?
        var level: String?
        if line.hasPrefix("[") {
            // Apache: [Wed Nov 25 11:36:13.297002 2026] [dav:error] [pid …] …
            if let close = line.firstIndex(of: "]") {
                let parts = line[line.index(after: line.startIndex)..<close].split(separator: " ")
                if parts.count == 5, let month = HTTPDate.month(parts[1]), let day = Int(parts[2]), let year = Int(parts[4]) {
                    let clock = parts[3].split(whereSeparator: { $0 == ":" || $0 == "." }).compactMap { Int($0) }
                    if clock.count >= 3 {
                        time = HTTPDate.epoch(year: year, month: month, day: day, hour: clock[0], minute: clock[1], second: clock[2])
                    }
                }
                let rest = line[line.index(after: close)...]
                if let open = rest.firstIndex(of: "["), let end = rest[open...].firstIndex(of: "]") {
                    level = rest[rest.index(after: open)..<end].split(separator: ":").last.map(String.init)
                }
            }
        } else if line.count >= 19, let year = Int(line.prefix(4)) {
            // nginx `2026/11/25 11:36:14 [error]`, lighttpd `2026-11-25 11:36:15: (…)`, rclone `2026/11/25 11:36:17 ERROR :`
            let numbers = line.prefix(19).split(whereSeparator: { "/-: ".contains($0) }).compactMap { Int($0) }
            if numbers.count >= 6 {
                time = HTTPDate.epoch(year: year, month: numbers[1], day: numbers[2], hour: numbers[3], minute: numbers[4], second: numbers[5])
            }
            let rest = line.dropFirst(19).trimmingASCIIWhitespace()
            if rest.hasPrefix("[") {
                level = String(rest.dropFirst().prefix { $0 != "]" })
            } else if let word = rest.split(separator: " ").first, word.allSatisfy({ $0.isUppercase }) {
                level = word.lowercased()
            } else {
                level = rest.lowercased().contains("fail") || rest.lowercased().contains("error") ? "error" : "info"
            }
        } else if line.count > 12, line.dropFirst(2).first == ":", line.dropFirst(5).first == ":" {
            // WsgiDAV: `11:36:16.172 - ERROR   : …` (time of day only)
            let clock = line.prefix(8).split(separator: ":").compactMap { Int($0) }
            if clock.count == 3, let day { time = day + clock[0] * 3600 + clock[1] * 60 + clock[2] }
            if let dash = line.firstIndex(of: "-") {
                level = line[line.index(after: dash)...].split(separator: " ").first.map { $0.lowercased() }
            }
        } else {
            return nil
        }
        return LogEntry(kind: .error, time: time, method: nil, path: nil, status: nil, level: level, line: line, source: source)
    }
}
