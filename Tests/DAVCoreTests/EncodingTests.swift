import DAVCore
import Testing

/// The shared hex and percent-encoding helpers every module now calls.
struct EncodingTests {
    @Test func hexReadsEitherCaseAndRefusesTheRest() {
        #expect(Hex.value(UInt8(ascii: "0")) == 0)
        #expect(Hex.value(UInt8(ascii: "a")) == 10)
        #expect(Hex.value(UInt8(ascii: "F")) == 15)
        for byte in [UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"), 0x00, 0xFF] {
            #expect(Hex.value(byte) == nil, "\(byte)")
        }
    }

    @Test func hexWritesAndReadsBytes() {
        #expect(Hex.string([0x00, 0x0A, 0xFF]) == "000aff")
        #expect(Hex.string([0x00, 0x0A, 0xFF], uppercase: true) == "000AFF")
        #expect(Hex.bytes("000aFF") == [0x00, 0x0A, 0xFF])
        #expect(Hex.bytes("abc") == nil)
        #expect(Hex.bytes("zz") == nil)
        #expect(Hex.bytes("") == [])
        #expect(Hex.digit(0x1F) == UInt8(ascii: "f"))
    }

    @Test func segmentsKeepSafeBytesAndEscapeTheRest() {
        let name = Array("a b&c/d:e@f~g%h".utf8) + [0xE9]
        #expect(PercentEncoding.encode(name, keeping: PercentEncoding.isSegmentSafe) == "a%20b%26c%2Fd:e@f~g%25h%E9")
        #expect(URLPath.encode("/a b/c&d/") == "/a%20b/c%26d/")
        #expect(PercentEncoding.encode(Array("a+b c".utf8), keeping: PercentEncoding.isUnreserved) == "a%2Bb%20c")
    }

    /// The bytes a URI never carries raw, as the lint and the href checks both judge them.
    @Test func bytesThatMustBeEscaped() {
        for byte in [UInt8(0x00), 0x20, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7F, 0x80, 0xFF] {
            #expect(PercentEncoding.mustBeEscaped(byte), "\(byte)")
        }
        for byte in Array("az09-._~!$&'()*+,;=:@/?#%[]".utf8) {
            #expect(!PercentEncoding.mustBeEscaped(byte), "\(UnicodeScalar(byte))")
        }
        #expect(URLPath.firstInvalidCharacter("/a%2/") == "%")
        #expect(URLPath.firstInvalidCharacter("/a{b}") == "{")
        #expect(URLPath.firstInvalidCharacter("/a b") == "space")
        #expect(URLPath.firstInvalidCharacter("/a%20b") == nil)
    }

    @Test func lockedSerialisesConcurrentUpdates() async {
        let counter = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { for _ in 0..<1000 { counter.withLock { $0 += 1 } } }
            }
        }
        #expect(counter.withLock { $0 } == 8000)
    }
}
