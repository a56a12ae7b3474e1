import Foundation

/// Fuzz target: a saved capture (`curl -i`, `curl -D -`, `curl -v` or a bare body) as a user pastes it:
/// heads, chunked framing, gzip/deflate bodies, truncation. The decoded body goes on to the parser, as in
/// `analyze`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCaptureReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = CaptureReader(bytes: Array(UnsafeBufferPointer(start: data, count: size)), name: "fuzz")
    var parser = MultiStatusParser(limits: FuzzLimits.xml)
    do {
        _ = try reader.readHead()
        _ = try reader.readBody { chunk in try parser.feed(chunk) { _ in } }
        try parser.finish { _ in }
    } catch {}
    reader.close()
    return 0
}
