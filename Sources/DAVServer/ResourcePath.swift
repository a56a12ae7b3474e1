import DAVCore

/// A resource's place under the served root: decoded, normalised segments that cannot leave the root.
///
/// Built from the raw request path (or a Destination path), percent-decoded once; a `%` that starts no
/// valid escape is kept as a literal `%` (httpx and other clients send `100%.txt` unencoded). Refused with 400:
/// `.` and `..` segments (also when written `%2e%2e`), encoded slashes (`%2F`) and backslashes, NUL and
/// other control characters, and overlong UTF-8 spellings of ASCII characters (`%C0%AE`). Other bytes that
/// are not UTF-8 name files as they are (see `ResourcePath+Names.swift`). Repeated slashes collapse.
/// Names compare byte for byte, so `é` in NFC and in NFD are two resources, as on a Linux file system.
///
/// Symbolic links are not this type's business: the file-system storage checks that a resolved path
/// stays inside the root.
public struct ResourcePath: Sendable, CustomStringConvertible, Hashable, Comparable {
    /// Decoded names from the root down; empty for the root.
    public private(set) var segments: [String]

    public static let root = ResourcePath(segments: [])

    public init(segments: [String]) {
        self.segments = segments
    }

    /// Decodes a percent-encoded absolute path (no query); throws a 400 ``DAVError`` for anything unsafe.
    public init(encodedPath raw: String) throws {
        var path = Substring(raw)
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        guard path.hasPrefix("/") else { throw DAVError.badRequest("the path must start with /") }
        var segments: [String] = []
        for part in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            let bytes = try Self.percentDecode(Array(part))
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { throw DAVError.badRequest("the path may not contain '.' or '..' segments") }
            guard let name = Self.segment(forName: bytes) else {
                throw DAVError.badRequest("the path spells an ASCII character in overlong UTF-8")
            }
            segments.append(name)
        }
        self.segments = segments
    }

    private static func percentDecode(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            var byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = Hex.value(bytes[index + 1]),
                let low = Hex.value(bytes[index + 2])
            {
                byte = high << 4 | low
                index += 3
                if byte == UInt8(ascii: "/") { throw DAVError.badRequest("encoded slashes (%2F) are not accepted in paths") }
            } else {
                index += 1
            }
            if byte < 0x20 || byte == 0x7F { throw DAVError.badRequest("control characters are not accepted in paths") }
            if byte == UInt8(ascii: "\\") { throw DAVError.badRequest("backslashes are not accepted in paths") }
            out.append(byte)
        }
        return out
    }

    public var isRoot: Bool { segments.isEmpty }
    public var name: String { segments.last ?? "" }
    public var depth: Int { segments.count }

    public var parent: ResourcePath? {
        guard !segments.isEmpty else { return nil }
        return ResourcePath(segments: Array(segments.dropLast()))
    }

    public func appending(_ name: String) -> ResourcePath {
        ResourcePath(segments: segments + [name])
    }

    /// Whether `self` is `other` or lies below it.
    public func isDescendant(of other: ResourcePath, orSelf: Bool = true) -> Bool {
        guard segments.count >= other.segments.count else { return false }
        if !orSelf && segments.count == other.segments.count { return false }
        for (a, b) in zip(segments, other.segments) where !a.utf8.elementsEqual(b.utf8) { return false }
        return true
    }

    /// `/a/b` decoded, the key used by the property and lock stores.
    public var description: String { "/" + segments.joined(separator: "/") }

    /// The percent-encoded href; collections end in `/` (RFC 4918 §8.3 and §5.2).
    public func href(isCollection: Bool, prefix: String = "") -> String {
        var out = prefix
        for segment in segments {
            out += "/"
            Self.encode(segment, into: &out)
        }
        if isCollection || segments.isEmpty { out += "/" }
        return out
    }

    /// Encodes the bytes of the name the segment stands for, all but ``PercentEncoding/isSegmentSafe(_:)``.
    /// Most names need no escape at all and are appended as they are (this runs for every member of every listing).
    static func encode(_ segment: String, into out: inout String) {
        guard !segment.utf8.allSatisfy(PercentEncoding.isSegmentSafe) else {
            out += segment
            return
        }
        PercentEncoding.encode(name(ofSegment: segment), keeping: PercentEncoding.isSegmentSafe, into: &out)
    }

    /// The same onto bytes: a listing writes each member's href straight into its buffer. What it appends
    /// never needs XML escaping (``PercentEncoding/isSegmentSafe(_:)`` keeps no `&`, `<` or `>`).
    /// One pass over the bytes, safe runs copied whole: this runs for every member of every listing.
    static func encode(_ segment: String, into out: inout [UInt8]) {
        var segment = segment
        let encoded = segment.withUTF8 { bytes -> Bool in
            // A backslash spells a byte of a name that is not UTF-8: that name is encoded from its bytes below.
            if bytes.contains(UInt8(ascii: "\\")) { return false }
            var runStart = 0
            for index in 0..<bytes.count where !PercentEncoding.isSegmentSafe(bytes[index]) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                out.append(UInt8(ascii: "%"))
                out.append(Hex.digit(bytes[index] >> 4, uppercase: true))
                out.append(Hex.digit(bytes[index], uppercase: true))
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            return true
        }
        if !encoded { PercentEncoding.encode(name(ofSegment: segment), keeping: PercentEncoding.isSegmentSafe, into: &out) }
    }

    // Byte-wise identity: Swift's String equality would merge NFC and NFD spellings.
    public static func == (lhs: ResourcePath, rhs: ResourcePath) -> Bool {
        lhs.segments.count == rhs.segments.count && zip(lhs.segments, rhs.segments).allSatisfy { $0.utf8.elementsEqual($1.utf8) }
    }

    public func hash(into hasher: inout Hasher) {
        for segment in segments {
            hasher.combine(segment.utf8.count)
            var bytes = segment  // withUTF8 makes it contiguous if it is not, so equal paths always hash alike
            bytes.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    public static func < (lhs: ResourcePath, rhs: ResourcePath) -> Bool {
        lhs.description.utf8.lexicographicallyPrecedes(rhs.description.utf8)
    }
}
