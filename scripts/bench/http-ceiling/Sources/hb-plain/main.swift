/// hb-plain: what Hummingbird 2 itself adds on top of SwiftNIO. It answers GET /4k.bin with the same
/// 4096-byte buffer from memory as nio-plain, either through a `Router` (the usual way to write a
/// Hummingbird app) or, with "responder", through a bare `HTTPResponder` (no routing at all), so the
/// router's share can be told apart from the HTTP core's (request/response types, async handler).
///
/// Usage: hb-plain PORT [router|responder]   (listens on 127.0.0.1 only; default router)
import Hummingbird
import NIOCore

let args = CommandLine.arguments
let port = args.count > 1 ? Int(args[1])! : 18182
let useResponder = args.count > 2 && args[2] == "responder"

let body: ByteBuffer = {
    var b = ByteBufferAllocator().buffer(capacity: 4096)
    b.writeRepeatingByte(UInt8(ascii: "a"), count: 4096)
    return b
}()

func fourK() -> Response {
    Response(
        status: .ok,
        headers: [.contentType: "application/octet-stream", .contentLength: "4096"],
        body: ResponseBody(byteBuffer: body)
    )
}

struct PlainResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .get, request.uri.path == "/4k.bin" else { return Response(status: .notFound) }
        return fourK()
    }
}

let configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: port))
print("hb-plain on 127.0.0.1:\(port), \(useResponder ? "bare responder" : "router")")
if useResponder {
    try await Application(responder: PlainResponder(), configuration: configuration).runService()
} else {
    let router = Router()
    router.get("4k.bin") { _, _ in fourK() }
    try await Application(router: router, configuration: configuration).runService()
}
