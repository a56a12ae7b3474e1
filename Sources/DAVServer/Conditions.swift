import DAVCore
import Foundation

/// The If header (RFC 4918 §10.4) and lock checks (§7) shared by every method that changes something.
extension DAVResponder {
    var now: Double { Date().timeIntervalSince1970 }

    /// Evaluates the If header, if any: 412 when no list holds (§10.4.1).
    func checkIfHeader(_ exchange: ServerExchange) throws {
        guard let header = try exchange.ifHeader() else { return }
        for list in header.lists {
            if try evaluate(list, exchange) { return }
        }
        throw DAVError.preconditionFailed("no list of the If header matched the resources' state")
    }

    private func evaluate(_ list: IfHeader.List, _ exchange: ServerExchange) throws -> Bool {
        var path = exchange.path
        if let tag = list.resourceTag {
            guard let destination = Destination(headerValue: tag), destination.isSameAuthority(asHost: exchange.request.head.authority),
                let tagged = try? ResourcePath(encodedPath: destination.path)
            else { return false }
            path = tagged
        }
        let info = try? options.storage.info(at: path)
        for condition in list.conditions {
            var holds: Bool
            switch condition.kind {
            case .stateToken(let token):
                if let lock = try options.locks.lock(token: token, now: now) { holds = lock.covers(path) } else { holds = false }
            case .entityTag(let tag):
                holds = info.map { Self.etagMatches($0.etag, tag) } ?? false
            }
            if condition.isNegated { holds.toggle() }
            if !holds { return false }
        }
        return true
    }

    /// Whether the request's user may use this lock: its creator, or anyone for a lock taken anonymously.
    static func owns(_ lock: ActiveLock, _ exchange: ServerExchange) -> Bool {
        lock.principal == nil || lock.principal == exchange.user
    }

    static func etagMatches(_ current: String, _ given: String) -> Bool {
        func strip(_ tag: String) -> String { tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag }
        return strip(current) == strip(given)
    }

    /// Throws 423 `DAV:lock-token-submitted` unless every lock on `path` (and, with `descendants`, below
    /// it) has its token in the If header, submitted by the user who created the lock (RFC 4918 §6.4).
    func checkLocks(_ exchange: ServerExchange, _ path: ResourcePath, descendants: Bool) throws {
        let locks = try options.locks.locks(covering: path, descendants: descendants, now: now)
        guard !locks.isEmpty else { return }
        let submitted = Set(try exchange.ifHeader()?.submittedTokens ?? [])
        let missing = locks.filter { !submitted.contains($0.token) || !Self.owns($0, exchange) }
        guard missing.isEmpty else {
            throw DAVError.locked(missing.map { $0.root.href(isCollection: $0.rootIsCollection) })
        }
    }

    /// Locks to check before creating or removing `path`: its own, and the parent collection's, since
    /// the parent's membership changes (§7.4).
    func checkLocksForMembership(_ exchange: ServerExchange, _ path: ResourcePath, descendants: Bool) throws {
        try checkLocks(exchange, path, descendants: descendants)
        if let parent = path.parent { try checkLocks(exchange, parent, descendants: false) }
    }
}
