/// An open-addressing hash table from (tag, bytes) to a small integer id, so the XML reader can turn
/// a raw element name into a stable id without allocating a String for every tag it reads.
struct ByteInterner {
    private struct Entry {
        var hash: UInt64
        var tag: Int32
        var start: Int32
        var count: Int32
    }

    private var arena: [UInt8] = []
    private var entries: [Entry] = []
    /// Slots to start with: a power of two (slots are found by masking), doubled when half full.
    private static let initialSlots = 256
    private var slots: [Int32] = Array(repeating: -1, count: initialSlots)

    var count: Int { entries.count }

    static func hash(_ bytes: UnsafeRawBufferPointer, tag: Int32) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(UInt32(bitPattern: tag))
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    /// The id of `bytes` under `tag`, inserting it when new. Ids count up from 0 in insertion order. With
    /// `limit` ids handed out already, new bytes get nil and leave no entry behind: one kept would answer
    /// the next lookup with an id its owner never recorded.
    mutating func intern(_ bytes: UnsafeRawBufferPointer, tag: Int32, limit: Int = .max) -> (id: Int32, inserted: Bool)? {
        let h = Self.hash(bytes, tag: tag)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let index = slots[slot]
            if index < 0 { break }
            let entry = entries[Int(index)]
            if entry.hash == h && entry.tag == tag && Int(entry.count) == bytes.count {
                let same = arena.withUnsafeBytes { arenaBytes in
                    bytes.count == 0 || memcmp(arenaBytes.baseAddress! + Int(entry.start), bytes.baseAddress!, bytes.count) == 0
                }
                if same { return (index, false) }
            }
            slot = (slot + 1) & mask
        }
        guard entries.count < limit else { return nil }
        let id = Int32(entries.count)
        entries.append(Entry(hash: h, tag: tag, start: Int32(arena.count), count: Int32(bytes.count)))
        arena.append(contentsOf: bytes)
        slots[slot] = id
        if entries.count * 2 > slots.count { grow() }
        return (id, true)
    }

    private mutating func grow() {
        var newSlots = [Int32](repeating: -1, count: slots.count * 2)
        let mask = newSlots.count - 1
        for (index, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while newSlots[slot] >= 0 { slot = (slot + 1) & mask }
            newSlots[slot] = Int32(index)
        }
        slots = newSlots
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
