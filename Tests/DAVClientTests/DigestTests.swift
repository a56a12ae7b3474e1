import DAVCore
import Testing

@testable import DAVClient

/// Digest authentication (RFC 7616) without a network: challenge reading and the response hash.
struct DigestTests {
    static let rfcSHA256 = """
        Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, \
        nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
        """
    static let rfcMD5 = """
        Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, \
        nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
        """
    static let mufasa = Credentials(user: "Mufasa", password: "Circle of Life")
    static let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

    /// RFC 7616 §3.9.1: the worked example, in both algorithms.
    @Test(arguments: [
        (rfcSHA256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
        (rfcMD5, "8ca523f5e9506fed4657c9700eebdbec"),
    ])
    func rfc7616Example(challenge: String, expected: String) throws {
        let digest = try #require(DigestChallenge.best(in: [challenge]))
        #expect(digest.qop == .auth)
        let header = digest.authorization(credentials: Self.mufasa, method: "GET", uri: "/dir/index.html", nonceCount: 1, cnonce: Self.cnonce)
        #expect(header.hasPrefix("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\""))
        #expect(header.contains("response=\"\(expected)\""))
        #expect(header.contains("nc=00000001"))
        #expect(header.contains("cnonce=\"\(Self.cnonce)\""))
        #expect(header.contains("qop=auth,") || header.contains("qop=auth "))
        #expect(header.contains("opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""))
        #expect(!header.contains("Circle of Life"))
    }

    /// RFC 7616 §3.7: with both offered (two header fields), SHA-256 is chosen.
    @Test func prefersSHA256() throws {
        let digest = try #require(DigestChallenge.best(in: [Self.rfcMD5, Self.rfcSHA256]))
        #expect(digest.algorithm == .sha256)
    }

    @Test func sessionAlgorithmWithAuthInt() throws {
        let digest = try #require(DigestChallenge.best(in: [#"Digest realm="r", nonce="n", algorithm=SHA-256-sess, qop="auth-int""#]))
        let header = digest.authorization(
            credentials: Credentials(user: "bob", password: "pw"), method: "PUT", uri: "/a%20b?x=1", body: Array("<x/>".utf8), nonceCount: 2,
            cnonce: "c"
        )
        // Reference value from Python's hashlib.
        #expect(header.contains("response=\"60e4283444c08b41a8f3520fe5675b5a18b94393e5c5199fc41924b848a42d8b\""))
        #expect(header.contains("qop=auth-int"))
        #expect(header.contains("nc=00000002"))
    }

    /// RFC 2617 §3.2.2.1 compatibility: no qop means no nc/cnonce and the short response formula.
    @Test func withoutQop() throws {
        let digest = try #require(DigestChallenge.best(in: [#"Digest realm="r", nonce="n""#]))
        let header = digest.authorization(credentials: Credentials(user: "bob", password: "pw"), method: "GET", uri: "/x", nonceCount: 1, cnonce: "c")
        #expect(header.contains("response=\"950a57d819e6e76527ca5c7e09cbe79c\""))
        #expect(!header.contains("nc="))
        #expect(!header.contains("cnonce="))
    }

    @Test func userhash() throws {
        let digest = try #require(DigestChallenge.best(in: [Self.rfcSHA256 + ", userhash=true"]))
        let header = digest.authorization(credentials: Self.mufasa, method: "GET", uri: "/dir/index.html", nonceCount: 1, cnonce: Self.cnonce)
        #expect(header.contains("username=\"a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6\""))
        #expect(header.contains("userhash=true"))
        #expect(!header.contains("Mufasa"))
    }

    /// RFC 7616 §3.4.4: a user name that cannot be a quoted string goes in `username*`.
    @Test func nonASCIIUserName() throws {
        let digest = try #require(DigestChallenge.best(in: [#"Digest realm="r", nonce="n", qop=auth"#]))
        let header = digest.authorization(
            credentials: Credentials(user: "Jäsøn Doe", password: "pw"), method: "GET", uri: "/", nonceCount: 1, cnonce: "c")
        #expect(header.contains("username*=UTF-8''J%C3%A4s%C3%B8n%20Doe"))
    }

    @Test func unsupportedChallengesAreSkipped() {
        #expect(DigestChallenge.best(in: [#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#]) == nil)
        #expect(DigestChallenge.best(in: [#"Digest realm="r""#]) == nil)
        #expect(DigestChallenge.best(in: [#"Basic realm="r""#]) == nil)
    }

    /// RFC 9110 §11.6.1: several challenges in one field, commas inside quoted strings, token68.
    @Test func challengeList() {
        let challenges = AuthenticationChallenge.parse([
            #"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple, really""#,
            "Negotiate abc123==, Digest realm=\"d\", nonce=\"n\", qop=\"auth,auth-int\"",
        ])
        #expect(challenges.map(\.scheme) == ["Newauth", "Basic", "Negotiate", "Digest"])
        #expect(challenges[0].parameter("title") == #"Login to "apps""#)
        #expect(challenges[0].parameter("TYPE") == "1")
        #expect(challenges[1].parameter("realm") == "simple, really")
        #expect(challenges[2].token68 == "abc123==")
        #expect(challenges[3].parameter("qop") == "auth,auth-int")
    }

    @Test func clientNonceIsFreshHex() {
        let a = DigestChallenge.makeClientNonce()
        let b = DigestChallenge.makeClientNonce()
        #expect(a.count == 32 && a != b && a.allSatisfy(\.isHexDigit))
    }
}
