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
        let utf8 = Substring(self).utf8
        if let first = utf8.first, let last = utf8.last,
            first != 0x20, first != 0x09, first != 0x0A, first != 0x0D, last != 0x20, last != 0x09, last != 0x0A, last != 0x0D
        {
            return String(self)
        }
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" || last == "\n" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
