import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// DELETE (RFC 4918 §9.6): a collection goes with all its members. When members are locked (or the
    /// user may not write them), nothing is deleted and a 207 names each one that blocked the deletion.
    /// Blocking: run on the ``BlockingPool``, inside the gate.
    func handleDelete(_ exchange: ServerExchange) throws -> Response {
        let path = exchange.path
        try authorize(exchange, .write, path)
        guard let info = try options.storage.info(at: path) else { throw DAVError.notFound() }
        if info.isCollection, let depth = exchange.header("Depth"), Depth(headerValue: depth) != .infinity {
            throw DAVError.badRequest("DELETE of a collection needs Depth: infinity (RFC 4918 §9.6.1)")
        }
        guard !path.isRoot else { throw DAVError.forbidden("the root collection cannot be deleted") }
        try checkIfHeader(exchange)
        try checkLocksForMembership(exchange, path, descendants: false)
        if info.isCollection {
            var blocked: [DAVCore.Response] = []
            let submitted = Set(try exchange.ifHeader()?.submittedTokens ?? [])
            for lock in try options.locks.locks(covering: path, descendants: true, now: now)
            where lock.root != path && (!submitted.contains(lock.token) || !Self.owns(lock, exchange)) {
                blocked.append(
                    DAVCore.Response(
                        hrefs: [lock.root.href(isCollection: lock.rootIsCollection)], status: StatusLine(code: 423),
                        error: DAVError.locked([lock.root.href(isCollection: lock.rootIsCollection)]).errorElement))
            }
            if options.access.requiresAuthentication {
                try options.storage.walk(path) { member in
                    if !options.access.allows(exchange.user, .write, member.path) {
                        blocked.append(DAVCore.Response(hrefs: [member.path.href(isCollection: member.isCollection)], status: StatusLine(code: 403)))
                        return false
                    }
                    return true
                }
            }
            if !blocked.isEmpty { return try Responses.multiStatus(blocked, exchange: exchange) }
        }
        try options.changes.recording(try removalEntries(path, info)) {
            try options.storage.remove(path)
            try options.properties.remove(at: path, recursive: true)
            try options.locks.removeAll(under: path)
        }
        return Responses.empty(204)
    }
}
