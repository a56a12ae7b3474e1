import DAVCore

/// What a request needs on a path.
public enum Permission: Sendable {
    case read
    case write
}

/// Who may read or write where: a pure decision made before any handler runs (hacdias/webdav's
/// `UserPermissions.Allowed`). Users and their password hashes come from ``ServerConfiguration``.
///
/// - No users configured: everyone may read and write (the server then listens on loopback only unless told).
/// - Anonymous requests may read when `anonymous: read`, and never write.
/// - Signed-in users may read and write everywhere when there are no rules; otherwise the rule with the
///   longest path prefix decides, `write` implying `read`; a path no rule covers is refused.
public struct AccessRules: Sendable {
    public struct Account: Sendable {
        public var name: String
        public var password: PasswordHash
        public var groups: Set<String>
    }

    struct Rule: Sendable {
        var prefix: ResourcePath
        var read: Set<String>
        var write: Set<String>
    }

    public private(set) var accounts: [String: Account] = [:]
    public var anonymousRead: Bool
    var rules: [Rule]

    public var requiresAuthentication: Bool { !accounts.isEmpty }

    /// Everyone may do everything: the default with no configuration file.
    public static let open = AccessRules(accounts: [], anonymousRead: true, rules: [])

    init(accounts: [Account], anonymousRead: Bool, rules: [Rule]) {
        for account in accounts { self.accounts[account.name] = account }
        self.anonymousRead = anonymousRead
        self.rules = rules
    }

    /// Validates the configuration: every password must be a `pbkdf2-sha256$…` hash and every rule path absolute.
    public init(configuration: ServerConfiguration) throws {
        var accounts: [Account] = []
        for user in configuration.users ?? [] {
            guard let hash = PasswordHash(user.password) else {
                throw DAVError(
                    500,
                    "invalid config: user \(user.name): password does not parse as pbkdf2-sha256$ITERATIONS$SALT$HASH "
                        + "(hex, a salt of 8 bytes or more, a hash of 32); make one with davdoctor serve --hash-password")
            }
            accounts.append(Account(name: user.name, password: hash, groups: Set(user.groups ?? [])))
        }
        var rules: [Rule] = []
        for rule in configuration.rules ?? [] {
            guard let prefix = try? ResourcePath(encodedPath: rule.path) else {
                throw DAVError(500, "invalid config: rule path \(rule.path) must be an absolute path")
            }
            rules.append(Rule(prefix: prefix, read: Set(rule.read ?? []), write: Set(rule.write ?? [])))
        }
        let anonymous = configuration.anonymous ?? "none"
        guard anonymous == "none" || anonymous == "read" else { throw DAVError(500, "invalid config: anonymous must be none or read") }
        self.init(accounts: accounts, anonymousRead: accounts.isEmpty || anonymous == "read", rules: rules)
    }

    /// Whether `user` (nil: anonymous) may read every path: what ``allows(_:_:_:)`` answers for each
    /// member of a listing, decided once for all of them.
    public func allowsReadingEverywhere(_ user: String?) -> Bool {
        guard requiresAuthentication else { return true }
        guard let user, accounts[user] != nil else { return anonymousRead }
        return rules.isEmpty
    }

    /// Whether `user` (nil: anonymous) may do `permission` on `path`.
    public func allows(_ user: String?, _ permission: Permission, _ path: ResourcePath) -> Bool {
        guard requiresAuthentication else { return true }
        guard let user, let account = accounts[user] else {
            return permission == .read && anonymousRead
        }
        let matching = rules.filter { path.isDescendant(of: $0.prefix) }.max { $0.prefix.depth < $1.prefix.depth }
        guard let rule = matching else { return rules.isEmpty }
        func grants(_ names: Set<String>) -> Bool {
            names.contains("*") || names.contains(account.name) || account.groups.contains { names.contains("@" + $0) }
        }
        switch permission {
        case .read: return grants(rule.read) || grants(rule.write) || (anonymousRead)
        case .write: return grants(rule.write)
        }
    }
}
