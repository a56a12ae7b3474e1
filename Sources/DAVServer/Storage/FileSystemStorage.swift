import DAVCore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Resources as files and directories under one root directory.
///
/// Symbolic links are followed only while they stay inside the root: a path whose real location is
/// outside answers 403 and is left out of listings; linked directories are listed but never walked into
/// (Depth infinity, COPY), so a link to an ancestor cannot loop. The containment check and the operation
/// are not atomic: a local user who can swap a directory for a link mid-request can race them. Uploads are written to a hidden
/// `.davdoctor-upload-*` file in the destination directory and renamed over the target on commit, so a
/// cut upload never replaces the old content; those files are never served or listed.
/// Dead properties and locks are not kept here but in the data directory (``SQLitePropertyStore``).
public final class FileSystemStorage: Storage, @unchecked Sendable {
    /// The root as given, and its real path (symlinks resolved) for containment checks.
    public let root: String
    private let realRoot: String
    static let uploadPrefix = ".davdoctor-upload-"

    /// Fails when `root` is not an existing directory.
    public init(root: String) throws {
        guard let real = Self.realPath(root) else { throw DAVError(500, "the served directory \(root) does not exist") }
        var st = stat()
        guard stat(real, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw DAVError(500, "\(root) is not a directory") }
        self.root = root
        self.realRoot = real == "/" ? "" : real
    }

    func fullPath(_ path: ResourcePath) -> String {
        path.isRoot ? (realRoot.isEmpty ? "/" : realRoot) : realRoot + path.description
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private func isHidden(_ path: ResourcePath) -> Bool {
        path.segments.contains { $0.hasPrefix(Self.uploadPrefix) }
    }

    /// Throws 403 when the path, once symlinks are resolved, is outside the root.
    func checkContained(_ full: String) throws {
        guard let real = Self.realPath(full) else { return }
        if real == realRoot || real.hasPrefix(realRoot + "/") || (realRoot.isEmpty) { return }
        throw DAVError.forbidden("the path leads outside the served directory")
    }

    /// Whether a collection between the root and `path` is a symbolic link. The root is resolved once, at
    /// start, so a path whose collections are all real directories cannot lead out of it: one `lstat` per
    /// level instead of `realpath`'s `readlink` for every component of the whole path on each request.
    private func hasLinkAbove(_ path: ResourcePath) -> Bool {
        guard path.depth > 1 else { return false }
        var prefix = realRoot
        for segment in path.segments.dropLast() {
            prefix += "/" + segment
            var st = stat()
            guard lstat(prefix, &st) == 0 else { return true }
            if (st.st_mode & S_IFMT) != S_IFDIR { return true }
        }
        return false
    }

    public func info(at path: ResourcePath) throws -> ResourceInfo? {
        if isHidden(path) { return nil }
        let full = fullPath(path)
        var st = stat()
        guard lstat(full, &st) == 0 else { return nil }
        let isLink = (st.st_mode & S_IFMT) == S_IFLNK
        if isLink || hasLinkAbove(path) {
            // A link on the way may lead out: resolve the whole path once.
            try checkContained(full)
            guard stat(full, &st) == 0 else {
                // A dangling link may name a place outside; writing through it (COPY opens the target) would create it there.
                if isLink { throw DAVError.forbidden("the path is a link to nothing") }
                return nil
            }
        }
        var info = Self.makeInfo(path, st)
        info.isLink = isLink
        return info
    }

    static func makeInfo(_ path: ResourcePath, _ st: stat) -> ResourceInfo {
        let isDir = (st.st_mode & S_IFMT) == S_IFDIR
        let modified = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
        let changed = Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9
        let nanos = UInt64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ UInt64(st.st_mtim.tv_nsec)
        let etag = entityTag(UInt64(st.st_ino), UInt64(st.st_size), nanos)
        return ResourceInfo(
            path: path, isCollection: isDir, size: isDir ? 0 : Int64(st.st_size), modified: modified,
            created: min(changed, modified), etag: etag)
    }

    /// `"inode-size-mtime"` in hex, written straight into the string (one per member of every listing).
    static func entityTag(_ inode: UInt64, _ size: UInt64, _ modified: UInt64) -> String {
        String(unsafeUninitializedCapacity: 2 + 3 * 17) { out in
            var at = 0
            func put(_ byte: UInt8) { out[at] = byte; at += 1 }
            func hex(_ value: UInt64) {
                var digits = 1
                while digits < 16 && value >> (4 * UInt64(digits)) != 0 { digits += 1 }
                for shift in stride(from: digits - 1, through: 0, by: -1) {
                    let nibble = UInt8((value >> (4 * UInt64(shift))) & 0xF)
                    put(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
                }
            }
            put(UInt8(ascii: "\"")); hex(inode); put(UInt8(ascii: "-")); hex(size); put(UInt8(ascii: "-")); hex(modified)
            put(UInt8(ascii: "\""))
            return at
        }
    }

    public func memberNames(of path: ResourcePath) throws -> [String] {
        guard let dir = opendir(fullPath(path)) else { throw DAVError(500, "cannot list the collection") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String? in
                let bytes = raw.prefix { $0 != 0 }
                return String(validating: bytes, as: UTF8.self)
            }
            guard let name, name != ".", name != "..", !name.hasPrefix(Self.uploadPrefix) else { continue }
            // Names a path cannot carry are not served.
            if name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) { continue }
            names.append(name)
        }
        return names
    }

    public func members(of path: ResourcePath) throws -> [ResourceInfo] {
        let iterator = try DirectoryIterator(storage: self, path: path)
        var infos: [ResourceInfo] = []
        while let info = try iterator.next() { infos.append(info) }
        return infos
    }

    public func memberIterator(of path: ResourcePath) throws -> any MemberIterator {
        try DirectoryIterator(storage: self, path: path)
    }

    /// Reads a directory lazily: one `readdir` and one `fstatat` per member, nothing kept.
    final class DirectoryIterator: MemberIterator {
        private let storage: FileSystemStorage
        private let path: ResourcePath
        private let directory: String
        private let fd: Int32
        private let dir: OpaquePointer

        init(storage: FileSystemStorage, path: ResourcePath) throws {
            self.storage = storage
            self.path = path
            directory = storage.fullPath(path)
            let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw DAVError(500, "cannot list the collection") }
            guard let dir = fdopendir(fd) else {
                close(fd)
                throw DAVError(500, "cannot list the collection")
            }
            self.fd = fd
            self.dir = dir
        }

        deinit { closedir(dir) }

        func next() throws -> ResourceInfo? {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String? in
                    String(validating: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard let name, name != ".", name != "..", !name.hasPrefix(FileSystemStorage.uploadPrefix),
                    !name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") })
                else { continue }
                var st = stat()
                guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                let isLink = (st.st_mode & S_IFMT) == S_IFLNK
                if isLink {
                    // The directory itself is inside the root (the caller resolved it); only a link can lead out.
                    guard (try? storage.checkContained(directory + "/" + name)) != nil, fstatat(fd, name, &st, 0) == 0 else { continue }
                }
                var info = FileSystemStorage.makeInfo(path.appending(name), st)
                info.isLink = isLink
                return info
            }
            return nil
        }
    }

    public func read(_ path: ResourcePath, offset: Int64, length: Int, into buffer: inout ByteBuffer) throws -> Int {
        let fd = open(fullPath(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DAVError(500, "cannot open the file") }
        defer { close(fd) }
        return try Self.pread(fd, offset: offset, length: length, into: &buffer)
    }

    static func pread(_ fd: Int32, offset: Int64, length: Int, into buffer: inout ByteBuffer) throws -> Int {
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { raw -> Int in
            var total = 0
            while total < length {
                let n = Glibc.pread(fd, raw.baseAddress! + total, length - total, off_t(offset) + off_t(total))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return n < 0 && total == 0 ? -1 : total }
                total += n
            }
            return total
        }
        guard count >= 0 else { throw DAVError(500, "cannot read the file") }
        return count
    }

    /// Opens a file for streaming many chunks without reopening it.
    public func openForReading(_ path: ResourcePath) throws -> FileReader {
        let fd = open(fullPath(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DAVError(500, "cannot open the file") }
        return FileReader(fd: fd)
    }

    public func beginWrite(_ path: ResourcePath) throws -> any ContentWriter {
        guard let parent = path.parent else { throw DAVError(405, "the root is a collection") }
        let temp = Self.temporaryPath(in: fullPath(parent))
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw DAVError.conflict("the parent collection does not exist") }
            if errno == ENOSPC { throw DAVError(507, "no space left on the device") }
            throw DAVError(500, "cannot create a temporary file")
        }
        return FileWriter(fd: fd, temporary: temp, final: fullPath(path), path: path)
    }

    /// A fresh hidden name in `directory` for content that is not in place yet.
    static func temporaryPath(in directory: String) -> String {
        var random = SystemRandomNumberGenerator()
        return directory + "/" + uploadPrefix + String(random.next() as UInt64, radix: 36)
    }

    public func makeCollection(at path: ResourcePath) throws {
        guard mkdir(fullPath(path), 0o755) == 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw DAVError.conflict("the parent collection does not exist")
            case EEXIST: throw DAVError(405, "a resource already exists at this URL")
            case ENOSPC: throw DAVError(507, "no space left on the device")
            default: throw DAVError(500, "cannot create the collection")
            }
        }
    }

    public func remove(_ path: ResourcePath) throws {
        guard !path.isRoot else { throw DAVError.forbidden("the root collection cannot be deleted") }
        try Self.removeTree(fullPath(path))
    }

    /// Removes a file or a directory with everything in it. An upload under way may create or remove its
    /// hidden temporary file in a directory meanwhile (uploads write outside the server's gate): a name
    /// already gone is fine, and a directory found not empty is listed again, a few times.
    static func removeTree(_ full: String) throws {
        var st = stat()
        guard lstat(full, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            guard unlink(full) == 0 || errno == ENOENT else { throw DAVError(500, "cannot remove a file") }
            return
        }
        for attempt in 1...4 {
            if let dir = opendir(full) {
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    if name != "." && name != ".." { names.append(name) }
                }
                closedir(dir)
                for name in names { try removeTree(full + "/" + name) }
            }
            if rmdir(full) == 0 || errno == ENOENT { return }
            guard errno == ENOTEMPTY, attempt < 4 else { break }
        }
        throw DAVError(500, "cannot remove a directory")
    }

    public func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws {
        try copyTree(fullPath(source), fullPath(destination), recursive: recursive)
    }

    /// Copies files and directories; a symbolic link is copied as what it points to when that stays inside
    /// the root, a linked directory without its members (no endless copies), and a link leading out not at all.
    func copyTree(_ from: String, _ to: String, recursive: Bool, isMember: Bool = false) throws {
        var st = stat()
        guard lstat(from, &st) == 0 else { throw DAVError.notFound() }
        var recursive = recursive
        if (st.st_mode & S_IFMT) == S_IFLNK {
            guard (try? checkContained(from)) != nil, stat(from, &st) == 0 else {
                if isMember { return }
                throw DAVError.forbidden("the path leads outside the served directory")
            }
            recursive = false
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            guard mkdir(to, 0o755) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { throw DAVError.conflict("the destination's parent does not exist") }
                if errno == ENOSPC { throw DAVError(507, "no space left on the device") }
                throw DAVError(500, "cannot create the destination collection")
            }
            guard recursive, let dir = opendir(from) else { return }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." && !name.hasPrefix(Self.uploadPrefix) { names.append(name) }
            }
            closedir(dir)
            for name in names { try copyTree(from + "/" + name, to + "/" + name, recursive: true, isMember: true) }
        } else {
            try copyFile(from, to)
        }
    }

    /// Copies one file's bytes under a hidden temporary name beside `to`, renamed at the end like an upload:
    /// a crash or an error mid-copy never leaves a partial file under the destination's name.
    private func copyFile(_ from: String, _ to: String) throws {
        let input = open(from, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw DAVError(500, "cannot open the source") }
        defer { close(input) }
        let slash = to.utf8.lastIndex(of: UInt8(ascii: "/"))!
        let temporary = Self.temporaryPath(in: String(to[..<slash]))
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw DAVError.conflict("the destination's parent does not exist") }
            throw DAVError(500, "cannot create the destination")
        }
        do {
            var chunk = [UInt8](repeating: 0, count: 256 << 10)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw DAVError(500, "cannot read the source") }
                if n == 0 { break }
                try chunk.withUnsafeBytes { try Self.writeAll(output, $0.baseAddress!, n) }
            }
        } catch {
            close(output)
            unlink(temporary)
            throw error
        }
        close(output)
        guard rename(temporary, to) == 0 else {
            unlink(temporary)
            throw DAVError(500, "cannot put the copy in place")
        }
    }

    static func writeAll(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) throws {
        var written = 0
        while written < count {
            let n = write(fd, pointer + written, count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                if errno == ENOSPC || errno == EDQUOT { throw DAVError(507, "no space left on the device") }
                throw DAVError(500, "cannot write the file")
            }
            written += n
        }
    }

    public func move(from source: ResourcePath, to destination: ResourcePath) throws {
        guard rename(fullPath(source), fullPath(destination)) == 0 else {
            switch errno {
            case ENOENT, ENOTDIR: throw DAVError.conflict("the destination's parent does not exist")
            case EXDEV:
                try copy(from: source, to: destination, recursive: true)
                try remove(source)
            default: throw DAVError(500, "cannot move the resource")
            }
            return
        }
    }

    public func quota() -> (used: Int64?, available: Int64?) {
        var fs = statvfs()
        guard statvfs(fullPath(.root), &fs) == 0 else { return (nil, nil) }
        let available = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        let used = Int64(fs.f_blocks - fs.f_bfree) * Int64(fs.f_frsize)
        return (used, available)
    }
}

/// A file open for reading, closed when released.
public final class FileReader: @unchecked Sendable {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    public func read(offset: Int64, length: Int, into buffer: inout ByteBuffer) throws -> Int {
        try FileSystemStorage.pread(fd, offset: offset, length: length, into: &buffer)
    }
}

final class FileWriter: ContentWriter {
    private var fd: Int32
    private let temporary: String
    private let final: String
    private let path: ResourcePath

    init(fd: Int32, temporary: String, final: String, path: ResourcePath) {
        self.fd = fd
        self.temporary = temporary
        self.final = final
        self.path = path
    }

    deinit { abort() }

    func append(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { raw in
            guard raw.count > 0 else { return }
            try FileSystemStorage.writeAll(fd, raw.baseAddress!, raw.count)
        }
    }

    func commit() throws -> ResourceInfo {
        guard fd >= 0 else { throw DAVError(500, "the upload was already finished") }
        let current = currentTemporaryPath()
        close(fd)
        fd = -1
        guard let current else { throw DAVError.conflict("the upload's collection was deleted while the body was arriving") }
        guard rename(current, final) == 0 else {
            let code = errno
            unlink(current)
            if code == EISDIR { throw DAVError(405, "a collection exists at this URL") }
            if code == ENOENT || code == ENOTDIR { throw DAVError.conflict("the parent collection does not exist") }
            throw DAVError(500, "cannot put the uploaded file in place")
        }
        var st = stat()
        guard stat(final, &st) == 0 else { throw DAVError(500, "the uploaded file vanished") }
        return FileSystemStorage.makeInfo(path, st)
    }

    func abort() {
        guard fd >= 0 else { return }
        let current = currentTemporaryPath()
        close(fd)
        fd = -1
        if let current { unlink(current) }
    }

    /// Where the temporary file is now, nil when it was deleted. A MOVE of a collection while the body was
    /// arriving carries the file along, and the name it was created with would then leave it orphaned;
    /// the kernel knows the current name of an open file (`/proc/self/fd`, Linux).
    private func currentTemporaryPath() -> String? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { readlink("/proc/self/fd/\(fd)", $0.baseAddress!, $0.count - 1) }
        }
        guard count > 0 else { return temporary }
        let path = String(decoding: buffer[..<count], as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? nil : path
    }
}
