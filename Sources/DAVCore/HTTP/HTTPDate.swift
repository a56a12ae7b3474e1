/// The date forms WebDAV uses, without a date library: recognisers that say whether a value has the exact
/// form clients require, a reader and writers (HTTPDate+Writing.swift). The one copy for every module.
public enum HTTPDate {
    /// From Sunday, as ``CivilTime/weekday`` counts.
    static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` exactly (RFC 9110 §5.6.7, the rfc1123-date of RFC 4918 §15.7).
    public static func isIMFFixdate(_ value: String) -> Bool {
        var copy = value
        return copy.withUTF8 { isIMFFixdate(bytes: $0) }
    }

    static func isIMFFixdate(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 29 else { return false }
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { b[$0] >= 0x30 && b[$0] <= 0x39 } }
        guard
            b[3] == 0x2C && b[4] == 0x20 && digits(5..<7) && b[7] == 0x20 && b[11] == 0x20 && digits(12..<16) && b[16] == 0x20
                && digits(17..<19) && b[19] == 0x3A && digits(20..<22) && b[22] == 0x3A && digits(23..<25)
                && b[25] == 0x20 && b[26] == 0x47 && b[27] == 0x4D && b[28] == 0x54
        else { return false }
        // Names compared as three packed bytes: this runs for every getlastmodified of a listing.
        func packed(_ at: Int) -> UInt32 { UInt32(b[at]) << 16 | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) }
        return packedDays.contains(packed(0)) && packedMonths.contains(packed(8))
    }

    /// Three-letter names as their ASCII bytes packed into a word, so that a name is compared or written
    /// as one integer.
    static func pack(_ names: [String]) -> [UInt32] {
        names.map { name in name.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
    }
    static let packedDays = pack(dayNames)
    static let packedMonths = pack(monthNames)

    /// `1997-12-01T17:42:21Z`, with optional fraction and a `Z` or `±hh:mm` offset (RFC 3339 §5.6).
    public static func isRFC3339(_ value: String) -> Bool {
        var copy = value
        return copy.withUTF8 { isRFC3339(bytes: $0) }
    }

    static func isRFC3339(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 20 else { return false }
        func digit(_ i: Int) -> Bool { i < b.count && b[i] >= 0x30 && b[i] <= 0x39 }
        guard (0..<4).allSatisfy(digit), b[4] == 0x2D, digit(5), digit(6), b[7] == 0x2D, digit(8), digit(9),
            b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20, digit(11), digit(12), b[13] == 0x3A, digit(14), digit(15),
            b[16] == 0x3A, digit(17), digit(18)
        else { return false }
        var i = 19
        if i < b.count, b[i] == 0x2E {
            i += 1
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        guard i < b.count else { return false }
        if b[i] == 0x5A || b[i] == 0x7A { return i + 1 == b.count }
        guard b[i] == 0x2B || b[i] == 0x2D else { return false }
        return b.count == i + 6 && digit(i + 1) && digit(i + 2) && b[i + 3] == 0x3A && digit(i + 4) && digit(i + 5)
    }
}

extension HTTPDate {
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since 1970 for a civil date and time in UTC (Howard Hinnant's days-from-civil).
    public static func epoch(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// The month number (1–12) of an English abbreviation (`Nov`).
    public static func month(_ name: Substring) -> Int? {
        monthNames.firstIndex { $0.lowercased() == name.lowercased() }.map { $0 + 1 }
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` → seconds since 1970; nil for anything else.
    public static func parse(_ value: String) -> Int? {
        let parts = value.split(separator: " ")
        guard isIMFFixdate(value), parts.count == 6, let day = Int(parts[1]), let month = month(parts[2]), let year = Int(parts[3]) else {
            return nil
        }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        return epoch(year: year, month: month, day: day, hour: clock[0], minute: clock[1], second: clock[2])
    }

    /// `2026-11-25T11:36:13Z`.
    public static func iso8601(_ epoch: Int) -> String { rfc3339(Double(epoch)) }
}

/// A moment's calendar date and time in UTC, computed (Howard Hinnant's civil-from-days), not asked of the
/// C library: glibc's `gmtime_r` takes a lock on every call, and a listing writes two dates per member.
struct CivilTime {
    var year: Int
    /// 1–12.
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    /// 0 for Sunday.
    var weekday: Int

    init(_ epoch: Int) {
        let days = epoch >= 0 ? epoch / 86_400 : (epoch - 86_399) / 86_400
        let seconds = epoch - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        hour = seconds / 3600
        minute = seconds % 3600 / 60
        second = seconds % 60
        // 1970-01-01 was a Thursday.
        weekday = ((days % 7) + 11) % 7
    }

    /// Whole seconds since 1970 of a file time, rounded down; a value no `Int` holds (NaN, ±infinity, beyond
    /// ±2^63) is taken as the nearest end of the range, as a date is still owed.
    init(seconds: Double) {
        let limit = 9.2e18
        self.init(seconds.isNaN ? 0 : Int(min(max(seconds.rounded(.down), -limit), limit)))
    }
}
