#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Decoding and escaping of XML character data.
public enum XMLText {
    /// Decodes the five predefined entities and character references.
    ///
    /// Anything else (`&Atilde;`, a bare `&`) is kept as written and reported in `undefinedEntity`,
    /// so a reader can go on and say what the server got wrong (catalog PAY-05).
    public static func decode(_ raw: UnsafeRawBufferPointer) -> (text: String, undefinedEntity: String?) {
        guard let base = raw.baseAddress, memchr(base, 0x26, raw.count) != nil else {
            return (String(decoding: raw, as: UTF8.self), nil)
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var undefined: String?
        var i = 0
        let n = raw.count
        while i < n {
            let byte = raw[i]
            guard byte == 0x26 else {
                out.append(byte)
                i += 1
                continue
            }
            var j = i + 1
            while j < n, j - i < 40, raw[j] != 0x3B, raw[j] != 0x26 { j += 1 }
            guard j < n, raw[j] == 0x3B else {
                undefined = undefined ?? "&"
                out.append(byte)
                i += 1
                continue
            }
            let name = UnsafeRawBufferPointer(rebasing: raw[(i + 1)..<j])
            if let scalar = entityScalar(name) {
                appendUTF8(scalar, to: &out)
            } else {
                undefined = undefined ?? "&" + String(decoding: name, as: UTF8.self) + ";"
                out.append(contentsOf: raw[i...j])
            }
            i = j + 1
        }
        return (String(decoding: out, as: UTF8.self), undefined)
    }

    public static func decode(_ bytes: [UInt8]) -> (text: String, undefinedEntity: String?) {
        bytes.withUnsafeBytes { decode($0) }
    }

    private static func entityScalar(_ name: UnsafeRawBufferPointer) -> UnicodeScalar? {
        let s = String(decoding: name, as: UTF8.self)
        switch s {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default: break
        }
        guard s.hasPrefix("#") else { return nil }
        let digits = s.dropFirst()
        let value: UInt32?
        if digits.hasPrefix("x") || digits.hasPrefix("X") {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits, radix: 10)
        }
        guard let value, value != 0, let scalar = UnicodeScalar(value) else { return nil }
        return scalar
    }

    private static func appendUTF8(_ scalar: UnicodeScalar, to out: inout [UInt8]) {
        var buffer: [UInt8] = []
        UTF8.encode(scalar) { buffer.append($0) }
        out.append(contentsOf: buffer)
    }

    /// Escapes text content: `&`, `<` and `>`.
    public static func escapeText(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x0D }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// ``escapeText(_:)`` for writers that build bytes: appends `bytes` escaped, copying the runs between
    /// the characters that need escaping in one piece each.
    public static func appendEscapedText(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        for index in 0..<bytes.count {
            let replacement: StaticString
            switch bytes[index] {
            case 0x26: replacement = "&amp;"
            case 0x3C: replacement = "&lt;"
            case 0x3E: replacement = "&gt;"
            case 0x0D: replacement = "&#13;"
            default: continue
            }
            if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            replacement.withUTF8Buffer { out.append(contentsOf: $0) }
            runStart = index + 1
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
    }

    /// Escapes an attribute value for double quotes.
    public static func escapeAttribute(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x22 || $0 < 0x20 }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
