import DAVCore
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The dates `serve` writes are written byte by byte for speed; they must still be exactly RFC 1123 and RFC 3339.
struct HTTPDateWritingTests {
    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 GMT", "1970-01-01T00:00:00Z"),
        (784_111_777.9, "Sun, 06 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"),
        (1_709_208_000, "Thu, 29 Feb 2024 12:00:00 GMT", "2024-02-29T12:00:00Z"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT", "9999-12-31T23:59:59Z"),
    ])
    func formats(_ seconds: Double, _ rfc1123: String, _ rfc3339: String) {
        #expect(HTTPDate.rfc1123(seconds) == rfc1123)
        #expect(HTTPDate.rfc3339(seconds) == rfc3339)
        #expect(HTTPDate.parse(rfc1123).map(Double.init) == seconds.rounded(.down))
    }

    @Test func yearsBeyondFourDigitsStayFourDigits() {
        #expect(HTTPDate.rfc1123(253_402_300_800).hasSuffix("9999 00:00:00 GMT"))
        #expect(HTTPDate.rfc3339(253_402_300_800).count == 20)
    }

    /// The dates are computed, not taken from the C library: across years 1000–9999 (where `strftime`
    /// writes four year digits) they equal what `gmtime_r` and `strftime` give, and the bytes appended to a
    /// buffer equal the string.
    @Test func equalTheCLibrarysCalendar() {
        var state: UInt64 = 4918
        var moments: [Int] = [-1, -86_400, -86_401, 951_782_400, 951_868_799, 4_107_542_400, 253_402_300_799]
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            moments.append(-30_610_224_000 + Int(state >> 20) % 283_982_400_000)  // 1000-01-01 … 9999
        }
        for moment in moments {
            var time = time_t(moment)
            var parts = tm()
            gmtime_r(&time, &parts)
            func format(_ pattern: String) -> String {
                var text = [CChar](repeating: 0, count: 64)
                let count = strftime(&text, text.count, pattern, &parts)
                return String(decoding: text[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            let seconds = Double(moment) + 0.75
            #expect(HTTPDate.rfc1123(seconds) == format("%a, %d %b %Y %H:%M:%S GMT"), "\(moment)")
            #expect(HTTPDate.rfc3339(seconds) == format("%Y-%m-%dT%H:%M:%SZ"), "\(moment)")
            var bytes: [UInt8] = [0x3E]
            HTTPDate.appendRFC1123(seconds, to: &bytes)
            HTTPDate.appendRFC3339(seconds, to: &bytes)
            #expect(bytes == [0x3E] + Array((HTTPDate.rfc1123(seconds) + HTTPDate.rfc3339(seconds)).utf8))
        }
    }

    @Test func aTimeNoIntegerHoldsStillGivesADate() {
        #expect(HTTPDate.rfc1123(.nan) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.rfc3339(.infinity).hasPrefix("9999-"))
        #expect(HTTPDate.rfc3339(-.infinity).hasPrefix("0000-"))
    }
}
