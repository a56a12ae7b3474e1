import DAVCore

/// A stored password: PBKDF2-HMAC-SHA-256 with a per-user salt, written `pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX`.
///
/// Slow on purpose (the default is 210,000 iterations, OWASP's 2023 figure); ``CredentialCache`` keeps a
/// verified credential for a short while so that hashing does not cap request throughput.
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    public static let defaultIterations = 210_000
    public var iterations: Int
    public var salt: [UInt8]
    public var hash: [UInt8]

    /// Parses the stored form; nil for anything else, so that a user whose hash does not parse is refused
    /// at configuration load. Only plain digits: `Int` and `UInt8(_:radix:)` would also take a sign.
    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let iterations = Int(parts[1]), iterations >= 1,
            let salt = Hex.bytes(parts[2]), salt.count >= 8, let hash = Hex.bytes(parts[3]), hash.count == 32
        else { return nil }
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Hashes a new password with a random salt.
    public init(password: String, iterations: Int = PasswordHash.defaultIterations) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.iterations = iterations
        self.salt = salt
        self.hash = SHA256.pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
    }

    /// Compares every byte whatever the first difference (no timing hint), and the lengths: a stored hash
    /// shorter than the candidate, empty at worst, matches nothing.
    public func verify(_ password: String) -> Bool {
        let candidate = SHA256.pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
        guard candidate.count == hash.count else { return false }
        var difference: UInt8 = 0
        for index in candidate.indices { difference |= candidate[index] ^ hash[index] }
        return difference == 0
    }

    public var description: String { "pbkdf2-sha256$\(iterations)$\(Hex.string(salt))$\(Hex.string(hash))" }
}
