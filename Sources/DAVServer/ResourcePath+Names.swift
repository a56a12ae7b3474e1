import DAVCore

/// Segments and the file-system names they stand for.
///
/// A name that is UTF-8 is its own segment. A name that is not (a Latin-1 `caf\xE9` written by a local
/// user) is served too: each byte outside valid UTF-8 is written `\E9` in its segment. A backslash never
/// occurs in a name a path can carry, so this spelling cannot collide with a real name, and the segment
/// stays a `String`, the key of the property and lock stores. Hrefs percent-encode the byte (`%E9`), and a
/// request for `%E9` decodes to the same segment.
extension ResourcePath {
    /// The segment for a file-system name, nil for a name no request path can carry, which is then not
    /// served: `.` and `..`, control characters, a backslash, an overlong spelling of an ASCII character.
    public static func segment(forName name: some Collection<UInt8>) -> String? {
        var isASCII = true
        for byte in name {
            if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\\") { return nil }
            if byte >= 0x80 { isASCII = false }
        }
        if name.isEmpty || name.elementsEqual([0x2E]) || name.elementsEqual([0x2E, 0x2E]) { return nil }
        if isASCII { return String(decoding: name, as: UTF8.self) }
        if let text = String(validating: name, as: UTF8.self) { return text }
        let bytes = Array(name)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3)
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            if length > 0 {
                out.append(contentsOf: bytes[index..<(index + length)])
                index += length
                continue
            }
            if spellsASCII(bytes, at: index) { return nil }
            out.append(UInt8(ascii: "\\"))
            out.append(Hex.digit(bytes[index] >> 4, uppercase: true))
            out.append(Hex.digit(bytes[index], uppercase: true))
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The file-system name a segment stands for: its UTF-8, each `\XX` (XX from 80 up) turned back into its byte.
    public static func name(ofSegment segment: String) -> [UInt8] {
        var name: [UInt8] = []
        appendName(ofSegment: segment, to: &name)
        return name
    }

    /// Appends the name a segment stands for (a path being built, without a copy per segment).
    static func appendName(ofSegment segment: String, to out: inout [UInt8]) {
        guard segment.utf8.contains(UInt8(ascii: "\\")) else {
            out.append(contentsOf: segment.utf8)
            return
        }
        let utf8 = Array(segment.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "\\"), index + 2 < utf8.count, let high = Hex.value(utf8[index + 1]),
                let low = Hex.value(utf8[index + 2]), high >= 8
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(utf8[index])
                index += 1
            }
        }
    }

    /// How many bytes of valid UTF-8 make the character at `index`; 0 when none does.
    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let length: Int
        switch bytes[index] {
        case 0x00..<0x80: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        guard index + length <= bytes.count, String(validating: bytes[index..<(index + length)], as: UTF8.self) != nil else { return 0 }
        return length
    }

    /// Whether the bytes at `index`, read the lenient way old decoders did, are an ASCII character in
    /// disguise (`%C0%AE` for `.`): refused, as a client or proxy downstream might read it so.
    private static func spellsASCII(_ bytes: [UInt8], at index: Int) -> Bool {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC0...0xDF: (length, value) = (2, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (length, value) = (3, UInt32(lead & 0x0F))
        case 0xF0...0xF7: (length, value) = (4, UInt32(lead & 0x07))
        case 0xF8...0xFB: (length, value) = (5, UInt32(lead & 0x03))
        case 0xFC...0xFD: (length, value) = (6, UInt32(lead & 0x01))
        default: return false
        }
        guard index + length <= bytes.count else { return false }
        for byte in bytes[(index + 1)..<(index + length)] {
            guard byte & 0xC0 == 0x80 else { return false }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return value < 0x80
    }
}
