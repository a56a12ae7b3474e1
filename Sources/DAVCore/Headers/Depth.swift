/// The Depth header (RFC 4918 §10.2): how far below the Request-URI a method reaches.
public enum Depth: Sendable, Hashable, CustomStringConvertible {
    case zero
    case one
    case infinity

    /// Parses a header value; `nil` for anything but `0`, `1` or `infinity` (case-insensitive), which a server answers with 400.
    public init?(headerValue: String) {
        switch headerValue.trimmingASCIIWhitespace().lowercased() {
        case "0": self = .zero
        case "1": self = .one
        case "infinity": self = .infinity
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .zero: "0"
        case .one: "1"
        case .infinity: "infinity"
        }
    }

    /// How many path segments below the request a response may be (nil: unbounded).
    public var maximumLevels: Int? {
        switch self {
        case .zero: 0
        case .one: 1
        case .infinity: nil
        }
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs, CR and LF (HTTP's optional white space).
    public func trimmingASCIIWhitespace() -> String {
        // Most values have nothing to trim: their first and last bytes say so (read in place when the
        // string's UTF-8 is contiguous, as it nearly always is).
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        let untrimmed = utf8.withContiguousStorageIfAvailable { bytes in
            guard let first = bytes.first, let last = bytes.last else { return false }
            return !isSpace(first) && !isSpace(last)
        }
        if untrimmed ?? false { return String(self) }
        let utf8 = Substring(self).utf8
        if let first = utf8.first, let last = utf8.last, !isSpace(first), !isSpace(last) {
            return String(self)
        }
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" || last == "\n" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
