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

    /// What a listing decides once for all its members is what ``AccessRules/allows(_:_:_:)`` says of each.
    @Test func readingEverywhereAgreesWithEachPath() throws {
        let paths = [ResourcePath.root, path("docs"), path("team", "x"), path("team", "private", "p"), path("elsewhere", "deep")]
        for access in [AccessRules.open, try Self.rules(), try Self.rules("anonymous: read")] {
            for user in [nil, "alice", "bob", "nobody"] {
                let everywhere = paths.allSatisfy { access.allows(user, .read, $0) }
                if access.allowsReadingEverywhere(user) { #expect(everywhere, "\(user ?? "anonymous")") }
            }
        }
        #expect(AccessRules.open.allowsReadingEverywhere(nil))
        #expect(try Self.rules("anonymous: read").allowsReadingEverywhere(nil))
        #expect(try !Self.rules().allowsReadingEverywhere("alice"))
        #expect(try !Self.rules().allowsReadingEverywhere(nil))
        let noRules = try AccessRules(configuration: ServerConfiguration.parse("users:\n  - name: a\n    password: \"\(Self.hash)\"\n"))
        #expect(noRules.allowsReadingEverywhere("a"))
        #expect(!noRules.allowsReadingEverywhere(nil))
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
