/// The Overwrite request header (RFC 4918 §10.6): whether COPY or MOVE may replace an existing destination.
/// Absent means `T`.
public enum Overwrite: Sendable, Hashable {
    case allowed
    case forbidden

    /// `T` or `F` (case-insensitive, surrounding white space ignored); anything else is `nil` (400).
    public init?(headerValue: String) {
        switch headerValue.trimmingASCIIWhitespace() {
        case "T", "t": self = .allowed
        case "F", "f": self = .forbidden
        default: return nil
        }
    }

    public var isAllowed: Bool { self == .allowed }
}
