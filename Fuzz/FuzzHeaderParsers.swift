import Foundation

/// Fuzz target: the request headers a server must parse before it may act (If, Depth, Timeout,
/// Destination, Overwrite, Lock-Token) and the values `analyze` reads from answers (status lines, dates,
/// hrefs). Each parser either returns a value or nil; parsing what it printed must give the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaderParsers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let depth = Depth(headerValue: text) {
        precondition(Depth(headerValue: depth.description) == depth, "Depth does not round-trip: \(text)")
    }
    _ = IfHeader(headerValue: text)
    if let timeouts = LockTimeout.parseHeader(text) {
        for timeout in timeouts {
            precondition(LockTimeout(timeout.description) == timeout, "Timeout does not round-trip: \(text)")
        }
    }
    if let destination = Destination(headerValue: text) {
        _ = destination.isSameAuthority(asHost: "127.0.0.1:8080")
    }
    _ = Overwrite(headerValue: text)
    _ = LockToken(headerValue: text)
    _ = StatusLine(raw: text)
    _ = HTTPDate.parse(text)
    _ = HTTPDate.isIMFFixdate(text)
    _ = HTTPDate.isRFC3339(text)
    let href = Href(text)
    _ = href.hashValue
    if let decoded = URLPath.decode(text) {
        precondition(URLPath.decode(URLPath.encode(decoded)) == decoded, "URLPath does not round-trip: \(text)")
        _ = URLPath.parent(of: decoded)
        _ = URLPath.levels(of: decoded, below: "/")
    }
    _ = URLPath.firstInvalidCharacter(text)
    return 0
}
