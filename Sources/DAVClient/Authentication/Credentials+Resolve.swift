import Foundation

extension Credentials {
    /// The environment variable that may hold the password, so it stays out of `ps` and shell history.
    public static let passwordVariable = "DAVDOCTOR_PASSWORD"

    /// Works out the credentials the way curl's `-u` does, from (first match wins):
    ///
    /// 1. `userFlag` as `user:password` (the password may contain colons: only the first one splits);
    /// 2. `userFlag` as `user`, with the password from `DAVDOCTOR_PASSWORD`, else from the netrc entry
    ///    for the URL's host and that login;
    /// 3. no flag: the netrc entry for the URL's host (or its `default` entry).
    ///
    /// Returns nil when nothing names a user. Throws ``DAVClientError/credentials`` for a user with no
    /// password anywhere, or a netrc file that exists but cannot be read. Nothing here prints the password.
    ///
    /// - Parameter netrcPath: the netrc file; `$NETRC`, else `~/.netrc`, when nil.
    public static func resolve(
        userFlag: String?,
        url: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        netrcPath: String? = nil
    ) throws -> Credentials? {
        let host = URLComponents(string: url)?.host?.lowercased()
        let path = netrcPath ?? environment["NETRC"] ?? (environment["HOME"].map { $0 + "/.netrc" } ?? NSHomeDirectory() + "/.netrc")

        func netrcEntry(login: String?) throws -> Credentials? {
            guard let host, FileManager.default.fileExists(atPath: path) else { return nil }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw DAVClientError.credentials("cannot read the netrc file \(path)")
            }
            return Netrc(text).credentials(host: host, login: login)
        }

        if let flag = userFlag {
            if let colon = flag.firstIndex(of: ":") {
                let user = String(flag[..<colon])
                guard !user.isEmpty else { throw DAVClientError.credentials("--user needs a user name before the colon") }
                return Credentials(user: user, password: String(flag[flag.index(after: colon)...]))
            }
            guard !flag.isEmpty else { throw DAVClientError.credentials("--user needs a user name") }
            if let password = environment[passwordVariable] {
                return Credentials(user: flag, password: password)
            }
            if let entry = try netrcEntry(login: flag) {
                return entry
            }
            throw DAVClientError.credentials(
                "no password for user \(flag): give --user \(flag):PASSWORD, set \(passwordVariable), or add a netrc entry for \(host ?? "the host")"
            )
        }
        return try netrcEntry(login: nil)
    }
}

/// The entries of a netrc file (`machine NAME login USER password PASS`, and `default`), as curl and
/// ftp read them: tokens separated by any white space, `"quoted"` tokens with `\` escapes, `#` comments
/// at the start of a line, `macdef` bodies skipped up to the next empty line.
struct Netrc: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        /// nil for the `default` entry.
        var machine: String?
        var login: String?
        var password: String?
    }

    var entries: [Entry] = []

    init(_ text: String) {
        var current: Entry?
        var tokens = Netrc.tokens(text).makeIterator()
        while let token = tokens.next() {
            switch token {
            case "machine":
                if let current { entries.append(current) }
                current = Entry(machine: tokens.next()?.lowercased())
            case "default":
                if let current { entries.append(current) }
                current = Entry(machine: nil)
            case "login":
                current?.login = tokens.next()
            case "password":
                current?.password = tokens.next()
            case "account":
                _ = tokens.next()
            default:
                break
            }
        }
        if let current { entries.append(current) }
    }

    /// The first entry for `host` (with `login`, when given) that has a login and a password; else the
    /// `default` entry under the same condition.
    func credentials(host: String, login: String?) -> Credentials? {
        func usable(_ entry: Entry) -> Credentials? {
            guard let user = entry.login, let password = entry.password else { return nil }
            if let login, login != user { return nil }
            return Credentials(user: user, password: password)
        }
        let host = host.lowercased()
        for entry in entries where entry.machine == host {
            if let found = usable(entry) { return found }
        }
        for entry in entries where entry.machine == nil {
            if let found = usable(entry) { return found }
        }
        return nil
    }

    private static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }[...]
        while let line = lines.popFirst() {
            if line.trimmingASCIIWhitespace().hasPrefix("#") { continue }
            var lineTokens: [String] = []
            var current = ""
            var inQuotes = false
            var escaped = false
            var hasToken = false
            for character in line {
                if escaped {
                    current.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inQuotes.toggle()
                    hasToken = true
                } else if !inQuotes, character == " " || character == "\t" {
                    if hasToken || !current.isEmpty { lineTokens.append(current) }
                    current = ""
                    hasToken = false
                } else {
                    current.append(character)
                }
            }
            if hasToken || !current.isEmpty { lineTokens.append(current) }
            tokens += lineTokens
            if lineTokens.first == "macdef" {
                // The macro body runs to the next empty line.
                while let next = lines.popFirst(), !next.trimmingASCIIWhitespace().isEmpty {}
            }
        }
        return tokens
    }
}
