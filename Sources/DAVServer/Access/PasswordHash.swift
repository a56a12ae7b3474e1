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

    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]), iterations >= 1,
            let salt = Self.unhex(parts[2]), salt.count >= 8, let hash = Self.unhex(parts[3]), hash.count == 32
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

    public func verify(_ password: String) -> Bool {
        let candidate = SHA256.pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
        var difference: UInt8 = 0
        for (a, b) in zip(candidate, hash) { difference |= a ^ b }
        return difference == 0
    }

    public var description: String { "pbkdf2-sha256$\(iterations)$\(Self.hex(salt))$\(Self.hex(hash))" }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    static func unhex(_ text: Substring) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: bytes.count, by: 2) {
            guard let value = UInt8(String(decoding: bytes[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            out.append(value)
        }
        return out
    }
}
