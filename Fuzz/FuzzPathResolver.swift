import Foundation

/// Fuzz target: the server's request path resolver, the first line of root confinement. Whatever the
/// bytes, a path it accepts must hold no segment that could step outside the root or name two levels
/// at once, and its href must resolve back to the same resource.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPathResolver(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let path = try? ResourcePath(encodedPath: raw) else { return 0 }
    for segment in path.segments {
        precondition(!segment.isEmpty && segment != "." && segment != "..", "unsafe segment from \(raw.debugDescription)")
        precondition(!segment.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }),
                     "separator or control byte in a segment from \(raw.debugDescription)")
    }
    for isCollection in [false, true] {
        let again = try? ResourcePath(encodedPath: path.href(isCollection: isCollection))
        precondition(again == path, "href does not resolve back: \(raw.debugDescription) -> \(path.href(isCollection: isCollection))")
    }
    return 0
}
