/// Finds hrefs that occur more than once in a stream of millions, in about 8 bytes per response.
///
/// Every href's 64-bit hash is kept in sorted blocks; ``finish()`` merges the blocks and counts repeats.
/// Repeats close together (the usual server bug: the self entry twice) are also caught at once through a
/// window of the last 64 hrefs, which is how they get their names. Past 8 million responses the check
/// stops (64 MB of hashes) and says so through ``isSaturated``.
struct DuplicateHrefs: Sendable {
    private static let blockSize = 1 << 16
    private static let maxHashes = 8_000_000
    private var blocks: [[UInt64]] = []
    private var current: [UInt64] = []
    private var recentHashes = [UInt64](repeating: 0, count: 64)
    private var recentPaths = [String](repeating: "", count: 64)
    private var recentNext = 0
    private var named = Set<UInt64>()
    private(set) var isSaturated = false
    private var total = 0

    /// Adds a (normalised) path; returns it when it is a repeat of one seen recently.
    mutating func insert(_ path: String) -> String? {
        guard !isSaturated else { return nil }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        total += 1
        if total > Self.maxHashes {
            isSaturated = true
            return nil
        }
        current.append(h)
        if current.count == Self.blockSize {
            current.sort()
            blocks.append(current)
            current = []
            current.reserveCapacity(Self.blockSize)
        }
        for k in 0..<recentHashes.count where recentHashes[k] == h && recentPaths[k] == path {
            named.insert(h)
            return path
        }
        recentHashes[recentNext] = h
        recentPaths[recentNext] = path
        recentNext = (recentNext + 1) & 63
        return nil
    }

    /// Merges the blocks; returns how many repeats were found beyond those already named.
    mutating func finish() -> Int {
        current.sort()
        var all = blocks
        if !current.isEmpty { all.append(current) }
        blocks = []
        current = []
        var heads = Array(repeating: 0, count: all.count)
        var previous: UInt64?
        var repeats = 0
        var repeatsOfNamed = 0
        // k-way merge by repeated minimum: k is small (one block per 65,536 hrefs).
        while true {
            var best = -1
            var bestValue = UInt64.max
            for (index, block) in all.enumerated() where heads[index] < block.count {
                if best < 0 || block[heads[index]] < bestValue {
                    best = index
                    bestValue = block[heads[index]]
                }
            }
            if best < 0 { break }
            heads[best] += 1
            if bestValue == previous {
                if named.contains(bestValue) { repeatsOfNamed += 1 } else { repeats += 1 }
            }
            previous = bestValue
        }
        _ = repeatsOfNamed
        return repeats
    }
}
