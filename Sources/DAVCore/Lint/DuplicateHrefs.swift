#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds hrefs that occur more than once in a stream of millions, in flat memory.
///
/// Every href's 64-bit hash is kept in sorted blocks of 65,536, written as each fills to a temporary file
/// that is unlinked at once (so it costs page cache, not the process's memory, and never outlives it;
/// in memory when no temporary file can be made); ``finish()`` merges the blocks and counts repeats.
/// Repeats close together (the usual server bug: the self entry twice) are also caught at once through a
/// window of the last 64 hrefs, which is how they get their names. Past 8 million responses the check
/// stops (64 MB of hashes) and says so through ``isSaturated``; hashes the spill file fails to give back
/// are counted in ``unreadHashes``, so that a short count is stated, not taken for a whole one.
struct DuplicateHrefs: Sendable {
    private static let blockSize = 1 << 16
    static let maxHashes = 8_000_000
    private var blocks: [HashBlock] = []
    private var spill: SpillFile?
    private var current: [UInt64] = []
    private var recentHashes = [UInt64](repeating: 0, count: 64)
    private var recentPaths = [String](repeating: "", count: 64)
    private var recentNext = 0
    private var recentCount = 0
    /// The first hrefs inserted (up to the window's size) and whether each repeated one before it, so that
    /// a reader of the previous piece of a split body can name repeats across the cut (``merge(_:)``).
    private var opening: [(hash: UInt64, path: String, repeated: Bool)] = []
    private var named = Set<UInt64>()
    private(set) var isSaturated = false
    private var total = 0
    /// Hashes written to the spill file that could not be read back for the final merge.
    private(set) var unreadHashes = 0

    /// `spill` nil keeps every block in memory.
    init(spill: SpillFile? = SpillFile.create()) {
        self.spill = spill
    }

    /// Adds a (normalised) path; returns it when it is a repeat of one seen recently.
    mutating func insert(_ path: String) -> String? {
        guard !isSaturated else { return nil }
        let h = Self.hash(path)
        total += 1
        if total > Self.maxHashes {
            isSaturated = true
            return nil
        }
        current.append(h)
        if current.count == Self.blockSize { storeCurrent() }
        for k in 0..<recentHashes.count where recentHashes[k] == h && recentPaths[k] == path {
            named.insert(h)
            if opening.count < 64 { opening.append((h, path, true)) }
            return path
        }
        if opening.count < 64 { opening.append((h, path, false)) }
        remember(h, path)
        return nil
    }

    /// 64-bit FNV-1a of the path's UTF-8, walked as a buffer (it runs once per response).
    static func hash(_ path: String) -> UInt64 {
        func fnv(_ bytes: some Sequence<UInt8>) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                h ^= UInt64(byte)
                h = h &* 0x100_0000_01b3
            }
            return h
        }
        return path.utf8.withContiguousStorageIfAvailable { fnv($0) } ?? fnv(path.utf8)
    }

    private mutating func remember(_ h: UInt64, _ path: String) {
        recentHashes[recentNext] = h
        recentPaths[recentNext] = path
        recentNext = (recentNext + 1) & 63
        recentCount = min(recentCount + 1, 64)
    }

    /// The window's hrefs, oldest first.
    private var window: [(hash: UInt64, path: String)] {
        let first = recentCount < 64 ? 0 : recentNext
        return (0..<recentCount).map { k in (recentHashes[(first + k) & 63], recentPaths[(first + k) & 63]) }
    }

    /// Takes in the hrefs of the piece that follows this one in the body. Returns the repeats that only
    /// show across the cut (an href of `later`'s opening that this piece's last hrefs already held), which
    /// a reader of the whole body would have named, in the order it would have named them.
    mutating func merge(_ later: DuplicateHrefs) -> [String] {
        var newlyNamed: [String] = []
        let tail = window
        var kept = 0
        for entry in later.opening where !entry.repeated {
            // A one-piece reader's window would still hold the last (64 - kept) hrefs of this piece.
            let visible = tail.suffix(max(0, 64 - kept))
            if visible.contains(where: { $0.hash == entry.hash && $0.path == entry.path }) {
                named.insert(entry.hash)
                newlyNamed.append(entry.path)
            } else {
                kept += 1
            }
        }
        storeCurrent()
        blocks += later.blocks
        current = later.current
        total += later.total
        isSaturated = isSaturated || later.isSaturated || total > Self.maxHashes
        unreadHashes += later.unreadHashes
        named.formUnion(later.named)
        if opening.count < 64 { opening += later.opening.prefix(64 - opening.count) }
        for entry in later.window { remember(entry.hash, entry.path) }
        return newlyNamed
    }

    /// Sorts the filling block and puts it away: in the spill file when there is one.
    private mutating func storeCurrent() {
        guard !current.isEmpty else { return }
        current.sort()
        if let spill, let offset = spill.append(current) {
            blocks.append(.spilled(spill, offset: offset, count: current.count))
        } else {
            blocks.append(.memory(current))
        }
        current = []
        current.reserveCapacity(Self.blockSize)
    }

    /// Merges the blocks into one sorted run, written after them in the spill file. A reader of one piece
    /// of a split body calls it while the other pieces are still being read, so that the merge left for
    /// ``finish()``, on one core, is of one run per piece. A failed write or read leaves the blocks as they were.
    mutating func compact() {
        storeCurrent()
        guard blocks.count > 1, let spill else { return }
        var run: [UInt64] = []
        run.reserveCapacity(Self.blockSize)
        var start: Int?
        var count = 0
        var ok = true
        let put = {
            guard ok, !run.isEmpty else { return }
            // The file is this reader's own, so each write lands right after the one before.
            if let offset = spill.append(run), offset == (start ?? offset) + count * 8 {
                if start == nil { start = offset }
                count += run.count
            } else {
                ok = false
            }
            run.removeAll(keepingCapacity: true)
        }
        let unread = Self.merge(blocks.map { BlockCursor($0) }) { value in
            run.append(value)
            if run.count == Self.blockSize { put() }
        }
        put()
        guard ok, unread == 0, let start else { return }
        blocks = [.spilled(spill, offset: start, count: count)]
    }

    /// Merges the blocks; returns how many hrefs repeat one before them, named or not (among the hashes
    /// that could be read back: see ``unreadHashes``). Counted from every hash, it is the same however the
    /// body was cut for a split reading; the window only decides which repeats get names.
    mutating func finish() -> Int {
        storeCurrent()
        let cursors = blocks.map { BlockCursor($0) }
        blocks = []
        var previous: UInt64?
        var repeats = 0
        unreadHashes += Self.merge(cursors) { value in
            if value == previous { repeats += 1 }
            previous = value
        }
        return repeats
    }

    /// Visits the values of sorted blocks in order: a k-way merge through a binary min-heap of the
    /// cursors' next values, log k comparisons per hash instead of k. Returns how many values could not
    /// be read back (and were not visited).
    @discardableResult
    private static func merge(_ blocks: [BlockCursor], _ visit: (UInt64) -> Void) -> Int {
        var cursors = blocks
        var heap: [(value: UInt64, cursor: Int)] = []
        heap.reserveCapacity(cursors.count)
        for index in cursors.indices {
            if let value = cursors[index].peek() { heap.append((value, index)) }
        }
        func siftDown(_ start: Int) {
            var parent = start
            let count = heap.count
            while true {
                let left = 2 * parent + 1
                guard left < count else { return }
                var smallest = left
                if left + 1 < count, heap[left + 1].value < heap[left].value { smallest = left + 1 }
                guard heap[smallest].value < heap[parent].value else { return }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        while let top = heap.first {
            visit(top.value)
            cursors[top.cursor].advance()
            if let next = cursors[top.cursor].peek() {
                heap[0].value = next
            } else {
                let last = heap.removeLast()
                if heap.isEmpty { break }
                heap[0] = last
            }
            siftDown(0)
        }
        return cursors.reduce(0) { $0 + $1.unread }
    }
}

/// One sorted block of hashes: in memory, or at an offset of a spill file.
enum HashBlock: Sendable {
    case memory([UInt64])
    case spilled(SpillFile, offset: Int, count: Int)
}

/// Reads a block in order, a few thousand hashes at a time.
struct BlockCursor {
    /// Hashes read back from a spill file at a time (32 KiB).
    private static let hashesPerRead = 4096
    private let block: HashBlock
    private var buffer: [UInt64] = []
    private var index = 0
    private var read = 0
    /// Values of the block lost to a failed read.
    private(set) var unread = 0

    init(_ block: HashBlock) {
        self.block = block
        if case .memory(let values) = block {
            buffer = values
            read = values.count
        }
    }

    mutating func peek() -> UInt64? {
        if index < buffer.count { return buffer[index] }
        guard case .spilled(let file, let offset, let count) = block, read < count else { return nil }
        let want = min(Self.hashesPerRead, count - read)
        guard let values = file.read(at: offset + read * 8, count: want) else {
            unread = count - read
            read = count
            buffer = []
            return nil
        }
        buffer = values
        read += want
        index = 0
        return buffer[0]
    }

    mutating func advance() { index += 1 }
}

/// A temporary file, unlinked as soon as it is made, that holds blocks of hashes out of memory.
/// Each is written by one ``DuplicateHrefs`` only; it is closed when the last block that names it goes.
final class SpillFile: Sendable {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    static func create() -> SpillFile? {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((directory + "/davdoctor-hrefs.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        return SpillFile(fd: fd)
    }

    /// Appends the values; their offset in the file, or nil when the write fails (disk full).
    func append(_ values: [UInt64]) -> Int? {
        let offset = Int(lseek(fd, 0, SEEK_END))
        guard offset >= 0 else { return nil }
        let ok = values.withUnsafeBytes { bytes in
            Self.whole(bytes.count) { done in pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
        }
        return ok ? offset : nil
    }

    /// The values at `offset`; nil when the read fails.
    func read(at offset: Int, count: Int) -> [UInt64]? {
        var values = [UInt64](repeating: 0, count: count)
        let ok = values.withUnsafeMutableBytes { bytes in
            Self.whole(bytes.count) { done in pread(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done)) }
        }
        return ok ? values : nil
    }

    /// Repeats a partial read or write (`step` gets the bytes done so far) until `total` bytes are done;
    /// false on an error or an early end.
    private static func whole(_ total: Int, _ step: (Int) -> Int) -> Bool {
        var done = 0
        while done < total {
            let n = step(done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            done += n
        }
        return true
    }

    deinit { close(fd) }
}
