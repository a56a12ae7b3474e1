/// A set of bytes as a 256-bit map: a hot scanning loop asks it about every byte, and a test of one bit
/// is cheaper than a chain of comparisons.
struct ByteSet: Sendable {
    private var low: UInt64 = 0
    private var mid: UInt64 = 0
    private var high: UInt64 = 0
    private var top: UInt64 = 0

    init() {}

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: low |= bit
        case 1: mid |= bit
        case 2: high |= bit
        default: top |= bit
        }
    }

    @inline(__always) func contains(_ byte: UInt8) -> Bool {
        let word: UInt64
        switch byte >> 6 {
        case 0: word = low
        case 1: word = mid
        case 2: word = high
        default: word = top
        }
        return word >> UInt64(byte & 63) & 1 != 0
    }
}
