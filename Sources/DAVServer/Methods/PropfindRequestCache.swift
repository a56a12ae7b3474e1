import DAVCore

/// What recent PROPFIND bodies asked for, by their exact bytes.
///
/// Clients send the same few bodies again and again (`allprop`, or one client's fixed `prop` list), and
/// parsing one as XML was about a tenth of the server's CPU for a Depth 0 PROPFIND (8 of about 100 µs).
/// What a body asks for depends on its bytes alone (the parser's limits are fixed), so a body seen before
/// gets what its parse gave. A body that failed is not kept: it is parsed again and fails with its own
/// message. Bodies above ``largestBody`` are always parsed; when ``capacity`` bodies are kept, the next
/// new one starts the table afresh, so many different bodies cost a parse each, as before, and no more.
final class PropfindRequestCache: Sendable {
    static let largestBody = 1024
    static let capacity = 64

    private let entries = Locked<[Key: DAVResponder.PropfindRequest]>([:])

    /// What `body` asks for: the kept answer, or `parse()`'s (kept when it succeeds).
    func request(for body: [UInt8], parse: () throws -> DAVResponder.PropfindRequest) throws -> DAVResponder.PropfindRequest {
        guard body.count <= Self.largestBody else { return try parse() }
        let key = Key(bytes: body)
        if let known = entries.withLock({ $0[key] }) { return known }
        let parsed = try parse()
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = parsed
        }
        return parsed
    }

    /// How many bodies are kept (for tests).
    var count: Int { entries.withLock { $0.count } }

    /// A body's bytes, hashed as one block rather than byte by byte.
    private struct Key: Hashable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        static func == (lhs: Key, rhs: Key) -> Bool { lhs.bytes == rhs.bytes }
    }
}
