import DAVCore
import HTTPTypes
import Hummingbird

/// Small response builders the handlers share.
enum Responses {
    static func empty(_ status: Int, headers extra: [(HTTPField.Name, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentLength] = "0"
        for (name, value) in extra { headers[name] = value }
        return Response(status: .init(code: status), headers: headers)
    }

    static func xml(_ status: Int, _ bytes: [UInt8], headers extra: [(HTTPField.Name, String)] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/xml; charset=utf-8"
        headers[.contentLength] = String(bytes.count)
        for (name, value) in extra { headers[name] = value }
        return Response(status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A whole 207 from responses; counts statuses for the access log.
    static func multiStatus(_ responses: [DAVCore.Response], exchange: ServerExchange) throws -> Response {
        for response in responses { count(response, exchange) }
        let bytes = try MultiStatusWriter.document(MultiStatus(responses: responses))
        return xml(207, bytes)
    }

    static func count(_ response: DAVCore.Response, _ exchange: ServerExchange) {
        if let code = response.status?.code { exchange.statusCounts[code, default: 0] += 1 }
        for propstat in response.propstats {
            if let code = propstat.status?.code { exchange.statusCounts[code, default: 0] += propstat.properties.count }
        }
    }
}
