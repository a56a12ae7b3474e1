/// The parts of HTTP Archive 1.2 (W3C Web Performance draft, "HAR 1.2 Spec") that davdoctor reads and
/// writes. Fields exporters leave out are optional when read; ``HARWriter`` fills every required one.
struct HAR: Codable, Sendable {
    var log: Log

    struct Log: Codable, Sendable {
        var version: String?
        var creator: Creator?
        var entries: [Entry]
        var comment: String?
    }

    struct Creator: Codable, Sendable {
        var name: String
        var version: String
    }

    struct Entry: Codable, Sendable {
        var startedDateTime: String?
        var time: Double?
        var request: Request
        var response: Response
        var cache: Cache?
        var timings: Timings?
        var serverIPAddress: String?
        var comment: String?
    }

    struct Header: Codable, Sendable {
        var name: String
        var value: String
    }

    struct Request: Codable, Sendable {
        var method: String
        var url: String
        var httpVersion: String?
        var cookies: [Cookie]?
        var headers: [Header]
        var queryString: [Header]?
        var postData: PostData?
        var headersSize: Int?
        var bodySize: Int?
    }

    struct Cookie: Codable, Sendable {
        var name: String
        var value: String
    }

    struct PostData: Codable, Sendable {
        var mimeType: String?
        var text: String?
        /// Not in HAR 1.2, but written by some exporters (HTTP Toolkit, Fiddler) for binary request bodies.
        var encoding: String?
    }

    struct Response: Codable, Sendable {
        var status: Int
        var statusText: String?
        var httpVersion: String?
        var cookies: [Cookie]?
        var headers: [Header]
        var content: Content
        var redirectURL: String?
        var headersSize: Int?
        var bodySize: Int?
        /// Chromium's reason for an answer it never got (`net::ERR_CONNECTION_REFUSED`).
        var _error: String?
    }

    struct Content: Codable, Sendable {
        var size: Int?
        var compression: Int?
        var mimeType: String?
        var text: String?
        var encoding: String?
        var comment: String?
    }

    struct Cache: Codable, Sendable {}

    struct Timings: Codable, Sendable {
        var send: Double
        var wait: Double
        var receive: Double
    }
}
