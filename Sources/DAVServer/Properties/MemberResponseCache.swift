import DAVCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `lstat` says of a member that its listed `allprop` response is made from: the entity tag (inode,
/// size, modification time), the dates (modification and change times), the kind (mode). The change time
/// moves with every change of the inode (a write, a rename, a `chmod`, a new link), so an entry whose stamp
/// still matches was made from the member as it is now.
struct StatStamp: Equatable, Sendable {
    let inode: UInt64
    let mode: UInt32
    let size: Int64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int
    let changedSeconds: Int
    let changedNanoseconds: Int

    init(_ st: stat) {
        inode = UInt64(st.st_ino)
        mode = UInt32(st.st_mode)
        size = Int64(st.st_size)
        modifiedSeconds = Int(st.st_mtim.tv_sec)
        modifiedNanoseconds = Int(st.st_mtim.tv_nsec)
        changedSeconds = Int(st.st_ctim.tv_sec)
        changedNanoseconds = Int(st.st_ctim.tv_nsec)
    }
}

/// A listed directory: its device and inode, so a renamed folder keeps its members' responses (their
/// hrefs are written fresh) and a folder made again under an old name starts empty.
struct DirectoryKey: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64
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
        var bytes: Int
        var lastUsed: UInt64
    }

    /// `capacity`: most bytes kept in all; 0 keeps nothing.
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The kept responses of a directory's members, by inode (empty when none are kept).
    func members(of directory: DirectoryKey) -> [UInt64: MemberResponse] {
        guard capacity > 0 else { return [:] }
        return state.withLock { state in
            guard var kept = state.directories[directory] else { return [:] }
            state.clock += 1
            kept.lastUsed = state.clock
            state.directories[directory] = kept
            return kept.members
        }
    }

    /// Keeps `members` as the directory's whole listing, replacing what was kept for it.
    func store(_ members: [UInt64: MemberResponse], of directory: DirectoryKey) {
        guard capacity > 0 else { return }
        let bytes = members.values.reduce(0) { $0 + $1.bytes }
        state.withLock { state in
            if let old = state.directories.removeValue(forKey: directory) { state.bytes -= old.bytes }
            guard bytes <= capacity / 4, !members.isEmpty else { return }
            while state.bytes + bytes > capacity, let oldest = state.directories.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                state.directories[oldest.key] = nil
                state.bytes -= oldest.value.bytes
            }
            state.clock += 1
            state.directories[directory] = Directory(members: members, bytes: bytes, lastUsed: state.clock)
            state.bytes += bytes
        }
    }

    /// Bytes kept now (for tests).
    var bytes: Int { state.withLock { $0.bytes } }
}

/// A directory listing that can recognise a member from its name and `lstat` before building anything.
protocol StampedMemberIterator: MemberIterator {
    /// The listed directory, read when it was opened.
    var directory: DirectoryKey { get }
    /// The next member: a kept response from `known` that matches it, or its information and, when
    /// `known` is given, what a response made from it would be kept under (nil for a symbolic link, whose
    /// response is made from what it points to).
    func next(known: [UInt64: MemberResponse]?) throws -> StampedMember?
}

enum StampedMember {
    /// `path` is set for a collection, the one kind a Depth infinity walk goes into.
    case kept(MemberResponse, path: ResourcePath?)
    case fresh(ResourceInfo, FreshStamp?)
}

/// A member written afresh: its stamp and its directory entry's name, as the file system gave it.
struct FreshStamp {
    let stamp: StatStamp
    let name: [UInt8]
}

/// One level of a listing as the cache sees it: what was kept for the directory, and what this listing
/// found, stored in its place once the level has been read to its end.
final class MemberResponseLevel {
    let iterator: any StampedMemberIterator
    let known: [UInt64: MemberResponse]
    /// Whether this listing stores what it found (a Depth infinity walk only reads: it would push out the
    /// folders clients browse for folders seen once).
    let stores: Bool
    /// Inodes answered from `known`, and responses written afresh that can be kept: a listing that found
    /// everything kept builds nothing.
    private var hits: [UInt64] = []
    private var fresh: [MemberResponse] = []

    init(iterator: any StampedMemberIterator, cache: MemberResponseCache, stores: Bool) {
        self.iterator = iterator
        self.known = cache.members(of: iterator.directory)
        self.stores = stores
        if stores { hits.reserveCapacity(known.count) }
    }

    /// Notes a member answered from `known`.
    func kept(_ response: MemberResponse) {
        if stores { hits.append(response.stamp.inode) }
    }

    /// Notes a member written afresh whose response can be kept (a symbolic link's cannot).
    func wrote(_ response: MemberResponse) {
        if stores { fresh.append(response) }
    }

    /// Called once every member has been read: stores what was found when it differs from what was kept
    /// (a member written afresh, or one kept that is gone).
    func finish(into cache: MemberResponseCache) {
        guard stores, !fresh.isEmpty || hits.count != known.count else { return }
        var found: [UInt64: MemberResponse] = [:]
        found.reserveCapacity(hits.count + fresh.count)
        for inode in hits { found[inode] = known[inode] }
        for response in fresh { found[response.stamp.inode] = response }
        cache.store(found, of: iterator.directory)
    }
}
