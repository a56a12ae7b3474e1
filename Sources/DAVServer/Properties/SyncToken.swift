import DAVCore

/// A `DAV:sync-token` (RFC 6578 §3.2: the token MUST be a valid URI), written
/// `http://davdoctor.invalid/sync/<log-id>/<revision>`.
///
/// Why this form: an `http` URI under the `.invalid` top-level domain (RFC 6761 §6.4) is a valid absolute
/// URI that can never be fetched or collide with a real host, reads plainly in logs and bug reports, and
/// keeps a fixed prefix that is cheap to check before anything else. The log ID (32 hex digits, random,
/// stored in the data directory) makes a token from another server or another data directory fail at
/// once, where a bare revision number would be taken for one of this log's. `data:,N` (DAViCal's form)
/// would do as a URI but carries no room for the log ID without inventing a media type.
///
/// While the members of a first synchronisation are handed out in parts (more than the limit), the token
/// also carries the last member already listed: `…/<revision>?after=<href>`; the next request lists from there.
struct SyncToken: Equatable {
    static let prefix = "http://davdoctor.invalid/sync/"
    /// Longer tokens are refused unread: a cursor is one encoded path, and paths are far shorter.
    static let maxLength = 16 << 10

    var logID: String
    var revision: Int64
    /// The last member listed so far of an initial listing handed out in parts.
    var cursor: ResourcePath?

    var uri: String {
        var text = Self.prefix + logID + "/" + String(revision)
        if let cursor { text += "?after=" + cursor.href(isCollection: false) }
        return text
    }

    init(logID: String, revision: Int64, cursor: ResourcePath? = nil) {
        self.logID = logID
        self.revision = revision
        self.cursor = cursor
    }

    /// Parses a token this server could have written; nil for anything else (it is then a 403
    /// `DAV:valid-sync-token`, never a 400: RFC 6578 §3.2 makes any token the server does not know invalid).
    init?(uri text: String) {
        guard text.utf8.count <= Self.maxLength, text.hasPrefix(Self.prefix) else { return nil }
        var rest = Substring(text.dropFirst(Self.prefix.count))
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let id = String(rest[..<slash])
        guard Self.isLogID(id) else { return nil }
        rest = rest[rest.index(after: slash)...]
        var digits = rest
        var cursor: ResourcePath?
        if let question = rest.firstIndex(of: "?") {
            digits = rest[..<question]
            let query = rest[rest.index(after: question)...]
            guard query.hasPrefix("after=/"), let path = try? ResourcePath(encodedPath: String(query.dropFirst(6))), !path.isRoot
            else { return nil }
            cursor = path
        }
        guard (1...18).contains(digits.utf8.count), digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let revision = Int64(digits)
        else { return nil }
        self.init(logID: id, revision: revision, cursor: cursor)
    }

    /// 32 lower-case hex digits from the system's random source.
    static func newLogID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.string((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    static func isLogID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
