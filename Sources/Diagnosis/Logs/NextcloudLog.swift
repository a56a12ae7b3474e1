import DAVCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads `nextcloud.log` (ownCloud's `owncloud.log` too): one JSON object a line with `reqId`, `level`
/// (0 debug … 4 fatal), `time`, `remoteAddr`, `user`, `method`, `url`, `message` and, since Nextcloud
/// 14, an `exception` object naming the SabreDAV or Nextcloud exception class. Older versions put that
/// object, as JSON text, in `message` after `Exception: `.
enum NextcloudLog {
    struct Line: Decodable {
        var reqId: String?
        var level: Int?
        var time: String?
        var remoteAddr: String?
        var user: String?
        var app: String?
        var method: String?
        var url: String?
        var message: String?
        var exception: Thrown?
    }

    struct Thrown: Decodable {
        var exception: String?
        var message: String?
        var previous: Cause?

        private enum CodingKeys: String, CodingKey {
            case exception = "Exception"
            case message = "Message"
            case previous = "Previous"
        }

        /// The exception that led to it (`OCP\Lock\LockedException` behind `FileLocked`).
        struct Cause: Decodable {
            var exception: String?
            var message: String?

            private enum CodingKeys: String, CodingKey {
                case exception = "Exception"
                case message = "Message"
            }
        }
    }

    static let levels = ["debug", "info", "warn", "error", "fatal"]

    /// Whether `line` is one of these (a davdoctor serve JSON line has no `reqId`).
    static func isNextcloud(_ line: String) -> Bool { line.hasPrefix("{") && line.contains("\"reqId\"") }

    static func parse(_ text: String, source: String) -> LogEntry? {
        guard let line = try? JSONDecoder().decode(Line.self, from: Data(text.utf8)) else { return nil }
        var thrown = line.exception
        if thrown == nil, let message = line.message, message.hasPrefix("Exception: {") {
            thrown = try? JSONDecoder().decode(Thrown.self, from: Data(message.dropFirst("Exception: ".count).utf8))
        }
        let path = line.url.map { url -> String in
            let target = String(url.prefix { $0 != "?" })
            return Href(target).decodedPath ?? target
        }
        // The line as a person reads it: the request, then what was thrown (class and message), then who.
        var parts: [String] = []
        if let method = line.method, let path { parts.append("\(method) \(path)") }
        if let thrown, let name = thrown.exception {
            parts.append("\(name): \(thrown.message ?? "")")
            if let previous = thrown.previous, let name = previous.exception { parts.append("after \(name): \(previous.message ?? "")") }
        } else if let message = line.message {
            parts.append(message)
        }
        var who: [String] = []
        if let user = line.user, user != "--" { who.append("user \(user)") }
        if let reqId = line.reqId { who.append("reqId \(reqId)") }
        if !who.isEmpty { parts.append("(\(who.joined(separator: ", ")))") }
        return LogEntry(
            kind: .error, time: line.time.flatMap(parseTime), method: line.method, path: path, status: nil,
            level: line.level.flatMap { levels.indices.contains($0) ? levels[$0] : nil }, line: parts.joined(separator: " — "), source: source)
    }

    /// `2026-12-04T20:41:44+00:00` (ISO 8601 with its offset), or with a fraction.
    static func parseTime(_ stamp: String) -> Int? {
        let digits = stamp.split(whereSeparator: { "-T:.Z+ ".contains($0) })
        guard digits.count >= 6, let year = Int(digits[0]), let month = Int(digits[1]), let day = Int(digits[2]),
            let hour = Int(digits[3]), let minute = Int(digits[4]), let second = Int(digits[5])
        else { return nil }
        var epoch = HTTPDate.epoch(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        // The zone: the last `+hh:mm` or `-hh:mm` after the time.
        let afterTime = stamp.dropFirst(19)
        if let sign = afterTime.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = afterTime[afterTime.index(after: sign)...].split(separator: ":").compactMap { Int($0) }
            if zone.count == 2 { epoch -= (afterTime[sign] == "-" ? -1 : 1) * (zone[0] * 3600 + zone[1] * 60) }
        }
        return epoch
    }
}
