#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writing the dates WebDAV carries: RFC 1123 GMT for `getlastmodified` and Last-Modified, RFC 3339 for
/// `creationdate` (RFC 4918 §15.1, §15.7), from seconds since 1970. ``parse(_:)`` reads the first back.
extension HTTPDate {
    /// `tm_wday` counts from Sunday.
    private static let daysFromSunday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    private static func parts(_ seconds: Double) -> tm {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return parts
    }

    /// Both forms have exactly four year digits; a file dated outside 0…9999 is shown at the nearest end.
    private static func fourDigitYear(_ t: tm) -> Int32 { min(max(t.tm_year + 1900, 0), 9999) }

    public static func rfc1123(_ seconds: Double) -> String {
        let t = parts(seconds)
        // Written byte by byte into the string's own storage: every PROPFIND member needs one of these.
        return String(unsafeUninitializedCapacity: 29) { out in
            var at = 0
            func put(_ byte: UInt8) {
                out[at] = byte
                at += 1
            }
            func put(_ text: String) { for byte in text.utf8 { put(byte) } }
            func digits(_ value: Int32, _ count: Int) {
                var divisor: Int32 = 1
                for _ in 1..<count { divisor *= 10 }
                while divisor > 0 {
                    put(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                    divisor /= 10
                }
            }
            put(daysFromSunday[Int(t.tm_wday)])
            put(UInt8(ascii: ","))
            put(UInt8(ascii: " "))
            digits(t.tm_mday, 2)
            put(UInt8(ascii: " "))
            put(monthNames[Int(t.tm_mon)])
            put(UInt8(ascii: " "))
            digits(fourDigitYear(t), 4)
            put(UInt8(ascii: " "))
            digits(t.tm_hour, 2)
            put(UInt8(ascii: ":"))
            digits(t.tm_min, 2)
            put(UInt8(ascii: ":"))
            digits(t.tm_sec, 2)
            put(" GMT")
            return at
        }
    }

    public static func rfc3339(_ seconds: Double) -> String {
        let t = parts(seconds)
        return String(unsafeUninitializedCapacity: 20) { out in
            var at = 0
            func put(_ byte: UInt8) {
                out[at] = byte
                at += 1
            }
            func digits(_ value: Int32, _ count: Int) {
                var divisor: Int32 = 1
                for _ in 1..<count { divisor *= 10 }
                while divisor > 0 {
                    put(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                    divisor /= 10
                }
            }
            digits(fourDigitYear(t), 4)
            put(UInt8(ascii: "-"))
            digits(t.tm_mon + 1, 2)
            put(UInt8(ascii: "-"))
            digits(t.tm_mday, 2)
            put(UInt8(ascii: "T"))
            digits(t.tm_hour, 2)
            put(UInt8(ascii: ":"))
            digits(t.tm_min, 2)
            put(UInt8(ascii: ":"))
            digits(t.tm_sec, 2)
            put(UInt8(ascii: "Z"))
            return at
        }
    }
}
