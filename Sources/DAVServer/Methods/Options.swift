import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// OPTIONS (RFC 4918 §9.8 of RFC 7231, §18 of RFC 4918): classes 1 and 2, answered without authentication.
    func handleOptions(_ exchange: ServerExchange) throws -> Response {
        var headers = HTTPFields()
        headers[HTTPField.Name("DAV")!] = "1, 2"
        headers[.allow] = Self.allowedMethods
        headers[HTTPField.Name("MS-Author-Via")!] = "DAV"
        headers[.contentLength] = "0"
        return Response(status: .ok, headers: headers)
    }
}
