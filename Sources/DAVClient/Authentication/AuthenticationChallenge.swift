/// One challenge from a `WWW-Authenticate` field (RFC 9110 §11.6.1): a scheme and its parameters.
///
/// A field may hold several challenges separated by commas, and commas also separate a challenge's
/// parameters, so the reader decides by shape: `Scheme name=value` or a bare `Scheme` starts a new
/// challenge, `name=value` continues the current one. Quoted strings may hold commas and `\"`.
/// Parameter names are compared case-insensitively (stored lower-cased); values are kept as written.
struct AuthenticationChallenge: Sendable, Hashable {
    var scheme: String
    var parameters: [String: String]
    /// The `token68` form (`Negotiate abc==`), when the challenge uses it instead of parameters.
    var token68: String?

    func parameter(_ name: String) -> String? { parameters[name.lowercased()] }

    func isScheme(_ name: String) -> Bool { scheme.lowercased() == name.lowercased() }

    /// All challenges in the given field values, in order.
    static func parse(_ fieldValues: [String]) -> [AuthenticationChallenge] {
        var challenges: [AuthenticationChallenge] = []
        for value in fieldValues {
            for item in splitTopLevel(value) {
                let trimmed = item.trimmingASCIIWhitespace()
                if trimmed.isEmpty { continue }
                if let (name, value) = parameterPair(trimmed), !challenges.isEmpty {
                    challenges[challenges.count - 1].parameters[name] = value
                    continue
                }
                // A new challenge: the scheme token, then optionally one parameter or a token68.
                let scheme: Substring
                let rest: Substring
                if let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                    scheme = trimmed[..<space]
                    rest = trimmed[space...].drop(while: { $0 == " " || $0 == "\t" })
                } else {
                    scheme = Substring(trimmed)
                    rest = ""
                }
                var challenge = AuthenticationChallenge(scheme: String(scheme), parameters: [:], token68: nil)
                if !rest.isEmpty {
                    if let (name, value) = parameterPair(String(rest)) {
                        challenge.parameters[name] = value
                    } else {
                        challenge.token68 = String(rest)
                    }
                }
                challenges.append(challenge)
            }
        }
        return challenges
    }

    /// `name=value` or `name="quoted value"`, with the name lower-cased and the value unquoted; nil when
    /// the text has another shape (a scheme, a token68 such as `abc==`).
    private static func parameterPair(_ text: String) -> (String, String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let name = text[..<equals].trimmingASCIIWhitespace()
        guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else { return nil }
        let rawValue = text[text.index(after: equals)...].trimmingASCIIWhitespace()
        if rawValue.hasPrefix("\"") {
            var value = ""
            var escaped = false
            for character in rawValue.dropFirst() {
                if escaped {
                    value.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    break
                } else {
                    value.append(character)
                }
            }
            return (name.lowercased(), value)
        }
        // token68 ends in '=' padding: "abc==" has an empty "value" after the first '='.
        guard !rawValue.isEmpty, !rawValue.hasPrefix("=") else { return nil }
        return (name.lowercased(), rawValue)
    }

    /// Splits at commas that are outside quoted strings.
    private static func splitTopLevel(_ value: String) -> [String] {
        var items: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\" where inQuotes:
                escaped = true
                current.append(character)
            case "\"":
                inQuotes.toggle()
                current.append(character)
            case "," where !inQuotes:
                items.append(current)
                current = ""
            default:
                current.append(character)
            }
        }
        items.append(current)
        return items
    }

    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(ascii)
        }
    }
}
