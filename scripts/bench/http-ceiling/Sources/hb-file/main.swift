/// hb-file: hb-plain's router app, but like nginx it reads the file for every request (open, fstat,
/// read, close; nginx's defaults keep no open-file cache either), so the difference from hb-plain is
/// the cost of touching the file system, which a file server cannot avoid.
///
/// Usage: hb-file PORT FILE   (listens on 127.0.0.1 only)
import Hummingbird
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let args = CommandLine.arguments
if args.count != 3 || Int(args[1]) == nil {
    print("usage: hb-file PORT FILE")
    exit(2)
}
let port = Int(args[1])!
let path = args[2]

struct FileError: Error {}

/// The whole file in one buffer, with blocking calls on the handler's task (a 4 KiB file in the page cache).
func readWhole(_ path: String) throws -> ByteBuffer {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError() }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw FileError() }
    let size = Int(st.st_size)
    var buf = ByteBufferAllocator().buffer(capacity: size)
    let got = buf.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { ptr in
        var got = 0
        while got < size {
            let r = read(fd, ptr.baseAddress! + got, size - got)
            if r <= 0 { break }
            got += r
        }
        return got
    }
    guard got == size else { throw FileError() }
    return buf
}

let router = Router()
router.get("4k.bin") { _, _ -> Response in
    let buf = try readWhole(path)
    return Response(
        status: .ok,
        headers: [.contentType: "application/octet-stream", .contentLength: String(buf.readableBytes)],
        body: ResponseBody(byteBuffer: buf)
    )
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
print("hb-file on 127.0.0.1:\(port) serving \(path)")
try await app.runService()
