import Foundation

/// Fuzz target: the server's request path resolver, the first line of root confinement. Whatever the
/// bytes, a path it accepts must hold no segment that could step outside the root or name two levels
/// at once, and its href must resolve back to the same resource.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPathResolver(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let path = try? ResourcePath(encodedPath: raw) else { return 0 }
    for segment in path.segments {
        // The name that reaches the file system (a segment spells a byte that is not UTF-8 `\XX`).
        let name = ResourcePath.name(ofSegment: segment)
        precondition(!name.isEmpty && name != [0x2E] && name != [0x2E, 0x2E], "unsafe segment from \(raw.debugDescription)")
        precondition(
            !name.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }),
            "separator or control byte in a segment from \(raw.debugDescription)")
    }
    for isCollection in [false, true] {
        let again = try? ResourcePath(encodedPath: path.href(isCollection: isCollection))
        precondition(again == path, "href does not resolve back: \(raw.debugDescription) -> \(path.href(isCollection: isCollection))")
    }
    return 0
}
