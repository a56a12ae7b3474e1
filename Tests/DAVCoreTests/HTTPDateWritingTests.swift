import DAVCore
import Testing

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
}
