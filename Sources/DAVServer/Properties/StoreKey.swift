import DAVCore

/// How the SQLite and PostgreSQL stores key a path: its decoded form (`/a b/c`), compared byte for byte
/// (`COLLATE "C"` in PostgreSQL), so `NFC` and `NFD` spellings of a name stay two keys.
enum StoreKey {
    /// The path a key was written from (`path.description`).
    static func path(_ key: String) -> ResourcePath {
        ResourcePath(segments: key.split(separator: "/", omittingEmptySubsequences: true).map(String.init))
    }

    /// Rows ordered by their key, as a listing's properties by member: each key made a path once, not once
    /// per row (a member Windows wrote has four or more).
    static func grouped<Row>(_ rows: [Row], path key: (Row) -> String, element: (Row) throws -> XMLElement) rethrows
        -> [ResourcePath: [XMLElement]]
    {
        var found: [ResourcePath: [XMLElement]] = [:]
        var current: (key: String, elements: [XMLElement])?
        for row in rows {
            let rowKey = key(row)
            // Byte for byte: String's == takes NFC and NFD spellings of a name for one key.
            if let open = current, !open.key.utf8.elementsEqual(rowKey.utf8) {
                found[path(open.key), default: []].append(contentsOf: open.elements)
                current = nil
            }
            if current == nil { current = (rowKey, []) }
            current!.elements.append(try element(row))
        }
        if let open = current { found[path(open.key), default: []].append(contentsOf: open.elements) }
        return found
    }

    /// `/a/b` → `/a`; `/a` → `/`.
    static func parent(_ key: String) -> String {
        guard let slash = key.utf8.lastIndex(of: UInt8(ascii: "/")), slash != key.utf8.startIndex else { return "/" }
        return String(key[..<slash])
    }

    /// The keys strictly below `path` are those in `[lower, upper)`: `/a/` up to `/a0`, '0' being '/' + 1.
    static func below(_ path: ResourcePath) -> (lower: String, upper: String) {
        let lower = path.isRoot ? "/" : path.description + "/"
        return (lower, String(lower.dropLast()) + "0")
    }
}
