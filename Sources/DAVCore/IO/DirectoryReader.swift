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

    /// The directory's descriptor, for calls relative to it (`fstatat`).
    public var descriptor: Int32 { dirfd(stream) }

    /// The next name, nil at the end.
    public func next() -> [UInt8]? {
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            return name
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
