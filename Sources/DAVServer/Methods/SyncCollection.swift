import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// What a `DAV:sync-collection` body asks (RFC 6578 §6.1: `sync-token, sync-level, limit?, prop`).
    struct SyncRequest {
        /// Nil for the empty token of a first synchronisation.
        var token: String?
        /// `DAV:sync-level` infinite: members at any depth; 1: direct members.
        var infinite: Bool
        /// The client's `DAV:limit/DAV:nresults`; a number too large for `Int` reads as `Int.max`.
        var nresults: Int?
        var properties: [QualifiedName]
    }

    /// `DAV:sync-collection` (RFC 6578 §3): a first synchronisation (empty token) lists every member the user
    /// may read; a later one lists the members changed since the token (as they are now, with the requested
    /// properties) and those removed (404, no propstat). Either way the answer ends with the token to ask
    /// from next time.
    ///
    /// At most `maxSyncResults` members (or the client's `DAV:limit`, when lower) are listed; when more are
    /// due, the answer adds a 507 `DAV:number-of-matches-within-limits` response for the collection and a
    /// token that continues where it stopped (§3.6). Changes come in the order they were made, so a
    /// truncated answer's token is the revision of the last change it reported; a first listing comes in
    /// name order and its token carries the last member listed. A client limit of 0 cannot be honoured
    /// while anything is due: that is a 507 for the whole request (§3.7).
    func syncCollection(_ exchange: ServerExchange, collection: ResourceInfo, body: XMLElement) throws -> Response {
        let depth = try exchange.depth(default: .zero)
        guard depth == .zero else {
            throw DAVError.badRequest(
                "DAV:sync-collection is only defined for Depth: 0 (RFC 6578 §3.2), not \(depth); DAV:sync-level 1 or infinite chooses the members")
        }
        let request = try Self.readSyncCollection(body)
        let log = options.changes
        let window = try log.window()
        let start = try request.token.map { try validToken($0, for: collection.path, window: window) }
        let limit = min(options.maxSyncResults, request.nresults ?? .max)
        let user = exchange.user
        let figures = RequestFigures(storage: options.storage, changes: log, window: window)
        let asked = PropfindRequest.prop(request.properties)
        let found = { (member: ResourceInfo) throws -> DAVCore.Response in
            try self.propfindResponse(member, asked, figures: figures, dead: nil, user: user)
        }

        var responses: [DAVCore.Response] = []
        var next = SyncToken(logID: log.logID, revision: window.newest)
        var truncated = false
        if let start {
            // Each path once, at its latest change; a path past the cursor of a listing in parts is left to
            // the listing below, which shows it as it is now.
            var seen = Set<ResourcePath>()
            var latest: [LoggedChange] = []
            for change in try log.changes(in: collection.path, infinite: request.infinite, after: start.revision, through: window.newest)
                .reversed() where seen.insert(change.entry.path).inserted
            {
                latest.append(change)
            }
            // A prune (with a shared log, another instance's) that passed the token since the window was read
            // may have taken entries before they were read: the window read again says.
            guard try log.window().oldest <= start.revision else { throw Self.invalidToken() }
            var reached = start.revision
            for change in latest.reversed() {
                if let cursor = start.cursor, SyncListing.precedes(cursor, change.entry.path) {
                    reached = change.revision
                    continue
                }
                guard let response = try syncResponse(change, in: collection.path, user: user, found: found) else {
                    reached = change.revision
                    continue
                }
                if responses.count >= limit {
                    truncated = true
                    next = SyncToken(logID: log.logID, revision: reached, cursor: start.cursor)
                    break
                }
                responses.append(response)
                reached = change.revision
            }
        }
        if !truncated && (start == nil || start?.cursor != nil) {
            var listing = try SyncListing(
                storage: options.storage, collection: collection.path, infinite: request.infinite, after: start?.cursor,
                readable: { self.options.access.allows(user, .read, $0) })
            var last = start?.cursor
            while let member = try listing.next() {
                if responses.count >= limit {
                    truncated = true
                    next = SyncToken(logID: log.logID, revision: window.newest, cursor: last)
                    break
                }
                responses.append(try found(member))
                last = member.path
            }
        }
        if truncated && limit == 0 {
            throw DAVError(
                507, "DAV:limit asks for 0 results while changes are due; no answer can make progress",
                condition: DAV.numberOfMatchesWithinLimits)
        }
        if truncated {
            responses.append(
                DAVCore.Response(
                    hrefs: [collection.path.href(isCollection: true)], status: StatusLine(code: 507),
                    error: XMLElement(DAV.error, children: [.element(XMLElement(DAV.numberOfMatchesWithinLimits))])))
        }
        for response in responses { Responses.count(response, exchange) }
        return Responses.xml(207, try MultiStatusWriter.document(MultiStatus(responses: responses, syncToken: next.uri)))
    }

    /// The token a request names, if this server can continue from it; else 403 `DAV:valid-sync-token`:
    /// malformed, from another log (server or data directory), older than the log keeps, newer than it knows,
    /// a cursor outside the collection, or the collection (or an ancestor) created or removed since.
    private func validToken(_ text: String, for collection: ResourcePath, window: ChangeWindow) throws -> SyncToken {
        let log = options.changes
        if let token = SyncToken(uri: text), token.logID == log.logID, window.contains(token.revision),
            token.cursor.map({ $0.isDescendant(of: collection, orSelf: false) }) ?? true,
            try !log.wasReplaced(collection, after: token.revision, through: window.newest)
        {
            return token
        }
        throw Self.invalidToken()
    }

    static func invalidToken() -> DAVError {
        DAVError(
            403,
            "this sync token cannot be continued from here (unknown, from another server, or older than the change log keeps); "
                + "synchronise again with an empty DAV:sync-token",
            condition: DAV.validSyncToken)
    }

    /// The answer for one logged change: the member as it is now, 404 when it is gone, nil when it is not
    /// to be shown (the user may not read it or a collection above it; it went with a removed collection,
    /// which stands for its members, RFC 6578 §3.5.2; or the storage refuses it, a link out of the root).
    private func syncResponse(
        _ change: LoggedChange, in collection: ResourcePath, user: String?, found: (ResourceInfo) throws -> DAVCore.Response
    ) throws -> DAVCore.Response? {
        let path = change.entry.path
        var step: ResourcePath? = path
        while let current = step, current != collection {
            guard options.access.allows(user, .read, current) else { return nil }
            step = current.parent
        }
        let member: ResourceInfo?
        do {
            member = try options.storage.info(at: path)
        } catch let error as DAVError where error.status == 403 {
            return nil
        }
        if let member { return try found(member) }
        guard let parent = path.parent else { return nil }
        if parent != collection {
            guard let parentInfo = try? options.storage.info(at: parent), parentInfo.isCollection else { return nil }
        }
        return DAVCore.Response(hrefs: [path.href(isCollection: change.entry.isCollection)], status: StatusLine(code: 404))
    }

    /// Reads the body; 400 for a missing or repeated sync-token or sync-level, a level other than 1 or
    /// infinite, or a limit that is not one `DAV:nresults` of digits. A missing `DAV:prop` asks for no property.
    static func readSyncCollection(_ body: XMLElement) throws -> SyncRequest {
        let tokens = body.children(named: DAV.syncToken)
        guard tokens.count == 1, tokens[0].elements.isEmpty else {
            throw DAVError.badRequest("DAV:sync-collection needs one DAV:sync-token holding a token, or empty for a first synchronisation")
        }
        let token = tokens[0].text.trimmingASCIIWhitespace()
        let levels = body.children(named: DAV.syncLevel)
        guard levels.count == 1 else { throw DAVError.badRequest("DAV:sync-collection needs one DAV:sync-level (1 or infinite)") }
        let infinite: Bool
        switch levels[0].text.trimmingASCIIWhitespace() {
        case "1": infinite = false
        case "infinite": infinite = true
        default: throw DAVError.badRequest("DAV:sync-level must be 1 or infinite")
        }
        var nresults: Int?
        let limits = body.children(named: DAV.limit)
        if !limits.isEmpty {
            let counts = limits.count == 1 ? limits[0].children(named: DAV.nresults) : []
            guard counts.count == 1, counts[0].elements.isEmpty, let count = Self.count(counts[0].text.trimmingASCIIWhitespace()) else {
                throw DAVError.badRequest("DAV:limit must hold one DAV:nresults with a number of results (digits only)")
            }
            nresults = count
        }
        let properties = body.firstChild(DAV.prop)?.elements.map(\.name) ?? []
        return SyncRequest(token: token.isEmpty ? nil : token, infinite: infinite, nresults: nresults, properties: properties)
    }

    /// Digits only (no sign, no space); a number beyond `Int` saturates: it only means "no limit of mine".
    static func count(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        var value = 0
        for byte in text.utf8 {
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - 0x30))
            if overflowA || overflowB { return .max }
            value = sum
        }
        return value
    }
}
