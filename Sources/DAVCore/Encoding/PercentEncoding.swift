/// Which bytes a URL path carries as they are and which it writes `%XX` (RFC 3986 §2): the one table the
/// server's hrefs, the lint of a server's hrefs and the client's header values share.
public enum PercentEncoding {
    /// Bytes a path segment carries unescaped: unreserved characters and the sub-delimiters safe in a
    /// segment (`! $ ' ( ) * + , ; =`), `:` and `@`. `&` is escaped, as Apache and nginx do.
    @inlinable
    public static func isSegmentSafe(_ byte: UInt8) -> Bool {
        if isUnreserved(byte) { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
            UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"):
            return true
        default: return false
        }
    }

    /// RFC 3986's unreserved characters: letters, digits, `- . _ ~`.
    @inlinable
    public static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// Bytes no URI carries raw, whatever the component: controls, space, non-ASCII, `" < > \ ^ ` { | }`, DEL.
    @inlinable
    public static func mustBeEscaped(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x20, 0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7F...0xFF: true
        default: false
        }
    }

    /// Appends `bytes` to `out`, each byte `keep` refuses written `%XX` (upper-case digits, RFC 3986 §2.1).
    public static func encode(_ bytes: some Sequence<UInt8>, keeping keep: (UInt8) -> Bool, into out: inout String) {
        var escaped: [UInt8] = []
        escaped.reserveCapacity(bytes.underestimatedCount)
        encode(bytes, keeping: keep, into: &escaped)
        out += String(decoding: escaped, as: UTF8.self)
    }

    /// The same onto bytes (a listing's buffer).
    public static func encode(_ bytes: some Sequence<UInt8>, keeping keep: (UInt8) -> Bool, into out: inout [UInt8]) {
        for byte in bytes {
            if keep(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(Hex.digit(byte >> 4, uppercase: true))
                out.append(Hex.digit(byte, uppercase: true))
            }
        }
    }

    /// `bytes` with each byte `keep` refuses written `%XX`.
    public static func encode(_ bytes: some Sequence<UInt8>, keeping keep: (UInt8) -> Bool) -> String {
        var out = ""
        encode(bytes, keeping: keep, into: &out)
        return out
    }
}
