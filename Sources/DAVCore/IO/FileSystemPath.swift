/// A path as the kernel takes it: bytes, which need not be UTF-8. A local user may name a file in Latin-1
/// (`caf\xE9`); decoding such a name into a `String` and back loses it, so paths stay bytes down to the system call.
public struct FileSystemPath: Sendable, Hashable, CustomStringConvertible {
    /// The bytes, without a terminating NUL.
    public private(set) var bytes: [UInt8]

    /// A path written as text (a configured directory).
    public init(_ text: String) { bytes = Array(text.utf8) }

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// This path with `name` below it.
    public func appending(_ name: some Sequence<UInt8>) -> FileSystemPath {
        var path = self
        if path.bytes.last != UInt8(ascii: "/") { path.bytes.append(UInt8(ascii: "/")) }
        path.bytes.append(contentsOf: name)
        return path
    }

    /// The directory that holds the last name: `/a` for `/a/b`, `/` for `/a`.
    public var parent: FileSystemPath {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash > 0 else { return FileSystemPath("/") }
        return FileSystemPath(bytes: Array(bytes[..<slash]))
    }

    /// Calls `body` with the path as a C string, for a system call.
    public func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        var terminated = bytes
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// For messages only: bytes that are not UTF-8 show as U+FFFD.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
