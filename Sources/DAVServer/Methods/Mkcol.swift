import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// MKCOL (RFC 4918 §9.3): 201; 405 when something exists there; 409 without a parent; 415 with a body.
    func handleMkcol(_ exchange: ServerExchange) async throws -> Response {
        let path = exchange.path
        try authorize(exchange, .write, path)
        if exchange.hasBody {
            _ = try? await exchange.collectBody(limit: options.maxXMLBodyBytes)
            throw DAVError(415, "MKCOL with a body is not supported")
        }
        return try await gate.serialize([exchange.path]) { try await BlockingPool.run { try makeCollection(exchange) } }
    }

    private func makeCollection(_ exchange: ServerExchange) throws -> Response {
        let path = exchange.path
        if try options.storage.info(at: path) != nil {
            throw DAVError(405, "a resource already exists at this URL", headers: [("Allow", Self.allowedMethods)])
        }
        guard let parent = path.parent, let parentInfo = try options.storage.info(at: parent), parentInfo.isCollection else {
            throw DAVError.conflict("the parent collection does not exist")
        }
        try checkIfHeader(exchange)
        try checkLocksForMembership(exchange, path, descendants: false)
        try options.changes.recording([ChangeEntry(path, .created, isCollection: true)]) { try options.storage.makeCollection(at: path) }
        return Responses.empty(201)
    }
}
