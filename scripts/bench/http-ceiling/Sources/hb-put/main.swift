/// hb-put: the least a Hummingbird 2 app does for an atomic PUT, as nginx's dav module does it: the body
/// streamed into a new temporary file as it arrives, then renamed over the target (201 new, 204 replaced).
/// No WebDAV checks, no locks, no change log: the difference from `davdoctor serve` is what those cost,
/// the difference from nginx what the framework and the file work cost.
///
/// Usage: hb-put PORT DIRECTORY   (listens on 127.0.0.1 only; PUT /put/NAME writes DIRECTORY/NAME)
import Hummingbird
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let args = CommandLine.arguments
if args.count != 3 || Int(args[1]) == nil {
    print("usage: hb-put PORT DIRECTORY")
    exit(2)
}
let port = Int(args[1])!
let directory = args[2]

struct PutError: Error {}

/// Blocking calls on the handler's task, as hb-file does (the page cache absorbs the writes).
func writeAll(_ fd: Int32, _ buffer: ByteBuffer) throws {
    try buffer.withUnsafeReadableBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            guard n > 0 else { throw PutError() }
            done += n
        }
    }
}

let router = Router()
router.put("put/:name") { request, context -> Response in
    let name = try context.parameters.require("name")
    guard !name.contains("/"), !name.hasPrefix(".") else { return Response(status: .badRequest) }
    let target = directory + "/" + name
    let temporary = directory + "/.upload-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw PutError() }
    do {
        for try await buffer in request.body { try writeAll(fd, buffer) }
    } catch {
        close(fd)
        unlink(temporary)
        throw error
    }
    close(fd)
    var st = stat()
    let existed = lstat(target, &st) == 0
    guard rename(temporary, target) == 0 else {
        unlink(temporary)
        throw PutError()
    }
    return Response(status: existed ? .noContent : .created)
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
print("hb-put on 127.0.0.1:\(port) writing into \(directory)")
try await app.runService()
