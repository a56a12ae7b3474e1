/// The If request header (RFC 4918 §10.4): lists of conditions on lock state tokens and entity tags,
/// either untagged (they apply to the Request-URI) or tagged with the resource they apply to.
///
/// ```
/// If = "If" ":" ( 1*No-tag-list | 1*Tagged-list )
/// List = "(" 1*Condition ")"
/// Condition = ["Not"] ( State-token | "[" entity-tag "]" )
/// ```
///
/// The header is true when any one list is true; a list is true when all its conditions are. This type
/// only parses; evaluating a condition needs the server's locks and ETags (see `IfHeader.evaluate`).
/// Mixing tagged and untagged lists in one header is refused, as the grammar says.
public struct IfHeader: Sendable, Hashable {
    public var lists: [List]

    public init(lists: [List]) {
        self.lists = lists
    }

    /// One parenthesised list of conditions, all of which must hold.
    public struct List: Sendable, Hashable {
        /// The Resource-Tag as written (an absolute URL or an absolute path), nil for an untagged list.
        public var resourceTag: String?
        public var conditions: [Condition]

        public init(resourceTag: String?, conditions: [Condition]) {
            self.resourceTag = resourceTag
            self.conditions = conditions
        }
    }

    public struct Condition: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// A Coded-URL such as `urn:uuid:…` or `DAV:no-lock`, without its angle brackets.
            case stateToken(String)
            /// An entity tag with its quotes (and `W/` when weak), as the ETag header writes it.
            case entityTag(String)
        }

        public var isNegated: Bool
        public var kind: Kind

        public init(_ kind: Kind, isNegated: Bool = false) {
            self.kind = kind
            self.isNegated = isNegated
        }

        public var stateToken: String? { if case .stateToken(let token) = kind { token } else { nil } }
        public var entityTag: String? { if case .entityTag(let tag) = kind { tag } else { nil } }
    }

    /// Whether the lists carry Resource-Tags.
    public var isTagged: Bool { lists.first?.resourceTag != nil }

    /// State tokens that appear without `Not`: the lock tokens the client submits (RFC 4918 §10.4.1).
    public var submittedTokens: [String] {
        lists.flatMap { $0.conditions.filter { !$0.isNegated }.compactMap(\.stateToken) }
    }

    /// Parses a header value; `nil` when it does not follow the grammar, which a server answers with 400.
    public init?(headerValue: String) {
        var scanner = IfScanner(Array(headerValue.utf8))
        var lists: [List] = []
        var tag: String?
        var sawTagged = false
        var sawUntagged = false
        scanner.skipSpace()
        while !scanner.atEnd {
            if scanner.peek == UInt8(ascii: "<") {
                guard let resource = scanner.bracketed(open: "<", close: ">"), !resource.isEmpty else { return nil }
                tag = resource
                sawTagged = true
                scanner.skipSpace()
                // A Resource-Tag needs at least one list after it.
                guard scanner.peek == UInt8(ascii: "(") else { return nil }
                continue
            }
            guard scanner.peek == UInt8(ascii: "(") else { return nil }
            if tag == nil { sawUntagged = true }
            scanner.advance()
            var conditions: [Condition] = []
            while true {
                scanner.skipSpace()
                guard let byte = scanner.peek else { return nil }
                if byte == UInt8(ascii: ")") {
                    scanner.advance()
                    break
                }
                var negated = false
                if scanner.consumeKeyword("not") {
                    negated = true
                    scanner.skipSpace()
                }
                switch scanner.peek {
                case UInt8(ascii: "<"):
                    guard let token = scanner.bracketed(open: "<", close: ">"), Self.isCodedURL(token) else { return nil }
                    conditions.append(Condition(.stateToken(token), isNegated: negated))
                case UInt8(ascii: "["):
                    guard let etag = scanner.bracketed(open: "[", close: "]"), Self.isEntityTag(etag) else { return nil }
                    conditions.append(Condition(.entityTag(etag), isNegated: negated))
                default:
                    return nil
                }
            }
            guard !conditions.isEmpty else { return nil }
            lists.append(List(resourceTag: tag, conditions: conditions))
            scanner.skipSpace()
        }
        guard !lists.isEmpty, !(sawTagged && sawUntagged) else { return nil }
        self.lists = lists
    }

    /// A Coded-URL holds an absolute URI: a scheme, a colon, and no white space.
    static func isCodedURL(_ text: String) -> Bool {
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")), colon != text.utf8.startIndex else { return false }
        return !text.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
    }

    /// `"…"` or `W/"…"` with no quote inside.
    static func isEntityTag(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.starts(with: Array("W/".utf8)) { bytes = bytes.dropFirst(2) }
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else { return false }
        return !bytes.dropFirst().dropLast().contains(UInt8(ascii: "\""))
    }
}

/// A byte cursor over the header value.
private struct IfScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func advance() { index += 1 }

    mutating func skipSpace() {
        while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == 13 || byte == 10 { index += 1 }
    }

    /// Reads `open … close` and returns what is between; nil when the closing character is missing.
    mutating func bracketed(open: Unicode.Scalar, close: Unicode.Scalar) -> String? {
        guard peek == UInt8(ascii: open) else { return nil }
        var end = index + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: close) {
            if bytes[end] == UInt8(ascii: open) && open != close { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        let text = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
        index = end + 1
        return text
    }

    /// Consumes a case-insensitive keyword followed by white space or a bracket.
    mutating func consumeKeyword(_ word: String) -> Bool {
        let letters = Array(word.utf8)
        guard index + letters.count <= bytes.count else { return false }
        for (offset, letter) in letters.enumerated() where bytes[index + offset] | 0x20 != letter { return false }
        let after = index + letters.count
        if after < bytes.count {
            let next = bytes[after]
            guard next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "<") || next == UInt8(ascii: "[") else {
                return false
            }
        }
        index = after
        return true
    }
}
