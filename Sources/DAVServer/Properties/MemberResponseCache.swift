import DAVCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's modification and change times to the nanosecond, as `stat` gives them.
struct FileTimes: Equatable, Sendable {
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int
    let changedSeconds: Int
    let changedNanoseconds: Int

    init(_ st: stat) {
        modifiedSeconds = Int(st.st_mtim.tv_sec)
        modifiedNanoseconds = Int(st.st_mtim.tv_nsec)
        changedSeconds = Int(st.st_ctim.tv_sec)
        changedNanoseconds = Int(st.st_ctim.tv_nsec)
    }
}

/// What `lstat` says of a member that its listed `allprop` response is made from: the entity tag (inode,
/// size, modification time), the dates (modification and change times), the kind (mode). The change time
/// moves with every change of the inode (a write, a rename, a `chmod`, a new link), so an entry whose stamp
/// still matches was made from the member as it is now.
struct StatStamp: Equatable, Sendable {
    let inode: UInt64
    let mode: UInt32
    let size: Int64
    let times: FileTimes

    init(_ st: stat) {
        inode = UInt64(st.st_ino)
        mode = UInt32(st.st_mode)
        size = Int64(st.st_size)
        times = FileTimes(st)
    }
}

/// A listed directory: its device and inode, so a renamed folder keeps its members' responses (their
/// hrefs are written fresh) and a folder made again under an old name starts empty.
struct DirectoryKey: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64
}

/// What `fstat` says of a listed directory that vouches for its names: any entry added, removed or
/// renamed moves its modification and change times (and often its size and link count).
struct DirectoryStamp: Equatable, Sendable {
    let size: Int64
    let links: UInt64
    let times: FileTimes

    init(_ st: stat) {
        size = Int64(st.st_size)
        links = UInt64(st.st_nlink)
        times = FileTimes(st)
    }

    /// How long before a directory is read its times must lie for them to vouch for its names. A file
    /// system stamps times from a clock that moves in ticks (ext4: a scheduler tick; FAT: 2 s), so an entry
    /// added in the same tick as the last change, after the directory was read, leaves the times as they
    /// were; once the times are this much older than the read, any later change must move them (the rule
    /// git uses for "racily clean" index entries).
    static let settledSeconds = 3

    /// Whether these times are settled, `seconds` before a reading of the directory that started at `readStarted`.
    func isSettled(readStarted: timespec, seconds: Int = settledSeconds) -> Bool {
        max(times.modifiedSeconds, times.changedSeconds) + seconds <= Int(readStarted.tv_sec)
    }
}

/// A directory's names in the order `readdir` gave them, each followed by a NUL for `fstatat`, kept in one
/// block the object owns: a listing that reads them again retains nothing per name. Made only from a
/// directory whose ``DirectoryStamp`` was settled when it was read.
final class ListedNames: @unchecked Sendable {
    let stamp: DirectoryStamp
    let count: Int
    /// The names' bytes, then `count + 1` offsets (the last one the end).
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let offsets: UnsafeMutableBufferPointer<Int>

    init(stamp: DirectoryStamp, names: [[UInt8]]) {
        self.stamp = stamp
        count = names.count
        bytes = .allocate(capacity: names.reduce(0) { $0 + $1.count + 1 })
        offsets = .allocate(capacity: names.count + 1)
        var at = 0
        for (index, name) in names.enumerated() {
            offsets[index] = at
            for byte in name {
                bytes[at] = byte
                at += 1
            }
            bytes[at] = 0
            at += 1
        }
        offsets[names.count] = at
    }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
    }

    /// Calls `body` with the name at `index`: its bytes, and the same as a C string.
    func withName<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<CChar>) -> Result) -> Result {
        let start = bytes.baseAddress! + offsets[index]
        let name = UnsafeBufferPointer(start: start, count: offsets[index + 1] - offsets[index] - 1)
        return start.withMemoryRebound(to: CChar.self, capacity: name.count + 1) { body(name, $0) }
    }

    var byteCount: Int { bytes.count + offsets.count * MemoryLayout<Int>.size }
}

/// One member's `allprop` response as ``AllpropMemberWriter`` wrote it, from its encoded name to
/// `</D:response>`: everything but the collection's href in front of it.
final class MemberResponse: Sendable {
    /// The directory entry's name as the file system gave it.
    let name: [UInt8]
    let stamp: StatStamp
    let tail: [UInt8]
    let isCollection: Bool
    /// The properties the response holds, for the access log's counts.
    let propertyCount: Int

    init(name: [UInt8], stamp: StatStamp, tail: [UInt8], isCollection: Bool, propertyCount: Int) {
        self.name = name
        self.stamp = stamp
        self.tail = tail
        self.isCollection = isCollection
        self.propertyCount = propertyCount
    }

    /// What the entry costs, roughly: its two arrays and the bookkeeping around them.
    var bytes: Int { name.count + tail.count + 128 }

    /// Whether this entry was made from the directory entry `name` whose `lstat` is `stamp`.
    func matches(_ name: UnsafeBufferPointer<UInt8>, _ stamp: StatStamp) -> Bool {
        guard self.stamp == stamp, self.name.count == name.count else { return false }
        return self.name.withUnsafeBufferPointer { kept in
            kept.isEmpty || memcmp(kept.baseAddress!, name.baseAddress!, name.count) == 0
        }
    }
}

/// The `allprop` responses of the members of recently listed directories, kept so that listing a folder
/// again costs its `readdir` and one `fstatat` per member, not the writing of every response.
///
/// Building a member's response (its path, entity tag, two dates, content type and escaping) was about
/// as much of the server's CPU as the `fstatat` that a listing cannot skip. An entry is used only while the
/// member's ``StatStamp`` and name are what they were, so a changed, replaced or renamed file is written
/// afresh; the listing decides when the rest of the response cannot have changed either (no dead
/// properties in the folder, no locks, nobody's access narrowed by rules), and writes the general way
/// otherwise. Memory is bounded: the least recently listed directories are dropped beyond ``capacity``
/// bytes, and a directory that alone would take more than a quarter of it is not kept.
final class MemberResponseCache: Sendable {
    let capacity: Int
    private let state = Locked(State())

    private struct State {
        var directories: [DirectoryKey: Directory] = [:]
        var bytes = 0
        var clock: UInt64 = 0
    }

    private struct Directory {
        var members: [UInt64: MemberResponse]
        var names: ListedNames?
        var bytes: Int
        var lastUsed: UInt64
    }

    /// What is kept of a directory: its members' responses by inode, and its names when its times vouched
    /// for them.
    struct Kept {
        var members: [UInt64: MemberResponse] = [:]
        var names: ListedNames?
    }

    /// `capacity`: most bytes kept in all; 0 keeps nothing.
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// What is kept of a directory (nothing when it was not listed lately).
    func kept(_ directory: DirectoryKey) -> Kept {
        guard capacity > 0 else { return Kept() }
        return state.withLock { state in
            guard var kept = state.directories[directory] else { return Kept() }
            state.clock += 1
            kept.lastUsed = state.clock
            state.directories[directory] = kept
            return Kept(members: kept.members, names: kept.names)
        }
    }

    /// Keeps `members` (and `names`) as the directory's whole listing, replacing what was kept for it.
    func store(_ members: [UInt64: MemberResponse], names: ListedNames? = nil, of directory: DirectoryKey) {
        guard capacity > 0 else { return }
        let bytes = members.values.reduce(0) { $0 + $1.bytes } + (names?.byteCount ?? 0)
        state.withLock { state in
            if let old = state.directories.removeValue(forKey: directory) { state.bytes -= old.bytes }
            guard bytes <= capacity / 4, !members.isEmpty || names != nil else { return }
            while state.bytes + bytes > capacity, let oldest = state.directories.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                state.directories[oldest.key] = nil
                state.bytes -= oldest.value.bytes
            }
            state.clock += 1
            state.directories[directory] = Directory(members: members, names: names, bytes: bytes, lastUsed: state.clock)
            state.bytes += bytes
        }
    }

    /// Bytes kept now (for tests).
    var bytes: Int { state.withLock { $0.bytes } }
}

/// A directory listing that can recognise a member from its name and `lstat` before building anything,
/// and can take its names from an earlier listing instead of reading the directory.
protocol StampedMemberIterator: MemberIterator {
    /// The listed directory, read when it was opened.
    var directory: DirectoryKey { get }
    /// Its times and size when it was opened, and whether they were settled then
    /// (``DirectoryStamp/isSettled(readStarted:)``): only then may they vouch for the names read.
    var stamp: DirectoryStamp { get }
    var isSettled: Bool { get }
    /// The next member: a kept response from `known` that matches it, or its information and, when
    /// `known` is given, its name and what a response made from it would be kept under (no stamp for a
    /// symbolic link, whose response is made from what it points to).
    func next(known: [UInt64: MemberResponse]?) throws -> StampedMember?
    /// Takes the names from `names` (whose stamp is this directory's) instead of reading the directory.
    func replay(_ names: ListedNames)
}

enum StampedMember {
    /// `path` is set for a collection, the one kind a Depth infinity walk goes into.
    case kept(MemberResponse, path: ResourcePath?)
    case fresh(ResourceInfo, FreshStamp?)
}

/// A member written afresh: its stamp (nil for a symbolic link) and its directory entry's name, as the
/// file system gave it.
struct FreshStamp {
    let stamp: StatStamp?
    let name: [UInt8]
}

/// One level of a listing as the cache sees it: what was kept for the directory, and what this listing
/// found, stored in its place once the level has been read to its end. When the directory's times are
/// those its kept names were read under, the names are taken from there and the directory is not read.
final class MemberResponseLevel {
    let iterator: any StampedMemberIterator
    let known: [UInt64: MemberResponse]
    /// Whether this listing stores what it found (a Depth infinity walk only reads: it would push out the
    /// folders clients browse for folders seen once).
    let stores: Bool
    private let keptNames: ListedNames?
    /// Whether the names come from `keptNames` rather than from reading the directory.
    let replays: Bool
    /// Inodes answered from `known`, and responses written afresh that can be kept: a listing that found
    /// everything kept builds nothing.
    private var hits: [UInt64] = []
    private var fresh: [MemberResponse] = []
    /// The names read from the directory, in order, when they may be kept.
    private var names: [[UInt8]] = []

    init(iterator: any StampedMemberIterator, cache: MemberResponseCache, stores: Bool) {
        self.iterator = iterator
        let kept = cache.kept(iterator.directory)
        self.known = kept.members
        self.stores = stores
        keptNames = kept.names
        if let names = kept.names, names.stamp == iterator.stamp {
            replays = true
            iterator.replay(names)
        } else {
            replays = false
        }
        if stores { hits.reserveCapacity(known.count) }
    }

    /// Whether the names read are worth noting: they are kept only when the directory's times vouch for them.
    private var notesNames: Bool { stores && !replays && iterator.isSettled }

    /// Notes a member answered from `known`.
    func kept(_ response: MemberResponse) {
        guard stores else { return }
        hits.append(response.stamp.inode)
        if notesNames { names.append(response.name) }
    }

    /// Notes a member written afresh, and its response when it can be kept (a symbolic link's cannot).
    func wrote(_ stamp: FreshStamp?, _ response: MemberResponse?) {
        guard stores else { return }
        if let response { fresh.append(response) }
        if notesNames, let stamp { names.append(stamp.name) }
    }

    /// Called once every member has been read: stores what was found when it differs from what was kept
    /// (a member written afresh, one kept that is gone, names read under new settled times).
    func finish(into cache: MemberResponseCache) {
        guard stores else { return }
        let newNames = notesNames && keptNames?.stamp != iterator.stamp
        guard !fresh.isEmpty || hits.count != known.count || newNames else { return }
        var found: [UInt64: MemberResponse] = [:]
        found.reserveCapacity(hits.count + fresh.count)
        for inode in hits { found[inode] = known[inode] }
        for response in fresh { found[response.stamp.inode] = response }
        let names: ListedNames? =
            if replays { keptNames } else if notesNames { ListedNames(stamp: iterator.stamp, names: self.names) } else { nil }
        cache.store(found, names: names, of: iterator.directory)
    }
}
