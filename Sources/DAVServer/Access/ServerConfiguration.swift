import DAVCore
import Foundation
import Yams

/// The YAML configuration of `davdoctor serve --config FILE`: users, access rules and limits.
///
/// ```yaml
/// users:
///   - name: alice
///     password: "pbkdf2-sha256$210000$…$…"   # davdoctor serve --hash-password
///     groups: [editors]
/// anonymous: read          # none (default) or read
/// rules:                   # longest matching path prefix wins; none = every user may read and write
///   - path: /shared/
///     read: ["*"]          # "*" any signed-in user, "@group", or a user name
///     write: ["@editors"]
/// limits:
///   maxBodyBytes: 1073741824
///   depthInfinity: true    # false: PROPFIND Depth infinity gets 403 DAV:propfind-finite-depth
///   requestHeadSeconds: 30 # a request head not complete by then closes the connection (slowloris)
///   idleSeconds: 120       # a connection with no traffic for this long is closed
///   syncResults: 1000      # most members one sync-collection REPORT lists (507 and a token to continue beyond)
///   syncHistory: 100000    # changes the sync log keeps at least; older sync tokens get 403 valid-sync-token
///   listingCacheMiB: 16    # listed members' responses kept for the next PROPFIND of their folders; 0: none
/// principals: /.davdoctor-principals/  # where principals are answered (reserved: never read from the tree)
/// dataDirectory: /var/lib/davdoctor   # dead properties, locks and the sync log (SQLite); outside the served tree
/// store: postgres://davdoctor@db.internal:5432/davdoctor   # instead: properties and locks in PostgreSQL, shared
///                                                          # by every instance serving the same tree
/// ```
public struct ServerConfiguration: Sendable, Decodable {
    public struct User: Sendable, Decodable {
        public var name: String
        /// A `pbkdf2-sha256$…` hash, never the password itself.
        public var password: String
        public var groups: [String]?

        public init(name: String, password: String, groups: [String]? = nil) {
            self.name = name
            self.password = password
            self.groups = groups
        }
    }

    public struct Rule: Sendable, Decodable {
        public var path: String
        public var read: [String]?
        public var write: [String]?
    }

    public struct Limits: Sendable, Decodable {
        public var maxBodyBytes: Int?
        public var depthInfinity: Bool?
        public var requestHeadSeconds: Double?
        public var idleSeconds: Double?
        public var syncResults: Int?
        public var syncHistory: Int?
        public var listingCacheMiB: Int?
    }

    public var users: [User]?
    public var anonymous: String?
    public var rules: [Rule]?
    public var limits: Limits?
    public var dataDirectory: String?
    /// A `postgres://USER@HOST:PORT/DATABASE` URL (``PostgresLocation``); the password is better left to
    /// `PGPASSWORD` or `~/.pgpass` than written here.
    public var store: String?
    public var principals: String?

    public init() {}

    public static func load(path: String) throws -> ServerConfiguration {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try parse(text)
    }

    /// `principals`, checked: an absolute path below the root; nil when the config names none.
    public func principalsPath() throws -> ResourcePath? {
        guard let principals else { return nil }
        guard let path = try? ResourcePath(encodedPath: principals), !path.isRoot else {
            throw DAVError(500, "invalid config: principals must be an absolute path below the root, not \(principals)")
        }
        return path
    }

    public static func parse(_ yaml: String) throws -> ServerConfiguration {
        if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return ServerConfiguration() }
        return try YAMLDecoder().decode(ServerConfiguration.self, from: yaml)
    }
}
