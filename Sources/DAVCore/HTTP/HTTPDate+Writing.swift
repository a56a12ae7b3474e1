/// Writing the dates WebDAV carries: RFC 1123 GMT for `getlastmodified` and Last-Modified, RFC 3339 for
/// `creationdate` (RFC 4918 §15.1, §15.7), from seconds since 1970. ``parse(_:)`` reads the first back.
///
/// Each form is written byte by byte, either into a string's own storage or straight onto a buffer being
/// filled (a listing's, two dates per member): no intermediate string, no C library call.
extension HTTPDate {
    /// Bytes in `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static let rfc1123Length = 29
    /// Bytes in `1994-11-06T08:49:37Z`.
    public static let rfc3339Length = 20

    public static func rfc1123(_ seconds: Double) -> String {
        String(unsafeUninitializedCapacity: rfc1123Length) { writeRFC1123(CivilTime(seconds: seconds), into: $0) }
    }

    public static func rfc3339(_ seconds: Double) -> String {
        String(unsafeUninitializedCapacity: rfc3339Length) { writeRFC3339(CivilTime(seconds: seconds), into: $0) }
    }

    /// Appends `rfc1123(seconds)`'s bytes.
    public static func appendRFC1123(_ seconds: Double, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rfc1123Length) { bytes in
            let count = writeRFC1123(CivilTime(seconds: seconds), into: bytes)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<count]))
        }
    }

    /// Appends `rfc3339(seconds)`'s bytes.
    public static func appendRFC3339(_ seconds: Double, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rfc3339Length) { bytes in
            let count = writeRFC3339(CivilTime(seconds: seconds), into: bytes)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<count]))
        }
    }

    private static func writeRFC1123(_ t: CivilTime, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var writer = DigitWriter(out)
        writer.put(packed: packedDays[t.weekday])
        writer.put(UInt8(ascii: ","))
        writer.put(UInt8(ascii: " "))
        writer.digits(t.day, 2)
        writer.put(UInt8(ascii: " "))
        writer.put(packed: packedMonths[t.month - 1])
        writer.put(UInt8(ascii: " "))
        writer.digits(fourDigitYear(t), 4)
        writer.put(UInt8(ascii: " "))
        writer.digits(t.hour, 2)
        writer.put(UInt8(ascii: ":"))
        writer.digits(t.minute, 2)
        writer.put(UInt8(ascii: ":"))
        writer.digits(t.second, 2)
        writer.put(packed: 0x20_474D54)  // " GMT"
        return writer.count
    }

    private static func writeRFC3339(_ t: CivilTime, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var writer = DigitWriter(out)
        writer.digits(fourDigitYear(t), 4)
        writer.put(UInt8(ascii: "-"))
        writer.digits(t.month, 2)
        writer.put(UInt8(ascii: "-"))
        writer.digits(t.day, 2)
        writer.put(UInt8(ascii: "T"))
        writer.digits(t.hour, 2)
        writer.put(UInt8(ascii: ":"))
        writer.digits(t.minute, 2)
        writer.put(UInt8(ascii: ":"))
        writer.digits(t.second, 2)
        writer.put(UInt8(ascii: "Z"))
        return writer.count
    }

    /// Both forms have exactly four year digits; a file dated outside 0…9999 is shown at the nearest end.
    private static func fourDigitYear(_ t: CivilTime) -> Int { min(max(t.year, 0), 9999) }
}

/// Fills a buffer from its start: single bytes, fixed-width decimals, names packed into a word.
private struct DigitWriter {
    let out: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ out: UnsafeMutableBufferPointer<UInt8>) { self.out = out }

    mutating func put(_ byte: UInt8) {
        out[count] = byte
        count += 1
    }

    /// The bytes of `word` from its highest non-zero byte down (`0x53756E` is `Sun`).
    mutating func put(packed word: UInt32) {
        var shift = 24
        while shift >= 0 {
            let byte = UInt8(truncatingIfNeeded: word >> UInt32(shift))
            if byte != 0 { put(byte) }
            shift -= 8
        }
    }

    /// `value` (not negative) in exactly `width` decimal digits.
    mutating func digits(_ value: Int, _ width: Int) {
        var rest = value
        var at = count + width - 1
        while at >= count {
            out[at] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            at -= 1
        }
        count += width
    }
}
