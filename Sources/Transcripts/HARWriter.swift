import DAVCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes exchanges as a HAR 1.2 file, so a run can be opened in any HAR viewer (browser dev tools,
/// Charles, HTTP Toolkit) and read back by `davdoctor analyze`. Bodies that are not UTF-8 are base64.
public enum HARWriter {
    public struct Item: Sendable {
        public var exchange: Exchange
        /// When the request was sent, ISO 8601 (HAR requires one; the Unix epoch stands in when unknown).
        public var started: String?
        public var milliseconds: Double?

        public init(exchange: Exchange, started: String? = nil, milliseconds: Double? = nil) {
            self.exchange = exchange
            self.started = started
            self.milliseconds = milliseconds
        }
    }

    public static func render(_ items: [Item], creator: String, version: String, comment: String? = nil) throws -> [UInt8] {
        let entries = items.map(entry)
        let har = HAR(log: HAR.Log(version: "1.2", creator: HAR.Creator(name: creator, version: version), entries: entries, comment: comment))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(har)) + [0x0A]
    }

    static func entry(_ item: Item) -> HAR.Entry {
        let request = item.exchange.request ?? RequestInfo(method: "GET", url: "")
        let response = item.exchange.response
        let requestBody = request.body.map(text)
        let responseBody = item.exchange.body.map(text)
        let time = item.milliseconds ?? 0
        return HAR.Entry(
            startedDateTime: item.started ?? "1970-01-01T00:00:00Z",
            time: time,
            request: HAR.Request(
                method: request.method, url: request.url, httpVersion: "HTTP/1.1", cookies: [],
                headers: request.headers.map { HAR.Header(name: $0.name, value: $0.value) }, queryString: [],
                postData: requestBody.map { HAR.PostData(mimeType: request.headers["Content-Type"] ?? "", text: $0.text, encoding: $0.encoding) },
                headersSize: -1, bodySize: request.body?.count ?? 0),
            response: HAR.Response(
                status: response?.status ?? 0, statusText: response.map { $0.reason.isEmpty ? HTTPStatus.reason(for: $0.status) : $0.reason } ?? "",
                httpVersion: response?.version ?? "HTTP/1.1", cookies: [],
                headers: (response?.headers ?? HTTPFields()).map { HAR.Header(name: $0.name, value: $0.value) },
                content: HAR.Content(
                    size: item.exchange.body?.count ?? 0, compression: nil, mimeType: response?.headers["Content-Type"] ?? "",
                    text: responseBody?.text, encoding: responseBody?.encoding, comment: nil),
                redirectURL: response?.headers["Location"] ?? "", headersSize: -1, bodySize: item.exchange.body?.count ?? -1, _error: nil),
            cache: HAR.Cache(),
            timings: HAR.Timings(send: 0, wait: time, receive: 0),
            serverIPAddress: nil, comment: nil)
    }

    /// UTF-8 bodies as they are; anything else as base64.
    static func text(_ bytes: [UInt8]) -> (text: String, encoding: String?) {
        if let text = String(validating: bytes, as: UTF8.self) { return (text, nil) }
        return (Data(bytes).base64EncodedString(), "base64")
    }
}
