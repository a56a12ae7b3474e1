import Foundation

/// Where a PostgreSQL store is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (or `postgresql://`).
///
/// The password comes from the URL, else `PGPASSWORD`, else the first matching line of `~/.pgpass`
/// (or `$PGPASSFILE`), as libpq looks it up, so that a URL in a configuration file or a process list need
/// not carry it. ``description`` never shows it: it is what logs and error messages print.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?

    /// A URL that cannot be used, with the one line that says why (the password never in it).
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses `text`; `environment` and `home` are where `PGPASSWORD`, `PGPASSFILE` and `~/.pgpass` are read.
    public init(
        _ text: String, environment: [String: String] = ProcessInfo.processInfo.environment, home: String = NSHomeDirectory()
    ) throws {
        let redacted = Self.redact(text)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw Invalid(description: "--store must be postgres://USER@HOST:PORT/DATABASE, not \(redacted)") }
        guard let host = components.host, !host.isEmpty else { throw Invalid(description: "the store URL \(redacted) names no host") }
        guard let user = components.user, !user.isEmpty else { throw Invalid(description: "the store URL \(redacted) names no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw Invalid(description: "the store URL \(redacted) must name one database (…/DATABASE)")
        }
        if let items = components.queryItems, !items.isEmpty {
            // TLS and other connection options are not supported yet: refusing them beats ignoring an sslmode.
            throw Invalid(description: "the store URL \(redacted) has options (\(items.map(\.name).joined(separator: ", "))); none are supported")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw Invalid(description: "the store URL \(redacted) has port \(port), out of range") }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = port
        self.user = user
        self.database = database
        if let given = components.password {
            password = given
        } else if let fromEnvironment = environment["PGPASSWORD"] {
            password = fromEnvironment
        } else {
            let file = environment["PGPASSFILE"] ?? home + "/.pgpass"
            let contents = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }
            password = contents.flatMap { Self.passwordFile($0, host: self.host, port: port, database: database, user: user) }
        }
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// The password of the first `hostname:port:database:username:password` line that matches (`*` matches
    /// anything; `\:` and `\\` are escapes), as libpq reads `.pgpass`.
    static func passwordFile(_ contents: String, host: String, port: Int, database: String, user: String) -> String? {
        for line in contents.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = []
            var current = ""
            var escaped = false
            for character in line {
                if escaped {
                    current.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == ":" && fields.count < 4 {
                    fields.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            fields.append(current)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields, wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// `text` with any password in it replaced by `***`, for error messages about a URL that did not parse.
    static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.range(of: "@", range: schemeEnd.upperBound..<text.endIndex),
            let colon = text.range(of: ":", range: schemeEnd.upperBound..<at.lowerBound)
        else { return text }
        return String(text[..<colon.upperBound]) + "***" + String(text[at.lowerBound...])
    }
}
