#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte scans over UTF-8 markup, shared by ``XMLTokenizer`` and ``MultiStatusSplitter``: functions of a
/// buffer, so that both can call them.
enum XMLBytes {
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    static func find(_ byte: UInt8, in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < p.count, let base = p.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), p.count - start) else { return nil }
        return UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
    }

    /// The first `sequence` at or after `start` (memchr for its first byte, then the rest compared).
    static func find(sequence: [UInt8], in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var from = start
        while let at = find(sequence[0], in: p, from: from) {
            if at + sequence.count > p.count { return nil }
            var ok = true
            for k in 1..<sequence.count where p[at + k] != sequence[k] {
                ok = false
                break
            }
            if ok { return at }
            from = at + 1
        }
        return nil
    }

    /// The `>` that ends a start tag, skipping any inside quoted attribute values; or the `<` of a tag
    /// that is never closed (the caller reports it); nil when the buffer ends first.
    static func tagEnd(in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let gt = find(0x3E, in: p, from: start), let base = p.baseAddress else { return nil }
        // Most tags hold no quote: two memchr calls say so faster than a loop over the bytes.
        let quoted = memchr(base + start, 0x22, gt - start) != nil || memchr(base + start, 0x27, gt - start) != nil
        if !quoted { return gt }
        var k = start
        var quote: UInt8 = 0
        while k < p.count {
            let b = p[k]
            if quote != 0 {
                if b == quote { quote = 0 }
            } else if b == 0x22 || b == 0x27 {
                quote = b
            } else if b == 0x3E || b == 0x3C {
                return k
            }
            k += 1
        }
        return nil
    }
}
