import DAVCore
import Testing

@testable import DAVServer

struct CryptoTests {
    private func hex(_ bytes: [UInt8]) -> String { Hex.string(bytes) }

    @Test("FIPS 180-2 SHA-256 vectors")
    func sha256() {
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA256.hash(long)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("RFC 4231 HMAC-SHA-256 test case 2")
    func hmac() {
        let mac = SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test("RFC 7914 §11 PBKDF2-HMAC-SHA-256 vector (first block)")
    func pbkdf2() {
        let key = SHA256.pbkdf2(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1)
        #expect(hex(key) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
    }

    @Test func passwordHashRoundTrip() throws {
        let hash = PasswordHash(password: "s3cret", iterations: 1000)
        let parsed = try #require(PasswordHash(hash.description))
        #expect(parsed.verify("s3cret"))
        #expect(!parsed.verify("s3cret "))
        #expect(PasswordHash("plain") == nil)
        #expect(PasswordHash("pbkdf2-sha256$0$00$00") == nil)
    }

    /// A stored hash of another length than the candidate's never matches: `zip` would have compared only
    /// the common prefix, and an empty hash none of it.
    @Test func aHashOfAnotherLengthMatchesNoPassword() {
        var empty = PasswordHash(password: "right", iterations: 10)
        empty.hash = []
        #expect(!empty.verify("anything"))
        #expect(!empty.verify("right"))
        var short = PasswordHash(password: "right", iterations: 10)
        short.hash = Array(short.hash.prefix(4))
        #expect(!short.verify("right"))
        var long = PasswordHash(password: "right", iterations: 10)
        long.hash += [0]
        #expect(!long.verify("right"))
    }

    /// Only plain hex digits and a plain decimal count parse: `UInt8("+f", radix: 16)` and `Int("+10")` would take a sign.
    @Test func signedNumbersDoNotParse() {
        let salt = String(repeating: "ab", count: 16)
        let hash = String(repeating: "cd", count: 32)
        #expect(PasswordHash("pbkdf2-sha256$10$\(salt)$\(hash)") != nil)
        #expect(PasswordHash("pbkdf2-sha256$+10$\(salt)$\(hash)") == nil)
        #expect(PasswordHash("pbkdf2-sha256$10$+a\(salt.dropFirst(2))$\(hash)") == nil)
        #expect(PasswordHash("pbkdf2-sha256$10$\(salt)$-0\(hash.dropFirst(2))") == nil)
    }
}
