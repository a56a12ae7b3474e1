/// Checks the characters of an XML body as ``XMLTokenizer`` reads it: the controls XML 1.0 §2.2 forbids
/// (U+0000–U+001F but TAB, LF and CR, raw or written as a character reference such as `&#1;`, and U+FFFE,
/// U+FFFF), and bytes that are not UTF-8 (XML 1.0 §4.3.3) in a document that does not declare Latin-1.
///
/// Any one of these makes the document not well-formed, so every strict parser (libxml2, expat, MSXML, Java's,
/// Go's encoding/xml) rejects the whole listing; the tokenizer reports each through
/// ``XMLTokenHandler/problem(_:)`` and reads on.
///
/// Text arrives in pieces (where the fed chunks were cut), so a UTF-8 sequence or a character reference
/// begun at the end of one piece is finished in the next: that state is kept here between pieces, until
/// ``finishText(into:)`` says the text has ended.
///
/// Most text (hrefs, dates, entity tags) is ASCII above the controls: a fast path tests eight bytes at a time
/// and leaves them at once when none needs a look.
struct XMLCharacterCheck {
    /// Latin-1 was declared: every byte from 0x80 up is a character of its own.
    var acceptsHighBytes = false
    /// Whether a UTF-8 sequence or a character reference is unfinished.
    private(set) var isPending = false

    /// Continuation bytes still expected, and the range the next one must be in (UTF-8 Table 3-7).
    private var utf8Need = 0
    private var utf8Low: UInt8 = 0x80
    private var utf8High: UInt8 = 0xBF
    private var utf8Scalar: UInt32 = 0
    /// The sequence's bytes so far (at most three, the first in the high byte), and where it began.
    private var utf8Bytes: UInt32 = 0
    private var utf8Count = 0
    private var utf8Start = 0

    private enum Reference: UInt8 {
        case none, ampersand, hash, hexStart, hexDigits, decimalDigits
    }
    private var reference = Reference.none
    private var referenceValue: UInt32 = 0
    private var referenceLength = 0
    private var referenceStart = 0
    /// ``XMLText/decode(_:)`` reads a reference only when its `;` comes within this many bytes of its `&`.
    private static let maxReferenceLength = 40

    /// Checks `count` bytes at `base`, whose first byte is at absolute `offset` in the document.
    /// `references`: `&#N;` is a reference here (text and attribute values; not CDATA).
    @inline(__always)
    mutating func scan<H: XMLTokenHandler>(
        _ base: UnsafePointer<UInt8>, count: Int, at offset: Int, references: Bool, into handler: inout H
    ) {
        var k = 0
        if isPending { k = slowPath(base, from: 0, count: count, at: offset, references: references, into: &handler) }
        while k < count {
            k = Self.firstNeedingLook(base, from: k, count: count, references: references, highBytes: !acceptsHighBytes)
            if k >= count { return }
            k = slowPath(base, from: k, count: count, at: offset, references: references, into: &handler)
        }
    }

    /// The text (or CDATA section, or attribute value) has ended: a UTF-8 sequence still open is cut short.
    mutating func finishText<H: XMLTokenHandler>(into handler: inout H) {
        guard isPending else { return }
        if utf8Need > 0 { reportBrokenSequence(into: &handler) }
        reference = .none
        isPending = false
    }

    /// Where the first byte at or after `start` is that needs a look: a control other than TAB, LF, CR; `&`
    /// when `references`; a byte from 0x80 up when `highBytes`. `count` when there is none.
    ///
    /// Eight bytes at a time, the last word of the run read where it ends (overlapping the one before);
    /// byte by byte only for a run shorter than a word.
    @inline(__always)
    static func firstNeedingLook(
        _ p: UnsafePointer<UInt8>, from start: Int, count n: Int, references: Bool, highBytes: Bool
    ) -> Int {
        var k = start
        guard n - k >= 8 else {
            while k < n {
                let b = p[k]
                // 0x20 to 0x7F in one comparison.
                if b &- 0x20 < 0x60 {
                    if references && b == 0x26 { return k }
                } else if needsLook(b, references: references, highBytes: highBytes) {
                    return k
                }
                k += 1
            }
            return n
        }
        let raw = UnsafeRawPointer(p)
        while true {
            var word = k
            var marks: UInt64
            if n - k >= 8 {
                marks = Self.marks(raw.loadUnaligned(fromByteOffset: k, as: UInt64.self), references: references)
            } else {
                // The run's last eight bytes; those before `k` are looked at already.
                word = n - 8
                marks = Self.marks(raw.loadUnaligned(fromByteOffset: word, as: UInt64.self), references: references)
                marks &= ~0 << UInt64((k - word) &* 8)
            }
            if marks != 0 {
                // A mark may be white space, or a high byte under Latin-1: the rest of the word byte by byte.
                let end = word + 8
                var j = word + marks.trailingZeroBitCount >> 3
                while j < end {
                    if needsLook(p[j], references: references, highBytes: highBytes) { return j }
                    j += 1
                }
            }
            k = word + 8
            if k >= n { return n }
        }
    }

    /// The high bit of each byte of `x` (read little-endian) from 0x80 up or below 0x20, and of each `&` when
    /// `references`. A borrow only ever marks a byte after a byte below 0x20, so the first mark is right or
    /// follows white space (which the byte-wise look then passes over).
    @inline(__always)
    private static func marks(_ loaded: UInt64, references: Bool) -> UInt64 {
        let x = UInt64(littleEndian: loaded)
        var marks = x | ((x &- 0x2020_2020_2020_2020) & ~x)
        if references {
            let y = x ^ 0x2626_2626_2626_2626
            marks |= (y &- 0x0101_0101_0101_0101) & ~y
        }
        return marks & 0x8080_8080_8080_8080
    }

    @inline(__always)
    private static func needsLook(_ b: UInt8, references: Bool, highBytes: Bool) -> Bool {
        if b < 0x20 { return isForbiddenControl(b) }
        if b >= 0x80 { return highBytes }
        return references && b == 0x26
    }

    /// U+0000–U+001F but TAB, LF and CR: bit `b` of the mask.
    @inline(__always)
    static func isForbiddenControl(_ b: UInt8) -> Bool {
        (0xFFFF_D9FF as UInt32) >> UInt32(b) & 1 != 0
    }

    /// Reads bytes one at a time from `start` until no sequence or reference is open; returns where the
    /// fast path goes on (`count` when the piece ends first, with the state kept for the next piece).
    @inline(never)
    private mutating func slowPath<H: XMLTokenHandler>(
        _ p: UnsafePointer<UInt8>, from start: Int, count n: Int, at offset: Int, references: Bool, into handler: inout H
    ) -> Int {
        var k = start
        while k < n {
            let b = p[k]
            if utf8Need > 0 {
                if b >= utf8Low && b <= utf8High {
                    utf8Bytes = utf8Bytes << 8 | UInt32(b)
                    utf8Count += 1
                    utf8Scalar = utf8Scalar << 6 | UInt32(b & 0x3F)
                    utf8Low = 0x80
                    utf8High = 0xBF
                    utf8Need -= 1
                    k += 1
                    if utf8Need == 0 {
                        isPending = false
                        if utf8Scalar == 0xFFFE || utf8Scalar == 0xFFFF {
                            report(.forbiddenCharacter, Self.codePoint(utf8Scalar), at: utf8Start, into: &handler)
                        }
                        return k
                    }
                    continue
                }
                // Not the continuation expected: the sequence is broken, and `b` is read as a byte of its own.
                reportBrokenSequence(into: &handler)
                isPending = false
            } else if reference != .none {
                if advanceReference(b, at: offset + k, into: &handler) {
                    k += 1
                    if reference == .none {
                        isPending = false
                        return k
                    }
                    continue
                }
                // Not a character reference (a named entity, a bare `&`): XMLText reports those when it
                // decodes. `b` is read as a byte of its own.
                reference = .none
                isPending = false
            }
            // A byte on its own, no sequence open.
            if b < 0x80 {
                if b == 0x26 {
                    guard references else { return k + 1 }
                    reference = .ampersand
                    referenceStart = offset + k
                    referenceLength = 1
                    referenceValue = 0
                    isPending = true
                    k += 1
                    continue
                }
                if b < 0x20, Self.isForbiddenControl(b) {
                    report(.forbiddenCharacter, Self.codePoint(UInt32(b)), at: offset + k, into: &handler)
                }
                return k + 1
            }
            if acceptsHighBytes { return k + 1 }
            switch b {
            case 0xC2...0xDF: startSequence(need: 1)
            case 0xE0: startSequence(need: 2, low: 0xA0)
            case 0xED: startSequence(need: 2, high: 0x9F)  // not the surrogates
            case 0xE1...0xEF: startSequence(need: 2)
            case 0xF0: startSequence(need: 3, low: 0x90)
            case 0xF4: startSequence(need: 3, high: 0x8F)  // not above U+10FFFF
            case 0xF1...0xF3: startSequence(need: 3)
            default:
                // A continuation byte with no lead, an overlong lead (0xC0, 0xC1) or 0xF5 and up.
                report(.invalidUTF8, Self.hex(UInt32(b), count: 1), at: offset + k, into: &handler)
                return k + 1
            }
            let leadBits: UInt8 = utf8Need == 1 ? 0x1F : (utf8Need == 2 ? 0x0F : 0x07)
            utf8Scalar = UInt32(b & leadBits)
            utf8Bytes = UInt32(b)
            utf8Count = 1
            utf8Start = offset + k
            isPending = true
            k += 1
        }
        return n
    }

    @inline(__always)
    private mutating func startSequence(need: Int, low: UInt8 = 0x80, high: UInt8 = 0xBF) {
        utf8Need = need
        utf8Low = low
        utf8High = high
    }

    private mutating func reportBrokenSequence<H: XMLTokenHandler>(into handler: inout H) {
        report(.invalidUTF8, Self.hex(utf8Bytes, count: utf8Count), at: utf8Start, into: &handler)
        utf8Need = 0
    }

    /// Takes `b` into the reference being read; false when `b` shows it is no character reference.
    private mutating func advanceReference<H: XMLTokenHandler>(_ b: UInt8, at offset: Int, into handler: inout H) -> Bool {
        referenceLength += 1
        guard referenceLength <= Self.maxReferenceLength else { return false }
        switch reference {
        case .none:
            return false
        case .ampersand:
            guard b == 0x23 else { return false }  // #
            reference = .hash
        case .hash:
            if b == 0x78 || b == 0x58 {  // x, X (XMLText reads both)
                reference = .hexStart
            } else if b >= 0x30 && b <= 0x39 {
                reference = .decimalDigits
                referenceValue = UInt32(b - 0x30)
            } else {
                return false
            }
        case .hexStart, .hexDigits:
            if let digit = Hex.value(b) {
                reference = .hexDigits
                referenceValue = min(referenceValue &* 16 &+ UInt32(digit), 0x11_0000)
            } else if b == 0x3B, reference == .hexDigits {
                endReference(into: &handler)
            } else {
                return false
            }
        case .decimalDigits:
            if b >= 0x30 && b <= 0x39 {
                referenceValue = min(referenceValue &* 10 &+ UInt32(b - 0x30), 0x11_0000)
            } else if b == 0x3B {
                endReference(into: &handler)
            } else {
                return false
            }
        }
        return true
    }

    private mutating func endReference<H: XMLTokenHandler>(into handler: inout H) {
        let v = referenceValue
        reference = .none
        // XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
        let allowed =
            v == 0x09 || v == 0x0A || v == 0x0D || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD)
            || (v >= 0x1_0000 && v <= 0x10_FFFF)
        if !allowed { report(.forbiddenCharacter, Self.codePoint(v), at: referenceStart, into: &handler) }
    }

    private func report<H: XMLTokenHandler>(_ kind: XMLProblem.Kind, _ detail: String, at offset: Int, into handler: inout H) {
        handler.problem(XMLProblem(kind: kind, detail: detail, offset: offset))
    }

    /// `U+0001`, `U+FFFE`, `U+110000` (a reference past Unicode).
    static func codePoint(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `0xE9`, or `0xC3 0x28`-style for several bytes: the last `count` bytes of `packed`, first byte highest.
    static func hex(_ packed: UInt32, count: Int) -> String {
        var parts: [String] = []
        for index in stride(from: count - 1, through: 0, by: -1) {
            parts.append("0x" + Hex.string([UInt8(truncatingIfNeeded: packed >> UInt32(8 * index))], uppercase: true))
        }
        return parts.joined(separator: " ")
    }

    /// Latin-1 bytes as UTF-8 (each byte from 0x80 up becomes two), for a document that declares Latin-1.
    static func latin1ToUTF8(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(raw.count * 2)
        for b in raw {
            if b < 0x80 {
                out.append(b)
            } else {
                out.append(0xC0 | b >> 6)
                out.append(0x80 | b & 0x3F)
            }
        }
    }
}
