/// The Timeout request header (RFC 4918 §10.7): the lock lifetimes a client asks for, most preferred first.
///
/// `Timeout: Second-3600, Infinite`. A server may honour any of them or choose its own; malformed values
/// are refused (400) rather than guessed at.
public enum LockTimeout: Sendable, Hashable, CustomStringConvertible {
    case seconds(Int)
    case infinite

    /// Parses the whole header into the listed choices; `nil` when any entry is malformed.
    public static func parseHeader(_ headerValue: String) -> [LockTimeout]? {
        var choices: [LockTimeout] = []
        for part in headerValue.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingASCIIWhitespace()
            guard let choice = LockTimeout(item) else { return nil }
            choices.append(choice)
        }
        return choices.isEmpty ? nil : choices
    }

    /// One TimeType: `Second-N` (N ≤ 2³²−1) or `Infinite`, case-insensitive.
    public init?(_ text: String) {
        let lower = text.lowercased()
        if lower == "infinite" {
            self = .infinite
            return
        }
        guard lower.hasPrefix("second-") else { return nil }
        let digits = lower.dropFirst("second-".count)
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits),
            value <= 4_294_967_295
        else { return nil }
        self = .seconds(value)
    }

    /// As written in the header and in `<D:timeout>`.
    public var description: String {
        switch self {
        case .seconds(let seconds): "Second-\(seconds)"
        case .infinite: "Infinite"
        }
    }
}
