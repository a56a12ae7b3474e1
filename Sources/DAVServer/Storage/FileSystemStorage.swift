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
/// Names are bytes from the directory to the system call, so a name that is not UTF-8 is served like any
/// other (``ResourcePath/segment(forName:)``).
public final class FileSystemStorage: Storage, @unchecked Sendable {
    /// The root as given, and its real path (symlinks resolved; empty for `/`) for containment checks.
    public let root: String
    private let realRoot: [UInt8]
    static let uploadPrefix = ".davdoctor-upload-"
    private static let uploadPrefixBytes = Array(uploadPrefix.utf8)
    /// Names the server instance that writes the temporary files (`.davdoctor-upload-TAG-random`), so that
    /// start-up recovery on one instance of a cluster leaves another running instance's uploads alone.
    /// nil for a server that has the tree to itself: `.davdoctor-upload-random`.
    public let uploadTag: String?
    /// How old a directory's times must be, when a listing starts, to vouch for the names it reads
    /// (``DirectoryStamp/settledSeconds``; a test sets it below zero to have every listing's names kept).
    var listingSettledSeconds = DirectoryStamp.settledSeconds

    /// Fails when `root` is not an existing directory. `uploadTag` may hold letters and digits only.
    public init(root: String, uploadTag: String? = nil) throws {
        if let uploadTag, uploadTag.isEmpty || !uploadTag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            throw DAVError(500, "an upload tag must be letters and digits, not \(uploadTag)")
        }
        self.uploadTag = uploadTag
        guard let real = Self.realPath(FileSystemPath(root)) else { throw DAVError(500, "the served directory \(root) does not exist") }
        var st = stat()
        guard FileSystemPath(bytes: real).withCString({ stat($0, &st) }) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw DAVError(500, "\(root) is not a directory")
        }
        self.root = root
        self.realRoot = real == [UInt8(ascii: "/")] ? [] : real
    }

    func fullPath(_ path: ResourcePath) -> FileSystemPath {
        if path.isRoot { return realRoot.isEmpty ? FileSystemPath("/") : FileSystemPath(bytes: realRoot) }
        var bytes = realRoot
        for segment in path.segments {
            bytes.append(UInt8(ascii: "/"))
            ResourcePath.appendName(ofSegment: segment, to: &bytes)
        }
        return FileSystemPath(bytes: bytes)
    }

    static func realPath(_ path: FileSystemPath) -> [UInt8]? {
        guard let resolved = path.withCString({ realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return Array(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)))
    }

    /// The segment a directory entry is served under; nil for the hidden upload files and for names no
    /// path can carry.
    static func servedSegment(_ name: some Collection<UInt8>) -> String? {
        isUpload(name) ? nil : ResourcePath.segment(forName: name)
    }

    static func isUpload(_ name: some Sequence<UInt8>) -> Bool { name.starts(with: uploadPrefixBytes) }

    private func isHidden(_ path: ResourcePath) -> Bool {
        path.segments.contains { $0.hasPrefix(Self.uploadPrefix) }
    }

    /// Throws 403 when the path, once symlinks are resolved, is outside the root.
    func checkContained(_ full: FileSystemPath) throws {
        guard let real = Self.realPath(full) else { return }
        if realRoot.isEmpty || real == realRoot { return }
        if real.count > realRoot.count, real.starts(with: realRoot), real[realRoot.count] == UInt8(ascii: "/") { return }
        throw DAVError.forbidden("the path leads outside the served directory")
    }

    /// Whether a collection between the root and `path` is a symbolic link. The root is resolved once, at
    /// start, so a path whose collections are all real directories cannot lead out of it: one `lstat` per
    /// level instead of `realpath`'s `readlink` for every component of the whole path on each request.
    private func hasLinkAbove(_ path: ResourcePath) -> Bool {
        guard path.depth > 1 else { return false }
        var prefix = FileSystemPath(bytes: realRoot)
        for segment in path.segments.dropLast() {
            prefix = prefix.appending(ResourcePath.name(ofSegment: segment))
            var st = stat()
            guard prefix.withCString({ lstat($0, &st) }) == 0 else { return true }
            if (st.st_mode & S_IFMT) != S_IFDIR { return true }
        }
        return false
    }

    public func info(at path: ResourcePath) throws -> ResourceInfo? {
        if isHidden(path) { return nil }
        let full = fullPath(path)
        var st = stat()
        guard full.withCString({ lstat($0, &st) }) == 0 else { return nil }
        let isLink = (st.st_mode & S_IFMT) == S_IFLNK
        if isLink || hasLinkAbove(path) {
            // A link on the way may lead out: resolve the whole path once.
            try checkContained(full)
            guard full.withCString({ stat($0, &st) }) == 0 else {
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
            func put(_ byte: UInt8) {
                out[at] = byte
                at += 1
            }
            func hex(_ value: UInt64) {
                var digits = 1
                while digits < 16 && value >> (4 * UInt64(digits)) != 0 { digits += 1 }
                for shift in stride(from: digits - 1, through: 0, by: -1) {
                    put(Hex.digit(UInt8(truncatingIfNeeded: value >> (4 * UInt64(shift)))))
                }
            }
            put(UInt8(ascii: "\""))
            hex(inode)
            put(UInt8(ascii: "-"))
            hex(size)
            put(UInt8(ascii: "-"))
            hex(modified)
            put(UInt8(ascii: "\""))
            return at
        }
    }

    public func memberNames(of path: ResourcePath) throws -> [String] {
        guard let reader = DirectoryReader(fullPath(path)) else { throw DAVError(500, "cannot list the collection") }
        var names: [String] = []
        while let name = reader.next() {
            if let segment = Self.servedSegment(name) { names.append(segment) }
        }
        return names
    }

    public func memberIterator(of path: ResourcePath) throws -> any MemberIterator {
        try DirectoryIterator(storage: self, path: path)
    }

    /// Reads a directory lazily: one `readdir` and one `fstatat` per member, nothing kept; or, given the
    /// names an earlier listing read under the same directory times, one `fstatat` per name.
    final class DirectoryIterator: StampedMemberIterator {
        private let storage: FileSystemStorage
        private let path: ResourcePath
        private let fullPath: FileSystemPath
        private let reader: DirectoryReader
        let directory: DirectoryKey
        let stamp: DirectoryStamp
        let isSettled: Bool
        private var replayed: ListedNames?
        private var replayIndex = 0

        init(storage: FileSystemStorage, path: ResourcePath) throws {
            self.storage = storage
            self.path = path
            fullPath = storage.fullPath(path)
            // Taken before the directory's times are read: a change after this moment cannot carry settled times.
            var readStarted = timespec()
            clock_gettime(CLOCK_REALTIME, &readStarted)
            let fd = fullPath.withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            guard fd >= 0 else { throw DAVError(500, "cannot list the collection") }
            var st = stat()
            guard fstat(fd, &st) == 0, let reader = DirectoryReader(descriptor: fd) else {
                close(fd)
                throw DAVError(500, "cannot list the collection")
            }
            self.reader = reader
            directory = DirectoryKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
            stamp = DirectoryStamp(st)
            isSettled =
                stamp.isSettled(readStarted: readStarted, seconds: storage.listingSettledSeconds)
                && FileSystemStorage.stampsTimesHere(device: UInt64(st.st_dev))
        }

        func replay(_ names: ListedNames) {
            replayed = names
            replayIndex = 0
        }

        func next() throws -> ResourceInfo? {
            while let member = try next(known: nil) {
                if case .fresh(let info, _) = member { return info }
            }
            return nil
        }

        func next(known: [UInt64: MemberResponse]?) throws -> StampedMember? {
            if let replayed {
                while replayIndex < replayed.count {
                    let index = replayIndex
                    replayIndex += 1
                    if let found = replayed.withName(at: index, { name, cName in member(name, cName, known: known) }) { return found }
                }
                return nil
            }
            // Names are borrowed from the directory stream: only what the member's information keeps is copied.
            while let found = reader.withNextName({ name, cName in member(name, cName, known: known) }) {
                if let found { return found }
            }
            return nil
        }

        /// The member named `name`, looked up with `fstatat`; nil for a name that is not served or is gone.
        private func member(_ name: UnsafeBufferPointer<UInt8>, _ cName: UnsafePointer<CChar>, known: [UInt64: MemberResponse]?)
            -> StampedMember?
        {
            if FileSystemStorage.isUpload(name) { return nil }
            let fd = reader.descriptor
            var st = stat()
            guard fstatat(fd, cName, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
            let isLink = (st.st_mode & S_IFMT) == S_IFLNK
            let stamp = isLink ? nil : StatStamp(st)
            if let stamp, let response = known?[stamp.inode], response.matches(name, stamp) {
                guard response.isCollection else { return .kept(response, path: nil) }
                return ResourcePath.segment(forName: name).map { .kept(response, path: path.appending($0)) }
            }
            guard let segment = ResourcePath.segment(forName: name) else { return nil }
            if isLink {
                // The directory itself is inside the root (the caller resolved it); only a link can lead out.
                guard (try? storage.checkContained(fullPath.appending(name))) != nil, fstatat(fd, cName, &st, 0) == 0 else {
                    return nil
                }
            }
            var info = FileSystemStorage.makeInfo(path.appending(segment), st)
            info.isLink = isLink
            return .fresh(info, known.map { _ in FreshStamp(stamp: stamp, name: Array(name)) })
        }
    }

    /// Whether a directory on `device` has its times stamped by this machine's clock: true for a file
    /// system on a block device (ext4, XFS, F2FS on a disk). Network file systems (NFS, SMB, Ceph), FUSE and
    /// overlays sit on anonymous devices (major number 0), as do tmpfs, Btrfs and ZFS, which are left out
    /// with them: an NFS server's clock may lag this one, and an overlay can change below its upper layer.
    static func stampsTimesHere(device: UInt64) -> Bool {
        // glibc's gnu_dev_major: bits 8-19 and 32-43.
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~0xFFF)
        return major != 0
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
    public func openForReading(_ path: ResourcePath) throws -> any ContentReader {
        let fd = fullPath(path).withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw DAVError(500, "cannot open the file") }
        return FileReader(fd: fd)
    }

    public func beginWrite(_ path: ResourcePath) throws -> any ContentWriter {
        guard let parent = path.parent else { throw DAVError(405, "the root is a collection") }
        let temp = temporaryPath(in: fullPath(parent))
        let fd = temp.withCString { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw DAVError.conflict("the parent collection does not exist") }
            if errno == ENOSPC { throw DAVError(507, "no space left on the device") }
            throw DAVError(500, "cannot create a temporary file")
        }
        return FileWriter(fd: fd, temporary: temp, final: fullPath(path), path: path)
    }

    /// A fresh hidden name in `directory` for content that is not in place yet, with this instance's tag.
    func temporaryPath(in directory: FileSystemPath) -> FileSystemPath {
        var random = SystemRandomNumberGenerator()
        let tag = uploadTag.map { $0 + "-" } ?? ""
        return directory.appending((Self.uploadPrefix + tag + String(random.next() as UInt64, radix: 36)).utf8)
    }

    /// The tag of the instance that wrote a temporary file (nil for an untagged name); letters and digits.
    static func uploadTag(ofName name: [UInt8]) -> String? {
        let rest = name.dropFirst(uploadPrefixBytes.count)
        guard let dash = rest.lastIndex(of: UInt8(ascii: "-")) else { return nil }
        return String(decoding: rest[..<dash], as: UTF8.self)
    }

    public func makeCollection(at path: ResourcePath) throws {
        guard fullPath(path).withCString({ mkdir($0, 0o755) }) == 0 else {
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
    static func removeTree(_ full: FileSystemPath) throws {
        var st = stat()
        guard full.withCString({ lstat($0, &st) }) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            guard full.withCString({ unlink($0) }) == 0 || errno == ENOENT else { throw DAVError(500, "cannot remove a file") }
            return
        }
        for attempt in 1...4 {
            for name in DirectoryReader(full)?.remainingNames() ?? [] { try removeTree(full.appending(name)) }
            if full.withCString({ rmdir($0) }) == 0 || errno == ENOENT { return }
            guard errno == ENOTEMPTY, attempt < 4 else { break }
        }
        throw DAVError(500, "cannot remove a directory")
    }

    public func copy(from source: ResourcePath, to destination: ResourcePath, recursive: Bool) throws {
        try copyTree(fullPath(source), fullPath(destination), recursive: recursive)
    }

    /// Copies files and directories; a symbolic link is copied as what it points to when that stays inside
    /// the root, a linked directory without its members (no endless copies), and a link leading out not at all.
    func copyTree(_ from: FileSystemPath, _ to: FileSystemPath, recursive: Bool, isMember: Bool = false) throws {
        var st = stat()
        guard from.withCString({ lstat($0, &st) }) == 0 else { throw DAVError.notFound() }
        var recursive = recursive
        if (st.st_mode & S_IFMT) == S_IFLNK {
            guard (try? checkContained(from)) != nil, from.withCString({ stat($0, &st) }) == 0 else {
                if isMember { return }
                throw DAVError.forbidden("the path leads outside the served directory")
            }
            recursive = false
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            guard to.withCString({ mkdir($0, 0o755) }) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { throw DAVError.conflict("the destination's parent does not exist") }
                if errno == ENOSPC { throw DAVError(507, "no space left on the device") }
                throw DAVError(500, "cannot create the destination collection")
            }
            guard recursive, let names = DirectoryReader(from)?.remainingNames() else { return }
            for name in names where !Self.isUpload(name) {
                try copyTree(from.appending(name), to.appending(name), recursive: true, isMember: true)
            }
        } else {
            try copyFile(from, to)
        }
    }

    /// Copies one file's bytes under a hidden temporary name beside `to`, renamed at the end like an upload:
    /// a crash or an error mid-copy never leaves a partial file under the destination's name.
    private func copyFile(_ from: FileSystemPath, _ to: FileSystemPath) throws {
        let input = from.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard input >= 0 else { throw DAVError(500, "cannot open the source") }
        defer { close(input) }
        let temporary = temporaryPath(in: to.parent)
        let output = temporary.withCString { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
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
            temporary.withCString { _ = unlink($0) }
            throw error
        }
        close(output)
        guard Self.rename(temporary, to) == 0 else {
            temporary.withCString { _ = unlink($0) }
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

    /// `rename(2)` of two byte paths.
    static func rename(_ from: FileSystemPath, _ to: FileSystemPath) -> Int32 {
        from.withCString { from in to.withCString { to in Glibc.rename(from, to) } }
    }

    public func move(from source: ResourcePath, to destination: ResourcePath) throws {
        guard Self.rename(fullPath(source), fullPath(destination)) == 0 else {
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
        guard fullPath(.root).withCString({ statvfs($0, &fs) }) == 0 else { return (nil, nil) }
        let available = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        let used = Int64(fs.f_blocks - fs.f_bfree) * Int64(fs.f_frsize)
        return (used, available)
    }
}

/// A file open for reading, closed when released.
final class FileReader: FileContentReader {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    var descriptor: Int32 { fd }

    func read(offset: Int64, length: Int, into buffer: inout ByteBuffer) throws -> Int {
        try FileSystemStorage.pread(fd, offset: offset, length: length, into: &buffer)
    }
}

final class FileWriter: ContentWriter {
    private var fd: Int32
    private let temporary: FileSystemPath
    private let final: FileSystemPath
    private let path: ResourcePath

    init(fd: Int32, temporary: FileSystemPath, final: FileSystemPath, path: ResourcePath) {
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

    /// Renames the file from where it was created; only when that name is gone (a MOVE of its collection
    /// carried it along, or a DELETE took it) is the kernel asked where it is now. Its entity tag comes from
    /// the open file: the rename changes neither its inode, size nor modification time.
    func commit() throws -> ResourceInfo {
        guard fd >= 0 else { throw DAVError(500, "the upload was already finished") }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DAVError(500, "cannot read the uploaded file's status") }
        var at: FileSystemPath? = temporary
        var code: Int32 = 0
        if FileSystemStorage.rename(temporary, final) != 0 {
            code = errno
            if code == ENOENT {
                at = currentTemporaryPath()
                if let moved = at, moved != temporary { code = FileSystemStorage.rename(moved, final) == 0 ? 0 : errno }
            }
        }
        close(fd)
        fd = -1
        if code == 0 { return FileSystemStorage.makeInfo(path, st) }
        guard let at else { throw DAVError.conflict("the upload's collection was deleted while the body was arriving") }
        at.withCString { _ = unlink($0) }
        if code == EISDIR { throw DAVError(405, "a collection exists at this URL") }
        if code == ENOENT || code == ENOTDIR { throw DAVError.conflict("the parent collection does not exist") }
        throw DAVError(500, "cannot put the uploaded file in place")
    }

    func abort() {
        guard fd >= 0 else { return }
        let current = currentTemporaryPath()
        close(fd)
        fd = -1
        current?.withCString { _ = unlink($0) }
    }

    /// Where the temporary file is now, nil when it was deleted. A MOVE of a collection while the body was
    /// arriving carries the file along, and the name it was created with would then leave it orphaned;
    /// the kernel knows the current name of an open file (`/proc/self/fd`, Linux).
    private func currentTemporaryPath() -> FileSystemPath? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { readlink("/proc/self/fd/\(fd)", $0.baseAddress!, $0.count - 1) }
        }
        guard count > 0 else { return temporary }
        let path = Array(buffer[..<count])
        let deleted = " (deleted)".utf8
        return path.suffix(deleted.count).elementsEqual(deleted) ? nil : FileSystemPath(bytes: path)
    }
}
