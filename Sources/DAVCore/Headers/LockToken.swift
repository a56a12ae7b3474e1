/// A lock token (RFC 4918 §6.5): an absolute URI, unique across all resources for all time.
///
/// On the wire it appears as a Coded-URL, `<urn:uuid:…>`, in the Lock-Token header (§10.5) and in If
/// headers; inside XML (`<D:locktoken><D:href>`) it is written bare. This type holds the bare URI.
public struct LockToken: Sendable, Hashable, CustomStringConvertible {
    public var uri: String

    public init(uri: String) {
        self.uri = uri
    }

    /// Reads a Lock-Token header value, `<uri>`; `nil` when the angle brackets or the URI are missing.
    public init?(headerValue: String) {
        let trimmed = headerValue.trimmingASCIIWhitespace()
        guard trimmed.hasPrefix("<"), trimmed.hasSuffix(">"), trimmed.count > 2 else { return nil }
        let inner = String(trimmed.dropFirst().dropLast())
        guard IfHeader.isCodedURL(inner) else { return nil }
        self.uri = inner
    }

    /// A `urn:uuid:` token (RFC 4918 Appendix C / RFC 4122) from 16 random bytes.
    public init(randomBytes bytes: [UInt8]) {
        precondition(bytes.count == 16, "a UUID needs 16 bytes")
        var b = bytes
        b[6] = (b[6] & 0x0F) | 0x40  // version 4
        b[8] = (b[8] & 0x3F) | 0x80  // RFC 4122 variant
        let groups = [b[0..<4], b[4..<6], b[6..<8], b[8..<10], b[10..<16]].map { Hex.string($0) }
        self.uri = "urn:uuid:" + groups.joined(separator: "-")
    }

    /// The Coded-URL form for the Lock-Token response header.
    public var headerValue: String { "<\(uri)>" }

    public var description: String { uri }
}
