#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An href as a server wrote it, split into the parts the checks compare: scheme, authority, path.
///
/// RFC 4918 §8.3 allows absolute URLs and absolute paths; both name a resource on the server.
public struct Href: Sendable, Hashable {
    public var raw: String
    /// Lower-cased scheme for absolute URLs (`http`, `https`).
    public var scheme: String?
    /// `host[:port]` for absolute URLs, lower-cased.
    public var authority: String?
    /// The path as written, still percent-encoded (`/dav/a%20b.txt`); query and fragment removed.
    public var path: String

    public init(_ raw: String) {
        self.raw = raw
        if raw.utf8.first == 0x2F, !raw.utf8ContainsByte(0x3F), !raw.utf8ContainsByte(0x23) {
            // The common case: a path-absolute href with no query or fragment.
            scheme = nil
            authority = nil
            path = raw
            return
        }
        var rest = Substring(raw)
        if let schemeEnd = rest.firstRange(of: "://"),
            rest[..<schemeEnd.lowerBound].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }),
            !rest[..<schemeEnd.lowerBound].isEmpty
        {
            scheme = rest[..<schemeEnd.lowerBound].lowercased()
            rest = rest[schemeEnd.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            authority = rest[..<slash].lowercased()
            rest = rest[slash...]
        } else {
            scheme = nil
            authority = nil
        }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        path = rest.isEmpty ? "/" : String(rest)
    }

    /// The path with percent-encoding removed (`/dav/a b.txt`); nil when the encoding is broken.
    public var decodedPath: String? { URLPath.decode(path) }

    /// The decoded path, or the raw one with its escapes in upper case when it does not decode (bytes that
    /// are not UTF-8): what a report shows, and what paths are compared by, since `%e9` and `%E9` are one
    /// byte (RFC 3986 §6.2.2.1).
    public var displayPath: String { decodedPath ?? URLPath.uppercasingEscapes(path) }

    public var isCollectionForm: Bool { path.hasSuffix("/") }

    /// The authority with the scheme's default port made explicit, for comparing origins.
    public var normalizedAuthority: String? {
        guard let authority else { return nil }
        if authority.contains(":") && !authority.hasPrefix("[") || authority.contains("]:") { return authority }
        switch scheme {
        case "https": return authority + ":443"
        case "http": return authority + ":80"
        default: return authority
        }
    }
}

/// Percent-encoding of URL paths (RFC 3986 §2.1), and the comparisons the diagnosis needs.
public enum URLPath {
    /// Removes percent-encoding; nil for a `%` not followed by two hex digits or bytes that are not UTF-8.
    public static func decode(_ path: String) -> String? {
        guard path.utf8ContainsByte(0x25) else { return path }
        var path = path
        return path.withUTF8 { input -> String? in
            // Run once per response of a listing of millions: a buffer walk, not a String.UTF8View iterator.
            let n = input.count
            var failed = false
            let bytes = [UInt8](unsafeUninitializedCapacity: n) { out, count in
                var i = 0
                count = 0
                while i < n {
                    let byte = input[i]
                    if byte == 0x25 {
                        guard i + 2 < n, let high = Hex.value(input[i + 1]), let low = Hex.value(input[i + 2]) else {
                            failed = true
                            return
                        }
                        out[count] = high << 4 | low
                        i += 3
                    } else {
                        out[count] = byte
                        i += 1
                    }
                    count += 1
                }
            }
            return failed ? nil : String(validating: bytes, as: UTF8.self)
        }
    }

    /// `%e9` → `%E9`: the hex digits of every escape in upper case, the rest untouched.
    public static func uppercasingEscapes(_ path: String) -> String {
        guard path.utf8ContainsByte(0x25) else { return path }
        var bytes = Array(path.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count, Hex.value(bytes[i + 1]) != nil, Hex.value(bytes[i + 2]) != nil {
                for j in i + 1...i + 2 where (0x61...0x66).contains(bytes[j]) { bytes[j] -= 0x20 }
                i += 3
            } else {
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Percent-encodes a decoded path for use in an href: every byte but unreserved characters,
    /// `/` and the sub-delimiters that are safe in a path segment.
    public static func encode(_ path: String) -> String {
        PercentEncoding.encode(path.utf8, keeping: isPathSafe)
    }

    static func isPathSafe(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || PercentEncoding.isSegmentSafe(byte)
    }

    /// `raw` decoded once, when that still reads as an encoded path holding an escape a path needs (`%20`
    /// for a space, `%C3%A9` for é): an href encoded twice (RFC 3986 §2.4). A correctly encoded name with a
    /// literal `%25` in it (`50%2525%20off.txt`) decodes to a raw space or `%` and so does not count.
    public static func encodedTwice(_ raw: String) -> String? {
        guard let once = decode(raw), once != raw, firstInvalidCharacter(once) == nil else { return nil }
        let bytes = Array(once.utf8)
        var i = 0
        while i + 2 < bytes.count {
            if bytes[i] == 0x25, let high = Hex.value(bytes[i + 1]), let low = Hex.value(bytes[i + 2]), !isPathSafe(high << 4 | low) { return once }
            i += 1
        }
        return nil
    }

    /// The first character of `raw` that may not appear in a URI (RFC 3986 §2): spaces, non-ASCII,
    /// `"<>\^`{|}`, or a `%` not followed by two hex digits.
    public static func firstInvalidCharacter(_ raw: String) -> String? {
        let bytes = Array(raw.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x25 {
                if i + 2 < bytes.count, Hex.value(bytes[i + 1]) != nil, Hex.value(bytes[i + 2]) != nil {
                    i += 3
                    continue
                }
                return "%"
            }
            if byte >= 0x80 {
                let scalarStart = i
                var end = i + 1
                while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
                return String(decoding: bytes[scalarStart..<end], as: UTF8.self)
            }
            if PercentEncoding.mustBeEscaped(byte) { return byte == 0x20 ? "space" : String(UnicodeScalar(byte)) }
            i += 1
        }
        return nil
    }

    /// The parent collection of a decoded path (`/a/b/c.txt` → `/a/b/`); `/` is its own parent.
    public static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        if trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "/" }
        return String(trimmed[...slash])
    }

    /// The last segment of a decoded path, without a trailing slash.
    public static func lastSegment(of path: String) -> String {
        var trimmed = Substring(path)
        if trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `path` without a trailing slash (but `/` stays `/`): collections compare equal with or without it.
    public static func withoutTrailingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Whether `path` is `ancestor` or below it (decoded paths; a trailing slash does not matter).
    public static func isWithin(_ path: String, _ ancestor: String) -> Bool {
        let a = withoutTrailingSlash(ancestor)
        let p = withoutTrailingSlash(path)
        if a == "/" { return true }
        return p == a || p.hasPrefix(a + "/")
    }

    /// How many segments `path` lies below `ancestor` (0 for the same resource), or nil when outside.
    /// Compares bytes where it can (it runs once per response of a listing of millions) and falls back to
    /// ``isWithin(_:_:)``'s canonical comparison only when the bytes differ.
    public static func levels(of path: String, below ancestor: String) -> Int? {
        var path = path
        var ancestor = ancestor
        let fast: Int?? = path.withUTF8 { p in
            ancestor.withUTF8 { a -> Int?? in
                let pCount = p.count > 1 && p[p.count - 1] == 0x2F ? p.count - 1 : p.count
                let aCount = a.count > 1 && a[a.count - 1] == 0x2F ? a.count - 1 : a.count
                guard aCount > 0, pCount > 0 else { return nil }
                let root = aCount == 1 && a[0] == 0x2F
                guard pCount >= aCount, memcmp(p.baseAddress!, a.baseAddress!, aCount) == 0 else { return .none }
                if pCount == aCount { return .some(0) }
                guard root || p[aCount] == 0x2F else { return .none }
                var segments = 1
                for k in (root ? 1 : aCount + 1)..<pCount where p[k] == 0x2F { segments += 1 }
                return .some(segments)
            }
        }
        if let fast { return fast }
        guard isWithin(path, ancestor) else { return nil }
        let a = withoutTrailingSlash(ancestor)
        let p = withoutTrailingSlash(path)
        if p == a { return 0 }
        let rest = a == "/" ? p.dropFirst() : p.dropFirst(a.count + 1)
        return rest.split(separator: "/", omittingEmptySubsequences: false).count
    }
}
