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
    ///
    /// The file work runs on the ``BlockingPool``: the checks and the open in one trip, the body written
    /// there 256 KiB at a time as it arrives (what is held stays bounded), and its tail with the checks,
    /// the rename and the change log row in one trip inside the gate. A body of one piece or less that
    /// does not wait for `100 Continue` is taken whole first and checked once, before the rename (``putWhole(_:limit:)``).
    func handlePut(_ exchange: ServerExchange) async throws -> Response {
        let path = exchange.path
        try authorize(exchange, .write, path)
        guard !path.isRoot else { throw DAVError(405, "the root is a collection") }
        if exchange.header("Content-Range") != nil { throw DAVError.badRequest("partial PUT (Content-Range) is not supported") }
        let limit = options.maxBodyBytes
        let declared = exchange.header("Content-Length").flatMap { Int64($0.trimmingASCIIWhitespace()) }
        if let declared, declared <= Int64(min(PendingChunks.batchBytes, limit)), exchange.header("Expect") == nil {
            return try await putWhole(exchange, limit: limit)
        }
        let start = try await BlockingPool.run { () -> PutStart in
            if case .refused(let response) = try putPreconditions(exchange) { return .refused(response) }
            if let declared, declared > Int64(limit) {
                throw DAVError(413, "the body is larger than the server's limit of \(limit) bytes")
            }
            return .writing(HandedOver(try options.storage.beginWrite(path)))
        }
        guard case .writing(let writer) = start else {
            if case .refused(let response) = start { return response }
            preconditionFailure("a PUT either writes or is refused")
        }
        var received = 0
        var pending = PendingChunks()
        do {
            for try await buffer in exchange.request.body {
                received += buffer.readableBytes
                if received > limit { throw DAVError(413, "the body is larger than the server's limit of \(limit) bytes") }
                pending.add(buffer)
                if pending.isFull {
                    let chunks = pending.take()
                    try await BlockingPool.run { for chunk in chunks { try writer.value.append(chunk) } }
                }
            }
        } catch {
            await Self.abort(writer)
            throw error
        }
        let tail = pending.take()
        return try await gate.serialize([exchange.path]) {
            try await BlockingPool.run { try finishUpload(exchange, writer: writer.value, tail: tail) }
        }
    }

    /// A PUT whose whole body fits in one piece and is sent without waiting for `100 Continue` is on its
    /// way whatever the answer, so checking before it arrives saves nothing: the body is taken whole and
    /// written to its temporary file, and the checks are made once, inside the gate, before the rename (the
    /// streaming path makes them twice). The file is made outside the gate, so uploads to different places
    /// write side by side, and only once its collection is known to lie inside the tree. A failure to make
    /// it yields to a refusal the checks would give, so the answer is the one the streaming path gives.
    private func putWhole(_ exchange: ServerExchange, limit: Int) async throws -> Response {
        var received = 0
        var pending = PendingChunks()
        for try await buffer in exchange.request.body {
            received += buffer.readableBytes
            if received > limit { throw DAVError(413, "the body is larger than the server's limit of \(limit) bytes") }
            pending.add(buffer)
        }
        let body = pending.take()
        let written: Result<HandedOver<any ContentWriter>, any Error>
        do {
            written = .success(
                try await BlockingPool.run {
                    if let parent = exchange.path.parent { _ = try options.storage.info(at: parent) }
                    let writer = try options.storage.beginWrite(exchange.path)
                    do {
                        for chunk in body { try writer.append(chunk) }
                    } catch {
                        writer.abort()
                        throw error
                    }
                    return HandedOver(writer)
                })
        } catch {
            written = .failure(error)
        }
        return try await gate.serialize([exchange.path]) {
            try await BlockingPool.run {
                switch written {
                case .success(let writer): return try finishUpload(exchange, writer: writer.value, tail: [])
                case .failure(let error):
                    if case .refused(let response) = try putPreconditions(exchange) { return response }
                    throw error
                }
            }
        }
    }

    /// Inside the gate, on the blocking pool: the body's tail written, the checks made again, then the
    /// rename with its change log row; any failure throws the upload away.
    private func finishUpload(_ exchange: ServerExchange, writer: any ContentWriter, tail: [ByteBuffer]) throws -> Response {
        do {
            for chunk in tail { try writer.append(chunk) }
            switch try putPreconditions(exchange) {
            case .refused(let response):
                writer.abort()
                return response
            case .allowed(let existing): return try commitUpload(exchange, writer: writer, replacing: existing)
            }
        } catch {
            writer.abort()
            throw error
        }
    }

    /// The rename and its change log row: 201 for a new resource, 204 for a replaced one.
    private func commitUpload(_ exchange: ServerExchange, writer: any ContentWriter, replacing existing: ResourceInfo?) throws -> Response {
        let entry = ChangeEntry(exchange.path, existing == nil ? .created : .changed, isCollection: false)
        let info = try options.changes.recording([entry]) { try writer.commit() }
        return Responses.empty(existing == nil ? 201 : 204, headers: [(.eTag, info.etag)])
    }

    /// Removes an upload's temporary file on the blocking pool (the writer's deinit does it otherwise).
    private static func abort(_ writer: HandedOver<any ContentWriter>) async {
        _ = try? await BlockingPool.run { writer.value.abort() }
    }

    private enum PutStart: Sendable {
        case refused(Response)
        case writing(HandedOver<any ContentWriter>)
    }

    /// Body chunks received and not written yet: handed to the pool together once they reach
    /// `batchBytes`, so a hop carries 256 KiB rather than one network read's worth.
    struct PendingChunks {
        static let batchBytes = 256 << 10
        private var chunks: [ByteBuffer] = []
        private var bytes = 0

        var isFull: Bool { bytes >= Self.batchBytes }

        mutating func add(_ chunk: ByteBuffer) {
            chunks.append(chunk)
            bytes += chunk.readableBytes
        }

        mutating func take() -> [ByteBuffer] {
            defer {
                chunks = []
                bytes = 0
            }
            return chunks
        }
    }

    private enum PutDecision {
        /// The upload may go ahead; the resource it replaces, if any.
        case allowed(ResourceInfo?)
        /// A conditional header failed (412 or 304).
        case refused(Response)
    }

    /// What a PUT must find true of the tree, the locks and the request's conditions; throws their errors.
    private func putPreconditions(_ exchange: ServerExchange) throws -> PutDecision {
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
