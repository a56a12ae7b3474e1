import DAVCore
import Testing

@testable import DAVClient

/// Known-answer tests: RFC 1321 §A.5 for MD5, FIPS 180-4 examples (NIST CSRC) for SHA-256.
struct HashTests {
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func md5RFC1321(input: String, expected: String) {
        #expect(Hex.string(MD5.hash(Array(input.utf8))) == expected)
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func sha256FIPS180(input: String, expected: String) {
        #expect(Hex.string(SHA256.hash(Array(input.utf8))) == expected)
    }

    @Test func sha256OfAMillionAs() {
        #expect(
            Hex.string(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the 55/56/64-byte padding boundaries, against values from Python's hashlib.
    @Test func paddingBoundaries() {
        let a55 = [UInt8](repeating: 0x61, count: 55)
        let a56 = [UInt8](repeating: 0x61, count: 56)
        let a64 = [UInt8](repeating: 0x61, count: 64)
        #expect(Hex.string(MD5.hash(a55)) == "ef1772b6dff9a122358552954ad0df65")
        #expect(Hex.string(MD5.hash(a56)) == "3b0c8ac703f828b04c6c197006d17218")
        #expect(Hex.string(MD5.hash(a64)) == "014842d480b571495a4a0363793f7367")
        #expect(Hex.string(SHA256.hash(a55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(Hex.string(SHA256.hash(a56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(Hex.string(SHA256.hash(a64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}
