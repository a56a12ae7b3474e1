import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// REPORT (RFC 3253 §3.6): the body's root element names the report. Collections answer
    /// `DAV:sync-collection` (RFC 6578); any other report, or sync-collection on a file, is 403
    /// `DAV:supported-report`. A missing or malformed body (a DTD included) is 400.
    ///
    /// A read: the access rules need read on the request-URI, decided before the body is looked at, as for
    /// PROPFIND; members the user may not read are left out of the answer.
    func handleReport(_ exchange: ServerExchange) async throws -> Response {
        let path = exchange.path
        try authorize(exchange, .read, path)
        guard let body = try await exchange.xmlBody() else {
            throw DAVError.badRequest("REPORT needs an XML body whose root element names the report (RFC 3253 §3.6)")
        }
        return try await BlockingPool.run {
            guard let info = try options.storage.info(at: path) else { throw DAVError.notFound() }
            guard body.name == DAV.syncCollection else { throw Self.unsupportedReport(body.name) }
            guard info.isCollection else {
                throw DAVError(403, "DAV:sync-collection applies to collections only", condition: DAV.supportedReport)
            }
            return try syncCollection(exchange, collection: info, body: body)
        }
    }

    static func unsupportedReport(_ name: QualifiedName) -> DAVError {
        DAVError(403, "this server answers no \(name) report; collections answer DAV:sync-collection", condition: DAV.supportedReport)
    }
}
