#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The names in a directory as the kernel keeps them: bytes, not necessarily UTF-8, `.` and `..` left out.
///
/// The one place where directory entries are read, so that no caller decodes a name before handing it
/// back to the file system (a Latin-1 name decoded lossily no longer names its file).
public final class DirectoryReader {
    #if canImport(Darwin)
        private typealias Stream = UnsafeMutablePointer<DIR>
    #else
        private typealias Stream = OpaquePointer
    #endif
    private let stream: Stream

    /// nil when the directory cannot be opened (`errno` says why).
    public init?(_ path: FileSystemPath) {
        guard let stream = path.withCString({ opendir($0) }) else { return nil }
        self.stream = stream
    }

    /// Reads an open directory; the descriptor is the reader's from then on, closed with it. nil (and the
    /// descriptor left open) when it is not a directory.
    public init?(descriptor: Int32) {
        guard let stream = fdopendir(descriptor) else { return nil }
        self.stream = stream
    }

    deinit { closedir(stream) }

    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!

    /// The directory's descriptor, for calls relative to it (`fstatat`).
    public var descriptor: Int32 { dirfd(stream) }

    /// The next name, nil at the end.
    public func next() -> [UInt8]? {
        withNextName { name, _ in Array(name) }
    }

    /// Calls `body` with the next name, borrowed from the directory stream: its bytes, and the same as a C
    /// string for a call relative to ``descriptor`` (`fstatat`). nil at the end. A listing reads every name
    /// this way, so that a name it looks up and writes is never copied into an array of its own.
    public func withNextName<Result>(_ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<CChar>) throws -> Result) rethrows -> Result? {
        while let entry = readdir(stream) {
            // The kernel's NUL-terminated name, where the entry keeps it.
            let start = UnsafeRawPointer(entry) + Self.nameOffset
            let cName = start.assumingMemoryBound(to: CChar.self)
            let name = UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: strlen(cName))
            if name.count <= 2 && name.allSatisfy({ $0 == 0x2E }) { continue }
            return try body(name, cName)
        }
        return nil
    }

    /// The names not read yet.
    public func remainingNames() -> [[UInt8]] {
        var names: [[UInt8]] = []
        while let name = next() { names.append(name) }
        return names
    }
}
