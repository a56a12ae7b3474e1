import DAVCore

/// A `Digest` challenge (RFC 7616 §3.3) reduced to what answering it needs.
///
/// Supported: algorithms MD5, MD5-sess, SHA-256 and SHA-256-sess; qop `auth` and `auth-int` (or none,
/// the RFC 2069 form); `userhash`; `opaque`; `stale`. Not supported: SHA-512-256 (no implementation
/// here), and `charset` beyond UTF-8, which is what we send anyway.
struct DigestChallenge: Sendable, Hashable {
    enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case md5 = "MD5"
        case md5Session = "MD5-sess"
        case sha256 = "SHA-256"
        case sha256Session = "SHA-256-sess"

        init?(token: String) {
            guard let match = Algorithm.allCases.first(where: { $0.rawValue.lowercased() == token.lowercased() }) else { return nil }
            self = match
        }

        var isSession: Bool { self == .md5Session || self == .sha256Session }

        /// Preference when a server offers several challenges: SHA-256 first (RFC 7616 §3.7).
        var strength: Int {
            switch self {
            case .sha256, .sha256Session: 2
            case .md5, .md5Session: 1
            }
        }

        func hash(_ text: String) -> String { hash(Array(text.utf8)) }

        func hash(_ bytes: [UInt8]) -> String {
            switch self {
            case .md5, .md5Session: Hex.string(MD5.hash(bytes))
            case .sha256, .sha256Session: Hex.string(SHA256.hash(bytes))
            }
        }
    }

    enum Protection: String, Sendable, Hashable {
        case auth
        case authInt = "auth-int"
    }

    var realm: String
    var nonce: String
    var opaque: String?
    var algorithm: Algorithm
    /// nil when the server sent no `qop` (RFC 2069 compatibility).
    var qop: Protection?
    var stale: Bool
    var userhash: Bool

    /// nil when the challenge is not Digest, lacks realm or nonce, or uses an algorithm not supported.
    init?(_ challenge: AuthenticationChallenge) {
        guard challenge.isScheme("Digest"), let realm = challenge.parameter("realm"), let nonce = challenge.parameter("nonce") else {
            return nil
        }
        guard let algorithm = Algorithm(token: challenge.parameter("algorithm") ?? "MD5") else { return nil }
        self.realm = realm
        self.nonce = nonce
        self.opaque = challenge.parameter("opaque")
        self.algorithm = algorithm
        let offered = (challenge.parameter("qop") ?? "").split(separator: ",").map { $0.trimmingASCIIWhitespace().lowercased() }
        if offered.contains("auth") {
            qop = .auth
        } else if offered.contains("auth-int") {
            qop = .authInt
        } else if offered.isEmpty {
            qop = nil
        } else {
            return nil
        }
        stale = challenge.parameter("stale")?.lowercased() == "true"
        userhash = challenge.parameter("userhash")?.lowercased() == "true"
    }

    /// The strongest Digest challenge among `WWW-Authenticate` values, if any is usable.
    static func best(in fieldValues: [String]) -> DigestChallenge? {
        AuthenticationChallenge.parse(fieldValues).compactMap(DigestChallenge.init).max { $0.algorithm.strength < $1.algorithm.strength }
    }

    /// The `Authorization` value answering this challenge (RFC 7616 §3.4).
    ///
    /// - Parameters:
    ///   - uri: the request-target exactly as sent on the request line (the server compares them).
    ///   - body: the request body, hashed only for `qop=auth-int`.
    ///   - nonceCount: how many requests this nonce has served, this one included (1 for the first).
    ///   - cnonce: the client nonce; random by default, fixed in tests.
    func authorization(
        credentials: Credentials,
        method: String,
        uri: String,
        body: [UInt8] = [],
        nonceCount: Int,
        cnonce: String = DigestChallenge.makeClientNonce()
    ) -> String {
        let nc = String(repeating: "0", count: max(0, 8 - String(nonceCount, radix: 16).count)) + String(nonceCount, radix: 16)
        var ha1 = algorithm.hash("\(credentials.user):\(realm):\(credentials.password)")
        if algorithm.isSession { ha1 = algorithm.hash("\(ha1):\(nonce):\(cnonce)") }
        let ha2: String
        if qop == .authInt {
            ha2 = algorithm.hash("\(method):\(uri):\(algorithm.hash(body))")
        } else {
            ha2 = algorithm.hash("\(method):\(uri)")
        }
        let response: String
        if let qop {
            response = algorithm.hash("\(ha1):\(nonce):\(nc):\(cnonce):\(qop.rawValue):\(ha2)")
        } else {
            response = algorithm.hash("\(ha1):\(nonce):\(ha2)")
        }

        var parts: [String] = []
        if userhash {
            parts.append("username=\(quoted(algorithm.hash("\(credentials.user):\(realm)")))")
        } else if credentials.user.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }) {
            parts.append("username=\(quoted(credentials.user))")
        } else {
            // RFC 7616 §3.4.4: a name that cannot be a quoted string goes in username* (RFC 8187).
            parts.append("username*=UTF-8''\(Self.extValue(credentials.user))")
        }
        parts.append("realm=\(quoted(realm))")
        parts.append("uri=\(quoted(uri))")
        parts.append("algorithm=\(algorithm.rawValue)")
        parts.append("nonce=\(quoted(nonce))")
        if let qop {
            parts.append("nc=\(nc)")
            parts.append("cnonce=\(quoted(cnonce))")
            parts.append("qop=\(qop.rawValue)")
        }
        parts.append("response=\(quoted(response))")
        if let opaque { parts.append("opaque=\(quoted(opaque))") }
        if userhash { parts.append("userhash=true") }
        return "Digest " + parts.joined(separator: ", ")
    }

    static func makeClientNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.string((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    private func quoted(_ value: String) -> String {
        "\"" + value.replacingBackslashesAndQuotes() + "\""
    }

    private static func extValue(_ text: String) -> String {
        PercentEncoding.encode(text.utf8, keeping: PercentEncoding.isUnreserved)
    }
}

extension String {
    fileprivate func replacingBackslashesAndQuotes() -> String {
        var out = ""
        for character in self {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
