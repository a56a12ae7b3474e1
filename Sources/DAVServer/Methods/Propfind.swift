import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// What a PROPFIND body asks for (RFC 4918 §9.1, §14.20).
    enum PropfindRequest {
        case allprop(include: [QualifiedName])
        case propname
        case prop([QualifiedName])

        /// Whether answering needs the dead property store at all.
        var needsDeadProperties: Bool {
            if case .prop(let names) = self { return names.contains { !LiveProperties.protected.contains($0) } }
            return true
        }
    }

    /// PROPFIND: Depth 0, 1 or infinity (infinity refusable with 403 `DAV:propfind-finite-depth`). A Depth
    /// 0 answer is built whole; Depth 1 and infinity are streamed as they are produced, 256 KiB at a time
    /// (``PropfindStream``), so a large collection costs neither a large buffer nor the page faults of
    /// allocating one. Members the user may not read are left out, names and all.
    func handlePropfind(_ exchange: ServerExchange) async throws -> Response {
        let path = exchange.path
        try authorize(exchange, .read, path)
        let depth = try exchange.depth(default: .infinity)
        if depth == .infinity && !options.allowsDepthInfinity {
            throw DAVError(403, "this server does not answer PROPFIND with Depth: infinity", condition: DAV.propfindFiniteDepth)
        }
        let body = try await exchange.collectBody(limit: options.maxXMLBodyBytes)
        let request = try propfindRequests.request(for: body) { try Self.readPropfind(try ServerExchange.parseXMLBody(body)) }
        return try await BlockingPool.run { try propfindAnswer(exchange, request: request, depth: depth) }
    }

    /// The answer once the body is read: a Depth 0 207 whole, or the opened first level and the stream
    /// whose pieces are each produced on the ``BlockingPool``.
    private func propfindAnswer(_ exchange: ServerExchange, request: PropfindRequest, depth: Depth) throws -> Response {
        let path = exchange.path
        guard let info = try options.storage.info(at: path) else { throw DAVError.notFound() }
        let figures = RequestFigures(storage: options.storage, changes: options.changes)
        if depth == .zero || !info.isCollection {
            if let direct = try directAllprop(info, request: request) {
                exchange.statusCounts[200, default: 0] += direct.properties
                return Responses.xml(207, direct.bytes)
            }
            return try Responses.multiStatus(
                [try propfindResponse(info, request, figures: figures, dead: nil, user: exchange.user)], exchange: exchange)
        }
        // Opened before the answer starts, so a collection that cannot be listed is still an error status.
        // The locks of the whole listing are read once: with a shared store, one query per member would be
        // one round trip to the database per member.
        let locks = LockTable(locks: try options.locks.locks(covering: path, descendants: true, now: now))
        let firstLevel: PropfindLevel = (
            try options.storage.memberIterator(of: path),
            request.needsDeadProperties ? try options.properties.propertiesOfMembers(of: path) : [:]
        )
        exchange.logIsDeferred = true
        let stream = HandedOver(
            PropfindStream(
                responder: self, exchange: exchange, root: info, request: request, figures: figures,
                locks: locks, firstLevel: firstLevel, descends: depth == .infinity))
        var headers = HTTPFields()
        headers[.contentType] = "application/xml; charset=utf-8"
        let body = ResponseBody { writer in
            let handed = stream
            let stream = handed.value
            var status = 207
            defer { stream.logEnd(status: status) }
            do {
                while let chunk = try await BlockingPool.run({ try handed.value.nextChunk() }) { try await writer.write(chunk) }
            } catch {
                // The 207 is already on its way: the answer breaks off, and only the log can say why.
                status = 500
                stream.exchange.logFailure(error)
                throw error
            }
            try await writer.finish(nil)
        }
        return Response(status: .init(code: 207), headers: headers, body: body)
    }

    /// A Depth 0 `allprop` answer written by ``AllpropMemberWriter``, as a listing writes its members: the
    /// href is the parent's and the name, the properties go straight onto the buffer. Nil when the general
    /// path must write it (something included, a lock on the resource). `properties`: how many it holds,
    /// all found (for the access log).
    func directAllprop(_ info: ResourceInfo, request: PropfindRequest) throws -> (bytes: [UInt8], properties: Int)? {
        guard case .allprop(let include) = request, include.isEmpty else { return nil }
        let path = info.path
        let dead = AllpropMemberWriter.deadProperties(try options.properties.properties(at: path))
        let parentHref = path.parent.map { AllpropMemberWriter.escaped(href: $0.href(isCollection: true)) } ?? []
        let (locks, now) = (options.locks, now)
        var out = MultiStatusWriter(capacity: 4 << 10)
        out.begin()
        let written = try AllpropMemberWriter.write(
            info, parentHref: parentHref, dead: dead, hasLocks: { try !locks.locks(covering: path, descendants: false, now: now).isEmpty },
            into: &out)
        guard written else { return nil }
        out.end()
        return (out.take(), LiveProperties.names(for: info).count + dead.count)
    }

    /// One level of a streamed PROPFIND: the open directory and its members' dead properties.
    typealias PropfindLevel = (members: any MemberIterator, dead: [ResourcePath: [XMLElement]])

    static func readPropfind(_ body: XMLElement?) throws -> PropfindRequest {
        guard let body else { return .allprop(include: []) }
        guard body.name == DAV.propfind else { throw DAVError.badRequest("the body is not a DAV:propfind") }
        let children = body.elements
        if children.contains(where: { $0.name == DAV.propname }) { return .propname }
        if let prop = children.first(where: { $0.name == DAV.prop }) { return .prop(prop.elements.map(\.name)) }
        if children.contains(where: { $0.name == DAV.allprop }) {
            let include = children.first { $0.name == DAV.include }?.elements.map(\.name) ?? []
            return .allprop(include: include)
        }
        throw DAVError.badRequest("DAV:propfind needs allprop, propname or prop")
    }

    /// One `<D:response>`: found properties under 200, missing ones under 404. `dead` holds the resource's
    /// dead properties when the caller fetched them in bulk; nil fetches them here if needed; `locks`, the
    /// same for the locks of a listing. `user` is who asks (for `DAV:current-user-principal`).
    func propfindResponse(
        _ info: ResourceInfo, _ request: PropfindRequest, figures: RequestFigures, dead preloaded: [XMLElement]?,
        locks preloadedLocks: LockTable? = nil, user: String? = nil
    ) throws -> DAVCore.Response {
        var cached = preloaded
        let deadProperties = { () throws -> [XMLElement] in
            if let cached { return cached }
            let fetched = try self.options.properties.properties(at: info.path)
            cached = fetched
            return fetched
        }
        let href = info.path.href(isCollection: info.isCollection)
        let now = self.now
        let locks = {
            if let preloadedLocks { return preloadedLocks.locks(covering: info.path) }
            return try self.options.locks.locks(covering: info.path, descendants: false, now: now)
        }
        let live = { (name: QualifiedName) throws -> Property? in
            if ContextualProperties.names.contains(name) {
                return try ContextualProperties.value(name, info: info, options: self.options, figures: figures, user: user)
            }
            return try LiveProperties.value(name, info: info, locks: try locks(), quota: figures.quota, now: now)
        }
        var found: [Property] = []
        var missing: [Property] = []
        switch request {
        case .propname:
            let dead = try deadProperties()
            for name in LiveProperties.names(for: info) { found.append(Property(name)) }
            for name in ContextualProperties.names(for: info) { found.append(Property(name)) }
            for element in dead { found.append(Property(element.name)) }
        case .allprop(let include):
            for name in LiveProperties.names(for: info) {
                if let value = try LiveProperties.value(name, info: info, locks: try locks(), quota: figures.quota, now: now) {
                    found.append(value)
                }
            }
            let dead = try deadProperties()
            for element in dead where !LiveProperties.protected.contains(element.name) { found.append(Property(element)) }
            for name in include where !found.contains(where: { $0.name == name }) {
                if let value = try live(name) { found.append(value) }
            }
        case .prop(let names):
            for name in names {
                if LiveProperties.protected.contains(name) {
                    if let value = try live(name) {
                        found.append(value)
                    } else {
                        missing.append(Property(name))
                    }
                    continue
                }
                if let value = try deadProperties().first(where: { $0.name == name }) {
                    found.append(Property(value))
                } else {
                    missing.append(Property(name))
                }
            }
        }
        var propstats: [PropStat] = []
        if !found.isEmpty { propstats.append(PropStat(properties: found, status: StatusLine(code: 200))) }
        if !missing.isEmpty { propstats.append(PropStat(properties: missing, status: StatusLine(code: 404))) }
        if propstats.isEmpty { propstats.append(PropStat(properties: [], status: StatusLine(code: 200))) }
        return DAVCore.Response(hrefs: [href], propstats: propstats)
    }
}

/// Figures computed at most once per request: the quota (a file-system walk or `statvfs` is not free) and
/// the change log's window (a query to PostgreSQL with a shared store), so that a listing asks once
/// however many collections it shows, and every one of them shows the same `DAV:sync-token`.
final class RequestFigures: @unchecked Sendable {
    private let storage: any Storage
    private let changes: any ChangeLog
    private var quotaValue: (used: Int64?, available: Int64?)?
    private var windowValue: ChangeWindow?

    /// `window`: the one the request has already read, if any.
    init(storage: any Storage, changes: any ChangeLog, window: ChangeWindow? = nil) {
        self.storage = storage
        self.changes = changes
        self.windowValue = window
    }

    func quota() -> (used: Int64?, available: Int64?) {
        if let quotaValue { return quotaValue }
        let computed = storage.quota()
        quotaValue = computed
        return computed
    }

    func window() throws -> ChangeWindow {
        if let windowValue { return windowValue }
        let read = try changes.window()
        windowValue = read
        return read
    }
}

/// The body of a Depth 1 or infinity PROPFIND, produced a piece at a time as the response body writer
/// asks for it.
///
/// One open directory and its members' dead properties per level: memory follows the depth of the tree,
/// not its size. Members come in directory order, as nginx and Apache answer: sorting costs more than the XML.
final class PropfindStream {
    private let responder: DAVResponder
    let exchange: ServerExchange
    private let root: ResourceInfo
    private let request: DAVResponder.PropfindRequest
    private let figures: RequestFigures
    /// The locks on and below the listed collection (and its ancestors' deep ones), read when it started.
    private let locks: LockTable
    private let descends: Bool
    private var levels: [DAVResponder.PropfindLevel]
    /// Each open level's own href (ending in `/`): a member's href is it plus the member's encoded name.
    private var levelHrefs: [String]
    /// The same escaped for XML, as the direct writer appends it before each member's name.
    private var escapedLevelHrefs: [[UInt8]]
    /// Each open level's view of the ``MemberResponseCache`` (nil where the level is written the general way).
    private var cachedLevels: [MemberResponseLevel?] = []
    /// Each open level's dead properties as an `allprop` answer shows them, by the member's name as the
    /// file system gives it: a kept response is recognised by that name, without a path. Made only for a
    /// level the cache sees (empty otherwise: the general lane reads them by path, as it needs them).
    private var deadByName: [[[UInt8]: [Property]]] = []
    /// The buffer is made a little larger than a piece, so the response that fills one never regrows it.
    private var out = MultiStatusWriter(capacity: pieceSize + (16 << 10))
    private var started = false
    private var finished = false
    /// Properties the direct writer wrote since the access log's counts were last brought up to date.
    private var directProperties = 0

    /// The size at which a piece is handed out.
    static let pieceSize = 256 << 10

    init(
        responder: DAVResponder, exchange: ServerExchange, root: ResourceInfo, request: DAVResponder.PropfindRequest, figures: RequestFigures,
        locks: LockTable, firstLevel: DAVResponder.PropfindLevel, descends: Bool
    ) {
        self.responder = responder
        self.exchange = exchange
        self.root = root
        self.request = request
        self.figures = figures
        self.locks = locks
        self.levels = [firstLevel]
        let href = root.path.href(isCollection: true)
        self.levelHrefs = [href]
        self.escapedLevelHrefs = [AllpropMemberWriter.escaped(href: href)]
        self.descends = descends
        self.cachedLevels = [cachedLevel(firstLevel)]
        self.deadByName = [cachedLevels[0] == nil ? [:] : Self.deadByName(firstLevel)]
    }

    /// The cache's view of a level, when every member's live properties depend on the member alone:
    /// `allprop` with nothing included, no lock in the listing, and a user whose access no rule narrows.
    /// Otherwise nil, and each member is checked and written the general way. Dead properties are not kept:
    /// each listing writes the ones it read after the kept live ones.
    private func cachedLevel(_ level: DAVResponder.PropfindLevel) -> MemberResponseLevel? {
        let cache = responder.memberResponses
        guard cache.capacity > 0, case .allprop(let include) = request, include.isEmpty, locks.locks.isEmpty,
            responder.options.access.allowsReadingEverywhere(exchange.user),
            let iterator = level.members as? any StampedMemberIterator
        else { return nil }
        return MemberResponseLevel(iterator: iterator, cache: cache, stores: !descends)
    }

    /// The level's dead properties for ``AllpropMemberWriter``, by member name (empty for a folder without any).
    private static func deadByName(_ level: DAVResponder.PropfindLevel) -> [[UInt8]: [Property]] {
        var byName: [[UInt8]: [Property]] = [:]
        for (path, elements) in level.dead {
            let shown = AllpropMemberWriter.deadProperties(elements)
            if !shown.isEmpty { byName[ResourcePath.name(ofSegment: path.name)] = shown }
        }
        return byName
    }

    /// The next piece of the document (about 256 KiB; the last one shorter), or nil once it is all out.
    func nextChunk() throws -> ByteBuffer? {
        if finished { return nil }
        if !started {
            started = true
            out.begin()
            try write(root, dead: nil)
        }
        defer { countDirectProperties() }
        let options = responder.options
        while let level = levels.last {
            if let cached = cachedLevels[cachedLevels.count - 1] {
                // The level's members in a row, what they share read once: each read of a shared value is a
                // reference count changed, on objects that listings on other cores change too.
                let iterator = cached.iterator
                let known = cached.known
                let parentHref = escapedLevelHrefs[escapedLevelHrefs.count - 1]
                let dead = deadByName[deadByName.count - 1]
                members: while out.pendingBytes < Self.pieceSize {
                    guard let member = try iterator.next(known: known) else {
                        cached.finish(into: responder.memberResponses)
                        closeLevel()
                        break members
                    }
                    switch member {
                    case .kept(let response, let path):
                        let memberDead = dead.isEmpty ? [] : dead[response.name] ?? []
                        AllpropMemberWriter.write(kept: response, parentHref: parentHref, dead: memberDead, into: &out)
                        directProperties += response.propertyCount + memberDead.count
                        cached.kept(response)
                        if descends, let path {
                            try openLevel(path)
                            break members
                        }
                    case .fresh(let member, let stamp):
                        let memberDead = dead.isEmpty ? [] : dead[stamp?.name ?? ResourcePath.name(ofSegment: member.path.name)] ?? []
                        try writeFresh(member, stamp: stamp, dead: memberDead, level: cached)
                        if descends && member.isCollection && !member.isLink {
                            try openLevel(member.path)
                            break members
                        }
                    }
                }
            } else {
                guard let member = try level.members.next() else {
                    closeLevel()
                    continue
                }
                guard options.access.allows(exchange.user, .read, member.path) else { continue }
                let dead = level.dead.isEmpty ? [] : level.dead[member.path] ?? []
                if !writeDirectly(member, dead: dead) { try write(member, dead: dead) }
                if descends && member.isCollection && !member.isLink { try openLevel(member.path) }
            }
            if out.pendingBytes >= Self.pieceSize { return ByteBuffer(bytes: out.take()) }
        }
        out.end()
        finished = true
        return ByteBuffer(bytes: out.take())
    }

    /// Opens the collection `path`, a member of the open level, as the next level of a Depth infinity walk.
    private func openLevel(_ path: ResourcePath) throws {
        var href = levelHrefs[levelHrefs.count - 1]
        ResourcePath.encode(path.name, into: &href)
        href += "/"
        levelHrefs.append(href)
        escapedLevelHrefs.append(AllpropMemberWriter.escaped(href: href))
        let options = responder.options
        let level: DAVResponder.PropfindLevel = (
            try options.storage.memberIterator(of: path),
            request.needsDeadProperties ? try options.properties.propertiesOfMembers(of: path) : [:]
        )
        levels.append(level)
        cachedLevels.append(cachedLevel(level))
        deadByName.append(cachedLevels[cachedLevels.count - 1] == nil ? [:] : Self.deadByName(level))
    }

    private func closeLevel() {
        levels.removeLast()
        levelHrefs.removeLast()
        escapedLevelHrefs.removeLast()
        cachedLevels.removeLast()
        deadByName.removeLast()
    }

    /// Writes a member the cache did not have, keeping its response when it can be kept.
    private func writeFresh(_ member: ResourceInfo, stamp: FreshStamp?, dead: [Property], level: MemberResponseLevel) throws {
        let propertyCount = LiveProperties.names(for: member).count
        var made: MemberResponse?
        var keep: (([UInt8]) -> Void)?
        if let stamp, let memberStamp = stamp.stamp, level.stores {
            keep = { tail in
                made = MemberResponse(
                    name: stamp.name, stamp: memberStamp, tail: tail, isCollection: member.isCollection, propertyCount: propertyCount)
            }
        }
        if AllpropMemberWriter.write(
            member, parentHref: escapedLevelHrefs[escapedLevelHrefs.count - 1], dead: dead, hasLocks: { false }, into: &out, keepTail: keep)
        {
            directProperties += propertyCount + dead.count
        } else {
            try write(member, dead: levels[levels.count - 1].dead[member.path] ?? [])
        }
        level.wrote(stamp, made)
    }

    /// Writes a member of the open level with ``AllpropMemberWriter`` when the request and the member
    /// allow it; false when the general path must write it.
    private func writeDirectly(_ member: ResourceInfo, dead: [XMLElement]) -> Bool {
        guard case .allprop(let include) = request, include.isEmpty else { return false }
        let locks = self.locks
        let shown = dead.isEmpty ? [] : AllpropMemberWriter.deadProperties(dead)
        let written = AllpropMemberWriter.write(
            member, parentHref: escapedLevelHrefs[escapedLevelHrefs.count - 1], dead: shown,
            hasLocks: { !locks.locks.isEmpty && !locks.locks(covering: member.path).isEmpty }, into: &out)
        if written { directProperties += LiveProperties.names(for: member).count + shown.count }
        return written
    }

    /// Adds what the direct writer wrote to the access log's counts: once per piece, not once per member.
    private func countDirectProperties() {
        guard directProperties > 0 else { return }
        exchange.statusCounts[200, default: 0] += directProperties
        directProperties = 0
    }

    /// Writes the access-log line once the last byte is out (or the answer broke off: 500).
    func logEnd(status: Int) {
        responder.options.accessLog?.write(exchange: exchange, status: status, started: exchange.started)
    }

    /// Writes a resource the general way (``DAVResponder/propfindResponse(_:_:figures:dead:locks:user:)``).
    private func write(_ info: ResourceInfo, dead: [XMLElement]?) throws {
        let response = try responder.propfindResponse(info, request, figures: figures, dead: dead, locks: locks, user: exchange.user)
        Responses.count(response, exchange)
        try out.write(response)
    }
}
