import DAVCore
import Testing

@testable import DAVServer

struct AccessRulesTests {
    static let hash = PasswordHash(password: "pw", iterations: 10).description

    static func rules(_ extra: String = "") throws -> AccessRules {
        let yaml = """
            users:
              - name: alice
                password: "\(hash)"
                groups: [editors]
              - name: bob
                password: "\(hash)"
            rules:
              - path: /
                read: ["*"]
              - path: /team/
                write: ["@editors"]
              - path: /team/private/
                read: [alice]
            \(extra)
            """
        return try AccessRules(configuration: ServerConfiguration.parse(yaml))
    }

    @Test func longestPrefixDecides() throws {
        let access = try Self.rules()
        #expect(access.allows("bob", .read, path("docs")))
        #expect(!access.allows("bob", .write, path("docs")))
        #expect(access.allows("alice", .write, path("team", "x")))
        #expect(!access.allows("bob", .read, path("team", "x")))
        #expect(access.allows("alice", .read, path("team", "private", "p")))
        #expect(!access.allows("alice", .write, path("team", "private", "p")))
        #expect(!access.allows(nil, .read, path("docs")))
    }

    @Test func anonymousReadAndOpenDefault() throws {
        let access = try Self.rules("anonymous: read")
        #expect(access.allows(nil, .read, path("docs")))
        #expect(!access.allows(nil, .write, path("docs")))
        #expect(AccessRules.open.allows(nil, .write, path("any")))
        #expect(try AccessRules(configuration: ServerConfiguration.parse("")).allows(nil, .write, .root))
    }

    /// A stored hash that does not parse stops the configuration from loading, naming the user.
    @Test(arguments: [
        "pbkdf2-sha256$10$\(String(repeating: "ab", count: 16))$",
        "pbkdf2-sha256$10$\(String(repeating: "ab", count: 16))$+f\(String(repeating: "cd", count: 31))",
        "",
    ])
    func refusesAUserWhoseHashDoesNotParse(_ stored: String) {
        let yaml = "users:\n  - name: carol\n    password: \"\(stored)\"\n"
        let error = #expect(throws: DAVError.self) { try AccessRules(configuration: ServerConfiguration.parse(yaml)) }
        #expect(error?.message.contains("carol") == true)
    }

    @Test func refusesPlainPasswords() {
        #expect(throws: DAVError.self) {
            try AccessRules(configuration: ServerConfiguration.parse("users:\n  - name: a\n    password: secret\n"))
        }
    }
}
