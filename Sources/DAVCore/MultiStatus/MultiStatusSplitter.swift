/// Finds places where a large multistatus body can be cut into pieces that parse independently: just
/// before a `<D:response>` start tag, found by its bytes. Each piece after the first is read as the
/// prelude (everything up to the end of the root's start tag, so every namespace the root declares is in
/// scope) followed by its own bytes.
///
/// A cut found by bytes alone could fall inside a comment or CDATA section; the reader of the piece
/// before it proves the cut by ending exactly between two responses (``MultiStatusParser/isBetweenResponses``),
/// and the caller reads the body in one piece when any proof fails.
public enum MultiStatusSplitter {
    /// The prelude's length and the raw tag (`<D:response`) that opens a response, from the first bytes
    /// of a body; nil when the body does not start with a root element that can hold responses.
    public static func prelude(_ raw: UnsafeRawBufferPointer) -> (length: Int, responseTag: [UInt8])? {
        let head = raw.assumingMemoryBound(to: UInt8.self)
        let n = head.count
        var i = 0
        if n >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF { i = 3 }
        while true {
            while i < n, XMLBytes.isSpace(head[i]) { i += 1 }
            guard i + 1 < n, head[i] == 0x3C else { return nil }
            if head[i + 1] == 0x3F {  // <?...?>
                guard let end = XMLBytes.find(sequence: [0x3F, 0x3E], in: head, from: i + 2) else { return nil }
                i = end + 2
            } else if head[i + 1] == 0x21 {  // only comments; a DOCTYPE is refused by the reader itself
                guard i + 3 < n, head[i + 2] == 0x2D, head[i + 3] == 0x2D,
                    let end = XMLBytes.find(sequence: [0x2D, 0x2D, 0x3E], in: head, from: i + 4)
                else { return nil }
                i = end + 3
            } else {
                break
            }
        }
        // The root's start tag: its name, then attributes up to the closing `>` outside quotes.
        let nameStart = i + 1
        var j = nameStart
        while j < n, !XMLBytes.isSpace(head[j]), head[j] != 0x3E, head[j] != 0x2F { j += 1 }
        guard j > nameStart, j < n else { return nil }
        let name = Array(head[nameStart..<j])
        // Unfinished, a `<` inside the tag, or an empty root `<D:multistatus/>`: nothing to cut.
        guard let end = XMLBytes.tagEnd(in: head, from: j), head[end] == 0x3E, head[end - 1] != 0x2F else { return nil }
        var tag: [UInt8] = [0x3C]
        if let colon = name.firstIndex(of: 0x3A) { tag += name[...colon] }
        tag += Array("response".utf8)
        return (end + 1, tag)
    }

    /// Up to `pieces - 1` cut offsets within `region`, each just before `responseTag` followed by `>`, `/`
    /// or white space, near equal fractions of the body and after `after`; in increasing order.
    public static func cuts(
        in region: CaptureReader.PlainBodyRegion, pieces: Int, after: Int, responseTag: [UInt8], searchWindow: Int = 4 << 20
    ) throws -> [Int] {
        guard pieces > 1 else { return [] }
        var cuts: [Int] = []
        for k in 1..<pieces {
            let target = max(region.count * k / pieces, (cuts.last ?? after) + 1)
            guard target < region.count else { break }
            let window = min(searchWindow + responseTag.count + 1, region.count - target)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(window)
            try region.read(target..<(target + window)) { bytes.append(contentsOf: $0) }
            let found = bytes.withUnsafeBytes { findTag(responseTag, in: $0) }
            if let found { cuts.append(target + found) }
        }
        return cuts
    }

    /// How many times `tag` (followed by a byte that ends a name) occurs in `bytes`.
    public static func count(_ tag: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int {
        var total = 0
        var from = 0
        while from < bytes.count, let at = findTag(tag, in: UnsafeRawBufferPointer(rebasing: bytes[from...])) {
            total += 1
            from += at + tag.count
        }
        return total
    }

    /// The first `tag` in `bytes` followed by a byte that ends a name.
    static func findTag(_ tag: [UInt8], in raw: UnsafeRawBufferPointer) -> Int? {
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        var from = 0
        while let at = XMLBytes.find(sequence: tag, in: bytes, from: from) {
            let next = at + tag.count
            guard next < bytes.count else { return nil }
            let byte = bytes[next]
            if byte == 0x3E || byte == 0x2F || XMLBytes.isSpace(byte) { return at }
            from = at + 1
        }
        return nil
    }
}
