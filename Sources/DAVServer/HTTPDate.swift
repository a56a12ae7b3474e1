#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dates as WebDAV writes them: RFC 1123 GMT for `getlastmodified` and Last-Modified, RFC 3339 for
/// `creationdate` (RFC 4918 §15.1, §15.7).
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func parts(_ seconds: Double) -> tm {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return parts
    }

    /// Both forms have exactly four year digits; a file dated outside 0…9999 is shown at the nearest end.
    private static func fourDigitYear(_ t: tm) -> Int32 { min(max(t.tm_year + 1900, 0), 9999) }

    static func rfc1123(_ seconds: Double) -> String {
        let t = parts(seconds)
        // Written byte by byte into the string's own storage: every PROPFIND member needs one of these.
        return String(unsafeUninitializedCapacity: 29) { out in
            var at = 0
            func put(_ byte: UInt8) { out[at] = byte; at += 1 }
            func put(_ text: String) { for byte in text.utf8 { put(byte) } }
            func digits(_ value: Int32, _ count: Int) {
                var divisor: Int32 = 1
                for _ in 1..<count { divisor *= 10 }
                while divisor > 0 { put(UInt8(ascii: "0") + UInt8((value / divisor) % 10)); divisor /= 10 }
            }
            put(days[Int(t.tm_wday)]); put(UInt8(ascii: ",")); put(UInt8(ascii: " "))
            digits(t.tm_mday, 2); put(UInt8(ascii: " "))
            put(months[Int(t.tm_mon)]); put(UInt8(ascii: " "))
            digits(fourDigitYear(t), 4); put(UInt8(ascii: " "))
            digits(t.tm_hour, 2); put(UInt8(ascii: ":")); digits(t.tm_min, 2); put(UInt8(ascii: ":")); digits(t.tm_sec, 2)
            put(" GMT")
            return at
        }
    }

    static func rfc3339(_ seconds: Double) -> String {
        let t = parts(seconds)
        return String(unsafeUninitializedCapacity: 20) { out in
            var at = 0
            func put(_ byte: UInt8) { out[at] = byte; at += 1 }
            func digits(_ value: Int32, _ count: Int) {
                var divisor: Int32 = 1
                for _ in 1..<count { divisor *= 10 }
                while divisor > 0 { put(UInt8(ascii: "0") + UInt8((value / divisor) % 10)); divisor /= 10 }
            }
            digits(fourDigitYear(t), 4); put(UInt8(ascii: "-")); digits(t.tm_mon + 1, 2); put(UInt8(ascii: "-"))
            digits(t.tm_mday, 2); put(UInt8(ascii: "T"))
            digits(t.tm_hour, 2); put(UInt8(ascii: ":")); digits(t.tm_min, 2); put(UInt8(ascii: ":")); digits(t.tm_sec, 2)
            put(UInt8(ascii: "Z"))
            return at
        }
    }

    /// Parses the RFC 1123 form (the only one HTTP senders must generate); nil otherwise.
    static func parse(_ text: String) -> Double? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, let day = Int32(fields[1]), let month = months.firstIndex(of: String(fields[2])),
            let year = Int32(fields[3])
        else { return nil }
        let clock = fields[4].split(separator: ":")
        guard clock.count == 3, let hour = Int32(clock[0]), let minute = Int32(clock[1]), let second = Int32(clock[2]) else { return nil }
        var t = tm()
        t.tm_year = year - 1900
        t.tm_mon = Int32(month)
        t.tm_mday = day
        t.tm_hour = hour
        t.tm_min = minute
        t.tm_sec = second
        return Double(timegm(&t))
    }
}
