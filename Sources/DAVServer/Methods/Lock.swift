import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// LOCK (RFC 4918 §9.10): a body creates a lock (exclusive or shared, Depth 0 or infinity); no body
    /// refreshes the lock named in the If header. A lock on an unmapped URL creates an empty resource (201).
    func handleLock(_ exchange: ServerExchange) async throws -> Response {
        let path = exchange.path
        try authorize(exchange, .write, path)
        let timeout = try requestedTimeout(exchange)
        let body = try await exchange.xmlBody()
        return try await gate.serialize([exchange.path]) {
            try await BlockingPool.run {
                guard let body else { return try refreshLock(exchange, timeout: timeout) }
                return try createLock(exchange, body: body, timeout: timeout)
            }
        }
    }

    /// A new lock, inside the gate: the resource's existence, the lock and the empty resource it may create
    /// change together.
    private func createLock(_ exchange: ServerExchange, body: XMLElement, timeout: LockTimeout) throws -> Response {
        let path = exchange.path
        guard body.name == DAV.lockinfo, let scope = body.firstChild(DAV.lockscope), body.firstChild(DAV.locktype)?.firstChild(DAV.write) != nil
        else { throw DAVError.badRequest("the body must be a DAV:lockinfo with a lockscope and a write locktype") }
        let exclusive: Bool
        if scope.firstChild(DAV.exclusive) != nil {
            exclusive = true
        } else if scope.firstChild(DAV.shared) != nil {
            exclusive = false
        } else {
            throw DAVError.badRequest("DAV:lockscope must be exclusive or shared")
        }
        let depth = try exchange.depth(default: .infinity)
        guard depth != .one else { throw DAVError.badRequest("LOCK takes Depth 0 or infinity") }
        let existing = try options.storage.info(at: path)
        if existing == nil {
            guard let parent = path.parent, let parentInfo = try options.storage.info(at: parent), parentInfo.isCollection else {
                throw DAVError.conflict("the parent collection does not exist")
            }
        }
        try checkIfHeader(exchange)
        var generator = SystemRandomNumberGenerator()
        let token = LockToken(randomBytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let now = self.now
        let lock = ActiveLock(
            token: token.uri, root: path, rootIsCollection: existing?.isCollection ?? false, isDeep: depth == .infinity,
            isExclusive: exclusive, owner: body.firstChild(DAV.owner), principal: exchange.user, timeout: timeout, now: now)
        try options.locks.create(lock, now: now)
        if existing == nil {
            var writer: (any ContentWriter)?
            do {
                let empty = try options.storage.beginWrite(path)
                writer = empty
                _ = try options.changes.recording([ChangeEntry(path, .created, isCollection: false)]) { try empty.commit() }
            } catch {
                writer?.abort()
                try? options.locks.unlock(token: lock.token, path: path, now: now)
                throw error
            }
        }
        let document = XMLElement(DAV.prop, children: [.element(LiveProperties.lockDiscovery([lock], now: now))])
        return Responses.xml(existing == nil ? 201 : 200, XMLBody.document(document), headers: [(HTTPField.Name("Lock-Token")!, token.headerValue)])
    }

    private func refreshLock(_ exchange: ServerExchange, timeout: LockTimeout) throws -> Response {
        let path = exchange.path
        guard let header = try exchange.ifHeader() else {
            throw DAVError.badRequest("a LOCK without a body refreshes a lock and needs an If header with its token")
        }
        try checkIfHeader(exchange)
        let now = self.now
        for token in header.submittedTokens {
            if let lock = try options.locks.lock(token: token, now: now), lock.covers(path) {
                guard Self.owns(lock, exchange) else { throw DAVError.forbidden("the lock belongs to another user") }
                let refreshed = try options.locks.refresh(token: token, path: path, timeout: timeout, now: now)
                let document = XMLElement(DAV.prop, children: [.element(LiveProperties.lockDiscovery([refreshed], now: now))])
                return Responses.xml(200, XMLBody.document(document))
            }
        }
        throw DAVError(412, "no lock named in the If header applies to this resource", condition: DAV.lockTokenMatchesRequestURI)
    }

    /// The first Timeout choice, capped at the server's maximum; 400 when malformed.
    private func requestedTimeout(_ exchange: ServerExchange) throws -> LockTimeout {
        let maximum = options.maxLockSeconds
        guard let text = exchange.header("Timeout") else { return .seconds(min(3600, maximum)) }
        guard let choices = LockTimeout.parseHeader(text), let first = choices.first else {
            throw DAVError.badRequest("malformed Timeout header")
        }
        switch first {
        case .infinite: return .seconds(maximum)
        case .seconds(let seconds): return .seconds(min(seconds, maximum))
        }
    }

    /// UNLOCK (RFC 4918 §9.11): 204; 400 without a Lock-Token; 409 when the token does not apply here.
    /// Blocking: run on the ``BlockingPool``.
    func handleUnlock(_ exchange: ServerExchange) throws -> Response {
        let path = exchange.path
        try authorize(exchange, .write, path)
        guard let text = exchange.header("Lock-Token"), let token = LockToken(headerValue: text) else {
            throw DAVError.badRequest("UNLOCK needs a Lock-Token header: <token>")
        }
        if let lock = try options.locks.lock(token: token.uri, now: now), !Self.owns(lock, exchange) {
            throw DAVError.forbidden("the lock belongs to another user")
        }
        try options.locks.unlock(token: token.uri, path: path, now: now)
        return Responses.empty(204)
    }
}
