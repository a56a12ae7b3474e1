/// Recognisers for the date forms WebDAV uses, without a date library: they only say whether a value
/// has the exact form clients require.
public enum HTTPDate {
    private static let days: Set<String> = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months: Set<String> = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` exactly (RFC 9110 §5.6.7, the rfc1123-date of RFC 4918 §15.7).
    public static func isIMFFixdate(_ value: String) -> Bool {
        var copy = value
        return copy.withUTF8 { isIMFFixdate(bytes: $0) }
    }

    static func isIMFFixdate(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 29 else { return false }
        func digits(_ range: Range<Int>) -> Bool { range.allSatisfy { b[$0] >= 0x30 && b[$0] <= 0x39 } }
        guard b[3] == 0x2C && b[4] == 0x20 && digits(5..<7) && b[7] == 0x20 && b[11] == 0x20 && digits(12..<16) && b[16] == 0x20
            && digits(17..<19) && b[19] == 0x3A && digits(20..<22) && b[22] == 0x3A && digits(23..<25)
            && b[25] == 0x20 && b[26] == 0x47 && b[27] == 0x4D && b[28] == 0x54
        else { return false }
        let day = String(decoding: UnsafeBufferPointer(rebasing: b[0..<3]), as: UTF8.self)
        let month = String(decoding: UnsafeBufferPointer(rebasing: b[8..<11]), as: UTF8.self)
        return days.contains(day) && months.contains(month)
    }

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
