import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// COPY and MOVE (RFC 4918 §9.8, §9.9): Destination on this server only (another authority is 502),
    /// Overwrite (412 when F and the destination exists), Depth 0 or infinity for COPY, infinity for MOVE.
    /// Dead properties travel with the resources; locks do not (§7.7). The change log gets the source's
    /// members as removed (MOVE), a replaced destination's as removed, and what arrives as created.
    /// Blocking: run on the ``BlockingPool``, inside the gate.
    func handleCopyMove(_ exchange: ServerExchange, isMove: Bool) throws -> Response {
        let source = exchange.path
        guard let destinationHeader = exchange.header("Destination") else { throw DAVError.badRequest("the Destination header is missing") }
        guard let destination = Destination(headerValue: destinationHeader) else {
            throw DAVError.badRequest("malformed Destination header")
        }
        guard destination.isSameAuthority(asHost: exchange.request.head.authority) else {
            throw DAVError(502, "the Destination is on another server")
        }
        let target = try ResourcePath(encodedPath: destination.path)
        if target.isDescendant(of: options.principalsPath) {
            let reserved = options.principalsPath.href(isCollection: true)
            throw DAVError.forbidden("\(reserved) is reserved for principals; nothing can be copied or moved there")
        }
        var overwrite = Overwrite.allowed
        if let text = exchange.header("Overwrite") {
            guard let value = Overwrite(headerValue: text) else { throw DAVError.badRequest("malformed Overwrite header") }
            overwrite = value
        }
        try authorize(exchange, isMove ? .write : .read, source)
        try authorize(exchange, .write, target)
        guard let info = try options.storage.info(at: source) else { throw DAVError.notFound() }
        let depth = try exchange.depth(default: .infinity)
        if depth == .one || (isMove && info.isCollection && depth != .infinity) {
            throw DAVError.badRequest("\(isMove ? "MOVE" : "COPY") does not take Depth: \(depth)")
        }
        if source == target { throw DAVError.forbidden("the source and the destination are the same resource") }
        if target.isDescendant(of: source) || (isMove && source.isRoot) {
            throw DAVError.forbidden("the destination lies inside the source")
        }
        guard let parent = target.parent, let parentInfo = try options.storage.info(at: parent), parentInfo.isCollection else {
            throw DAVError.conflict("the destination's parent collection does not exist")
        }
        try checkIfHeader(exchange)
        if isMove { try checkLocksForMembership(exchange, source, descendants: true) }
        let existing = try options.storage.info(at: target)
        if info.isCollection && (isMove || depth == .infinity) {
            try authorizeMembers(exchange, isMove: isMove, source: source, target: target, replacing: existing)
        }
        if existing != nil {
            guard overwrite.isAllowed else { throw DAVError.preconditionFailed("the destination exists and Overwrite is F") }
            try checkLocksForMembership(exchange, target, descendants: true)
        } else {
            try checkLocksForMembership(exchange, target, descendants: false)
        }
        let recursive = isMove || depth == .infinity
        var entries = isMove ? try removalEntries(source, info) : []
        if let existing { entries += try removalEntries(target, existing) }
        entries += try creationEntries(target, from: source, info, recursive: recursive)
        try options.changes.recording(Self.lastPerPath(entries)) {
            if existing != nil {
                try options.storage.remove(target)
                try options.properties.remove(at: target, recursive: true)
                try options.locks.removeAll(under: target)
            }
            if isMove {
                // The store records the move before the rename, so a crash leaves the properties with the tree.
                try options.properties.move(from: source, to: target) {
                    try options.storage.move(from: source, to: target)
                }
                do {
                    try options.locks.removeAll(under: source)
                } catch let unavailable as DAVError where unavailable.status == 503 {
                    // The resource has moved, and the answer says so. Only a shared store is unavailable
                    // (503), and its recorded move drops the source's locks itself (when it can be settled).
                }
            } else {
                try options.storage.copy(from: source, to: target, recursive: recursive)
                try options.properties.copy(from: source, to: target, recursive: recursive)
            }
        }
        return Responses.empty(
            existing == nil ? 201 : 204, headers: existing == nil ? [(.location, target.href(isCollection: info.isCollection))] : [])
    }

    /// The paths a COPY or MOVE changes, for the gate: the source and, when the header names one here, the
    /// destination (a malformed one is refused inside, under the source's lock alone).
    func copyMovePaths(_ exchange: ServerExchange) -> [ResourcePath] {
        guard let header = exchange.header("Destination"), let destination = Destination(headerValue: header),
            let target = try? ResourcePath(encodedPath: destination.path)
        else { return [exchange.path] }
        return [exchange.path, target]
    }

    /// With access rules, a tree is copied or moved only when the user may do it to every member: read
    /// (COPY) or write (MOVE) each member of the source, write where each one lands, and write each member
    /// of a destination tree it replaces. Checking the top alone would let a readable collection carry an
    /// unreadable member out to a place the user may read.
    private func authorizeMembers(
        _ exchange: ServerExchange, isMove: Bool, source: ResourcePath, target: ResourcePath, replacing existing: ResourceInfo?
    ) throws {
        guard options.access.requiresAuthentication else { return }
        try options.storage.walk(source) { member in
            try authorize(exchange, isMove ? .write : .read, member.path)
            try authorize(exchange, .write, ResourcePath(segments: target.segments + member.path.segments.dropFirst(source.depth)))
            return true
        }
        if existing?.isCollection == true {
            try options.storage.walk(target) { member in
                try authorize(exchange, .write, member.path)
                return true
            }
        }
    }
}
