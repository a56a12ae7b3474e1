/// The checks a calendar or address-book client's parser makes of `calendar-data` and `address-data`
/// before it keeps an object: what the server stored may be accepted by the server and still be dropped,
/// duplicated or refused on every sync by the clients that read it.
///
/// Only the structure is checked (lines, components, the properties every client keys on), never the
/// meaning of values. Line ends are not judged: an XML parser turns CRLF into LF (XML 1.0 §2.11), so a
/// REPORT's object data cannot show them.
public enum ObjectDataCheck {
    public enum Format: String, Sendable, Hashable {
        case iCalendar = "iCalendar"
        case vCard = "vCard"

        var outer: String { self == .iCalendar ? "VCALENDAR" : "VCARD" }
    }

    public enum Problem: Sendable, Hashable {
        /// The property is there but holds nothing.
        case empty
        /// The data does not start with `BEGIN:VCALENDAR` / `BEGIN:VCARD`.
        case notThisFormat(firstLine: String)
        case missingVersion
        case missingUID
        /// More than one UID in one calendar object resource (RFC 4791 §4.1).
        case severalUIDs([String])
        /// A line that is neither `NAME:value` nor a continuation (starting with a space or tab).
        case brokenFolding(line: Int, text: String)
        /// BEGIN and END do not pair up.
        case unbalanced(String)

        /// A stable name for the problem (`missing-uid`).
        public var kind: String {
            switch self {
            case .empty: "empty"
            case .notThisFormat: "not-this-format"
            case .missingVersion: "missing-version"
            case .missingUID: "missing-uid"
            case .severalUIDs: "several-uids"
            case .brokenFolding: "broken-folding"
            case .unbalanced: "unbalanced"
            }
        }

        /// Which rule it breaks.
        public var rule: String {
            switch self {
            case .empty: "RFC 4791 §9.6 / RFC 6352 §10.4: the object's data was asked for"
            case .notThisFormat: "RFC 5545 §3.4 / RFC 6350 §6.1.1"
            case .missingVersion: "RFC 5545 §3.7.4 / RFC 6350 §6.7.9: VERSION is required"
            case .missingUID: "RFC 4791 §4.1 / RFC 6352 §5.1: every calendar object and vCard on a server has a UID"
            case .severalUIDs: "RFC 4791 §4.1: one calendar object resource holds one UID (with its recurrence overrides)"
            case .brokenFolding: "RFC 5545 §3.1 / RFC 6350 §3.2: a continuation line starts with a space or a tab"
            case .unbalanced: "RFC 5545 §3.4: every BEGIN has its END"
            }
        }

        /// What the clients that meet it do.
        public var clientEffect: String {
            switch self {
            case .empty:
                "DAVx5, Thunderbird and Apple clients store an empty item or skip it and ask again on every sync"
            case .notThisFormat, .unbalanced:
                "strict parsers (ical4j and ez-vcard in DAVx5, libical in Evolution and GNOME, Thunderbird's) refuse the whole object"
            case .missingVersion:
                "parsers that branch on VERSION (ez-vcard in DAVx5, Apple Contacts, libical) refuse the object or read it as another version"
            case .missingUID:
                "clients key objects by UID: Thunderbird, Apple Calendar and DAVx5 skip it or make a new copy on every sync"
            case .severalUIDs:
                "DAVx5 and Apple Calendar keep one of the events and lose the others"
            case .brokenFolding:
                "the line reads as a property with no colon: ical4j (DAVx5) and libical (Evolution) reject the whole object"
            }
        }
    }

    /// The problems of one object's data, most serious first.
    public static func problems(_ text: String, format: Format) -> [Problem] {
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        let meaningful = lines.enumerated().filter { !$0.element.allSatisfy(\.isWhitespace) }
        guard let first = meaningful.first else { return [.empty] }
        let firstLine = String(first.element).trimmingASCIIWhitespace()
        guard firstLine.uppercased() == "BEGIN:\(format.outer)" else { return [.notThisFormat(firstLine: String(firstLine.prefix(60)))] }

        var problems: [Problem] = []
        var open: [String] = []
        var version = false
        var uids: [String] = []
        var components = 0
        var folding: Problem?
        for (number, raw) in meaningful {
            if raw.first == " " || raw.first == "\t" { continue }  // a continuation of the line before
            let line = String(raw)
            guard let colon = line.firstIndex(of: ":") else {
                if folding == nil { folding = .brokenFolding(line: number + 1, text: String(line.prefix(60))) }
                continue
            }
            let name = line[..<colon].split(separator: ";", maxSplits: 1).first.map { $0.uppercased() } ?? ""
            let value = line[line.index(after: colon)...].trimmingASCIIWhitespace().uppercased()
            switch name {
            case "BEGIN":
                open.append(value)
                if open.count == 2 { components += 1 }
            case "END":
                if open.last == value {
                    open.removeLast()
                } else if problems.isEmpty {
                    problems.append(.unbalanced("END:\(value) closes \(open.last.map { "BEGIN:\($0)" } ?? "nothing")"))
                }
            case "VERSION" where open.count == 1:
                version = true
            case "UID":
                // A recurring event's overrides repeat its UID; only distinct UIDs count.
                let uid = String(line[line.index(after: colon)...]).trimmingASCIIWhitespace()
                if !uids.contains(uid) { uids.append(uid) }
            default:
                break
            }
        }
        if let unclosed = open.last, problems.isEmpty { problems.append(.unbalanced("BEGIN:\(unclosed) is never closed")) }
        if !version { problems.append(.missingVersion) }
        if format == .vCard || components > 0 {
            if uids.isEmpty { problems.append(.missingUID) } else if format == .iCalendar, uids.count > 1 { problems.append(.severalUIDs(uids)) }
        }
        if let folding { problems.append(folding) }
        return problems
    }
}
