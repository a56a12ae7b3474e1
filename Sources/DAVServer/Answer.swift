import HTTPTypes
import Hummingbird
import NIOCore

/// A complete answer: status, headers and the whole body in memory.
///
/// The handlers that can answer at once build one of these, so that the same answer can go out through
/// Hummingbird (``response``) or be written straight to the channel by ``InlineAnswerHandler``, which
/// answers the common reads on the event loop without a Swift task.
struct Answer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    /// Nil for no body (HEAD, 204, 304); its bytes otherwise.
    var body: ByteBuffer?

    init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    var response: Response {
        Response(status: status, headers: headers, body: body.map { ResponseBody(byteBuffer: $0) } ?? ResponseBody())
    }
}
