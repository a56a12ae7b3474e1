import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// PUT: the body is streamed to a temporary file beside the target and renamed over it at the end,
    /// so a cut upload never replaces the old content. 201 for a new resource, 204 for a replaced one.
    ///
    /// The preconditions (parent, conditional headers, If header, locks) are checked before the body, so a
    /// refused upload is not sent for nothing, and again inside the ``NamespaceGate`` just before the rename:
    /// a lock taken while the body was arriving wins over an upload that does not hold it.
    func handlePut(_ exchange: Exchange) async throws -> Response {
        let path = exchange.path
        try authorize(exchange, .write, path)
        guard !path.isRoot else { throw DAVError(405, "the root is a collection") }
        if exchange.header("Content-Range") != nil { throw DAVError.badRequest("partial PUT (Content-Range) is not supported") }
        if case .refused(let response) = try putPreconditions(exchange) { return response }
        let limit = options.maxBodyBytes
        if let length = exchange.header("Content-Length").flatMap({ Int64($0.trimmingASCIIWhitespace()) }), length > Int64(limit) {
            throw DAVError(413, "the body is larger than the server's limit of \(limit) bytes")
        }
        let writer = try options.storage.beginWrite(path)
        var received = 0
        do {
            for try await buffer in exchange.request.body {
                received += buffer.readableBytes
                if received > limit { throw DAVError(413, "the body is larger than the server's limit of \(limit) bytes") }
                try writer.append(buffer)
            }
        } catch {
            writer.abort()
            throw error
        }
        return try await gate.serialize {
            let existing: ResourceInfo?
            do {
                switch try putPreconditions(exchange) {
                case .refused(let response):
                    writer.abort()
                    return response
                case .allowed(let info): existing = info
                }
            } catch {
                writer.abort()
                throw error
            }
            let info: ResourceInfo
            do {
                let entry = ChangeEntry(exchange.path, existing == nil ? .created : .changed, isCollection: false)
                info = try options.changes.recording([entry]) { try writer.commit() }
            } catch {
                writer.abort()
                throw error
            }
            return Responses.empty(existing == nil ? 201 : 204, headers: [(.eTag, info.etag)])
        }
    }

    private enum PutDecision {
        /// The upload may go ahead; the resource it replaces, if any.
        case allowed(ResourceInfo?)
        /// A conditional header failed (412 or 304).
        case refused(Response)
    }

    /// What a PUT must find true of the tree, the locks and the request's conditions; throws their errors.
    private func putPreconditions(_ exchange: Exchange) throws -> PutDecision {
        let path = exchange.path
        let existing = try options.storage.info(at: path)
        if existing?.isCollection == true { throw DAVError(405, "a collection exists at this URL; PUT cannot replace it") }
        guard let parent = path.parent, let parentInfo = try options.storage.info(at: parent), parentInfo.isCollection else {
            throw DAVError.conflict("the parent collection does not exist")
        }
        if let failure = try conditionalFailure(exchange, info: existing, isRead: false) { return .refused(failure(HTTPFields())) }
        try checkIfHeader(exchange)
        if existing == nil {
            try checkLocksForMembership(exchange, path, descendants: false)
        } else {
            try checkLocks(exchange, path, descendants: false)
        }
        return .allowed(existing)
    }
}
