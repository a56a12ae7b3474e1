import DAVCore

/// Reads the JSON form of ``StoredElement`` straight into an ``XMLElement``.
///
/// Foundation's `JSONDecoder` spends about 12 µs on a one-line property value (generic metadata lookups
/// for every keyed container), so a folder of 1,000 files that Windows gave four properties each took
/// 60 ms of decoding per listing. The form is fixed and small — an object with `ns`, `n`, an optional `a`
/// (attributes as `[namespace, name, value]`) and an optional `c` (children, each `{"e": {"_0": element}}`
/// or `{"t": {"_0": text}}`, as Swift's synthesised `Codable` writes an enum) — so it is read here in one
/// pass over the bytes. Keys may come in any order (`JSONEncoder` does not keep one) and unknown keys are
/// skipped, as the synthesised decoder skips them; anything else that is not that form is an error.
struct StoredElementReader {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Deeper than any element the XML parser accepts; bounds the recursion on a value edited by hand.
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var at = 0

    /// The element `json` holds.
    static func element(_ json: String) throws -> XMLElement {
        var reader = StoredElementReader(bytes: Array(json.utf8))
        let element = try reader.element(depth: 0)
        reader.skipSpace()
        guard reader.at == reader.bytes.count else { throw reader.failure("text after the value") }
        return element
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func element(depth: Int) throws -> XMLElement {
        guard depth < Self.maximumDepth else { throw failure("elements nested deeper than \(Self.maximumDepth)") }
        var namespace: String?
        var name: String?
        var attributes: [XMLAttribute] = []
        var children: [XMLNode] = []
        try object { reader, key in
            switch key {
            case "ns": namespace = try reader.string()
            case "n": name = try reader.string()
            case "a":
                try reader.nullOr {
                    try $0.array { reader in
                        var parts: [String] = []
                        try reader.array { parts.append(try $0.string()) }
                        // The synthesised form is read the same way: an entry that is not three strings is left out.
                        if parts.count == 3 { attributes.append(XMLAttribute(QualifiedName(parts[0], parts[1]), parts[2])) }
                    }
                }
            case "c": try reader.nullOr { try $0.array { children.append(try $0.node(depth: depth)) } }
            default: try reader.skipValue(depth: depth)
            }
        }
        guard let namespace, let name else { throw failure("an element without \"ns\" and \"n\"") }
        return XMLElement(QualifiedName(namespace, name), attributes: attributes, children: children)
    }

    /// `{"e": {"_0": element}}` or `{"t": {"_0": text}}`.
    private mutating func node(depth: Int) throws -> XMLNode {
        var node: XMLNode?
        try object { reader, key in
            switch key {
            case "e":
                try reader.object { reader, key in
                    if key == "_0" { node = .element(try reader.element(depth: depth + 1)) } else { try reader.skipValue(depth: depth) }
                }
            case "t":
                try reader.object { reader, key in
                    if key == "_0" { node = .text(try reader.string()) } else { try reader.skipValue(depth: depth) }
                }
            default: try reader.skipValue(depth: depth)
            }
        }
        guard let node else { throw failure("a child that is neither an element nor text") }
        return node
    }

    // MARK: JSON

    private mutating func object(_ member: (inout StoredElementReader, String) throws -> Void) throws {
        try sequence(from: UInt8(ascii: "{"), to: UInt8(ascii: "}")) { reader in
            let key = try reader.string()
            reader.skipSpace()
            try reader.expect(UInt8(ascii: ":"))
            reader.skipSpace()
            try member(&reader, key)
        }
    }

    private mutating func array(_ item: (inout StoredElementReader) throws -> Void) throws {
        try sequence(from: UInt8(ascii: "["), to: UInt8(ascii: "]"), item)
    }

    /// `open`, items separated by commas (none is allowed), `close`.
    private mutating func sequence(from open: UInt8, to close: UInt8, _ item: (inout StoredElementReader) throws -> Void) throws {
        skipSpace()
        try expect(open)
        skipSpace()
        if peek() == close {
            at += 1
            return
        }
        while true {
            skipSpace()
            try item(&self)
            skipSpace()
            guard peek() == UInt8(ascii: ",") else { break }
            at += 1
        }
        try expect(close)
    }

    /// An optional member: `null` stands for its absence, as in the synthesised decoder.
    private mutating func nullOr(_ value: (inout StoredElementReader) throws -> Void) throws {
        if matches("null") { return }
        try value(&self)
    }

    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = at
        // The common case: no escape, copied whole.
        while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") {
            guard bytes[at] >= 0x20 else { throw failure("a control character in a string") }
            at += 1
        }
        guard at < bytes.count else { throw failure("an unterminated string") }
        if bytes[at] == UInt8(ascii: "\"") {
            at += 1
            return String(decoding: bytes[start..<(at - 1)], as: UTF8.self)
        }
        var text = Array(bytes[start..<at])
        while true {
            guard at < bytes.count else { throw failure("an unterminated string") }
            let byte = bytes[at]
            at += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            default:
                guard byte >= 0x20 else { throw failure("a control character in a string") }
                text.append(byte)
            }
        }
    }

    private mutating func escape(into text: inout [UInt8]) throws {
        guard at < bytes.count else { throw failure("an unterminated string") }
        let byte = bytes[at]
        at += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by its low one.
                guard matches("\\u") else { throw failure("a lone surrogate in a string") }
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw failure("a lone surrogate in a string")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("an invalid \\u escape") }
            text.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw failure("an invalid escape in a string")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard at + 4 <= bytes.count else { throw failure("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            at += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("a \\u escape that is not hexadecimal")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Steps over any JSON value (an unknown key's).
    private mutating func skipValue(depth: Int) throws {
        guard depth < Self.maximumDepth else { throw failure("values nested deeper than \(Self.maximumDepth)") }
        skipSpace()
        switch peek() {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"): try object { reader, _ in try reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): try array { try $0.skipValue(depth: depth + 1) }
        default:
            let start = at
            while at < bytes.count, !Self.endsBareValue(bytes[at]) { at += 1 }
            let word = bytes[start..<at]
            guard Self.isLiteral(word) || Self.isNumber(word) else { throw failure("a value that is not JSON") }
        }
    }

    private static func endsBareValue(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || isSpace(byte)
    }

    private static func isLiteral(_ word: ArraySlice<UInt8>) -> Bool {
        word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8) || word.elementsEqual("null".utf8)
    }

    /// RFC 8259 §6: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?
    private static func isNumber(_ word: ArraySlice<UInt8>) -> Bool {
        var index = word.startIndex
        func digits() -> Int {
            let from = index
            while index < word.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(word[index]) { index += 1 }
            return index - from
        }
        if index < word.endIndex, word[index] == UInt8(ascii: "-") { index += 1 }
        let first = index
        let whole = digits()
        guard whole > 0, whole == 1 || word[first] != UInt8(ascii: "0") else { return false }
        if index < word.endIndex, word[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < word.endIndex, word[index] == UInt8(ascii: "e") || word[index] == UInt8(ascii: "E") {
            index += 1
            if index < word.endIndex, word[index] == UInt8(ascii: "+") || word[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == word.endIndex
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private mutating func skipSpace() {
        while at < bytes.count, Self.isSpace(bytes[at]) { at += 1 }
    }

    private func peek() -> UInt8? {
        at < bytes.count ? bytes[at] : nil
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else {
            throw failure(at < bytes.count ? "expected \"\(Character(Unicode.Scalar(byte)))\"" : "the value ends early")
        }
        at += 1
    }

    /// Consumes `literal` when it comes next.
    private mutating func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        let same = literal.withUTF8Buffer { $0.elementsEqual(bytes[at..<(at + count)]) }
        if same { at += count }
        return same
    }

    private func failure(_ what: String) -> Failure {
        Failure(description: "\(what) at byte \(at)")
    }
}
