#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A recoverable fault in an XML body: the reader goes on, and the lint reports it, because it is
/// exactly what a server got wrong (RFC 4918 clients are strict; davdoctor explains instead of failing).
public struct XMLProblem: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A prefix used without an `xmlns:` declaration in scope (catalog PAY-02).
        case unboundPrefix
        /// An entity XML does not define, e.g. an HTML `&Atilde;` (catalog PAY-05).
        case undefinedEntity
        /// A character XML 1.0 §2.2 forbids: a control other than TAB, LF, CR (raw, as in nginx's
        /// `<D:displayname>bell\u{1}.txt</D:displayname>`, or as a reference `&#1;`), U+FFFE, U+FFFF.
        /// `detail` names it: `U+0001`.
        case forbiddenCharacter
        /// Bytes that are not UTF-8 in a document that does not declare Latin-1 (a Latin-1 file name written
        /// raw: `caf\u{E9}.txt`). `detail` names them: `0xE9`, or `0xE2 0x82` for a sequence cut short.
        case invalidUTF8
    }
    public var kind: Kind
    public var detail: String
    /// Absolute byte offset in the document (0 when not known).
    public var offset: Int
    /// The first `<D:href>` of the `<D:response>` it was found in, when a ``MultiStatusParser`` read it
    /// there (as written, entity-decoded; ``Href/displayPath`` shows it).
    public var href: String?

    public init(kind: Kind, detail: String, offset: Int, href: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.offset = offset
        self.href = href
    }
}

/// Receives what ``XMLTokenizer`` reads, one event at a time.
public protocol XMLTokenHandler {
    /// `attributes` excludes namespace declarations. For `<a/>` an ``endElement(_:names:)`` follows at once.
    mutating func startElement(_ name: Int32, attributes: [XMLAttribute], names: XMLNameTable) throws
    mutating func endElement(_ name: Int32, names: XMLNameTable) throws
    /// Raw character data between tags, not yet entity-decoded (``XMLText/decode(_:)`` does that);
    /// one text node may arrive in several pieces. CDATA content arrives with `isCDATA` and needs no decoding.
    /// Always UTF-8 (a Latin-1 document's text is transcoded), though possibly not valid UTF-8: the tokenizer
    /// reports such bytes as ``XMLProblem/Kind/invalidUTF8`` before handing them over.
    mutating func characters(_ raw: UnsafeRawBufferPointer, isCDATA: Bool) throws
    mutating func problem(_ problem: XMLProblem)
    /// Whether character data arriving now would be dropped unread (white space between structural
    /// elements, most often). The tokenizer then makes no call for it; the size limits still apply.
    var ignoresText: Bool { get }
}

extension XMLTokenHandler {
    public var ignoresText: Bool { false }
}

/// A streaming, namespace-aware XML tokenizer over UTF-8 bytes, built for speed and for hostile input.
///
/// Feed it bytes in chunks of any size; it keeps at most one unfinished tag between calls, so memory
/// stays flat whatever the document's size. It never reads a DTD: `<!DOCTYPE` is refused, which also
/// rules out external entities and entity-expansion bombs. Every other bound is in ``XMLLimits``.
///
/// Encodings: UTF-8 (and its ASCII subset), and ISO-8859-1 when the declaration says so (its text is handed
/// on as UTF-8). Characters XML forbids and bytes that are not UTF-8 in text, CDATA and attribute values are
/// reported as problems (``XMLCharacterCheck``) and read on; in names, comments and processing
/// instructions they are not looked for.
public struct XMLTokenizer {
    public let names: XMLNameTable
    public let limits: XMLLimits

    private struct OpenElement {
        var name: Int32
        var rawStart: Int
        var rawCount: Int
        var bindingCount: Int
    }

    private struct Binding {
        var prefixStart: Int
        var prefixCount: Int
        var namespace: Int32
    }

    private var buffer: [UInt8] = []
    private var cursor = 0
    private var bufferOffset = 0
    private var open: [OpenElement] = []
    /// The raw qnames of the open elements, end to end, for matching end tags. A stack that only grows:
    /// `rawNamesCount` bytes are in use, so opening and closing an element copies the name once, no more.
    private var rawNames: [UInt8] = []
    private var rawNamesCount = 0
    /// ``rawNames`` grows by at least this many bytes at a time, so a nest of short names grows it rarely.
    private static let rawNamesGrowth = 256
    private var bindings: [Binding] = []
    private var prefixes: [UInt8] = []
    private var textBytes = 0
    private var sawRoot = false
    private var rootClosed = false
    private var sawBytes = false
    private var pendingAttributes: [(qname: [UInt8], value: String)] = []
    /// Element names resolved under the current namespace bindings, by raw qname: most documents bind
    /// their prefixes once on the root, so each distinct tag is resolved once, not once per occurrence.
    private var nameCacheSlots = [NameCacheSlot](repeating: NameCacheSlot(), count: Self.nameCacheSlotCount)
    private var nameCacheBytes = [UInt8](repeating: 0, count: Self.nameCacheSlotCount * Self.nameCacheLongestName)
    /// The name cache's size: a power of two, so a slot is the top ``nameCacheSlotBits`` of a product.
    static let nameCacheSlotBits = 9
    static let nameCacheSlotCount = 1 << nameCacheSlotBits
    /// Longer qualified names are resolved every time (none of RFC 4918's is longer than 30 bytes with a prefix).
    static let nameCacheLongestName = 48
    private var bindingGeneration = 0
    private var resolveReportedProblem = false
    /// Forbidden characters and bytes that are not UTF-8, in the text read so far.
    private var characterCheck = XMLCharacterCheck()
    /// Text of a Latin-1 document, as UTF-8 for the handler.
    private var transcoded: [UInt8] = []

    private struct NameCacheSlot {
        var generation = -1
        var id: Int32 = 0
        var length = 0
    }

    public init(limits: XMLLimits = XMLLimits(), names: XMLNameTable? = nil) {
        self.limits = limits
        self.names = names ?? XMLNameTable(maxDistinctNames: limits.maxDistinctNames)
        // The `xml` prefix is bound by definition.
        prefixes.append(contentsOf: Array("xml".utf8))
        bindings.append(Binding(prefixStart: 0, prefixCount: 3, namespace: self.names.namespaceID(xmlNamespace)))
    }

    /// Total bytes fed so far.
    public var bytesRead: Int { bufferOffset + buffer.count }
    /// Current element nesting.
    public var depth: Int { open.count }
    /// Bytes fed but not yet read: the start of an unfinished tag, comment or CDATA section.
    public var unreadByteCount: Int { buffer.count - cursor }

    public mutating func feed<H: XMLTokenHandler>(_ bytes: UnsafeRawBufferPointer, into handler: inout H) throws {
        guard !bytes.isEmpty else { return }
        if let max = limits.maxDocumentBytes, bytesRead + bytes.count > max {
            throw DAVCoreError.limit("document size in bytes", max, offset: max)
        }
        if cursor == buffer.count {
            bufferOffset += buffer.count
            buffer.removeAll(keepingCapacity: true)
            cursor = 0
        }
        buffer.append(contentsOf: bytes)
        try process(&handler, final: false)
    }

    public mutating func feed<H: XMLTokenHandler>(_ bytes: [UInt8], into handler: inout H) throws {
        try bytes.withUnsafeBytes { try feed($0, into: &handler) }
    }

    /// Ends the document: anything unfinished is an error (a truncated body most often).
    public mutating func finish<H: XMLTokenHandler>(into handler: inout H) throws {
        try process(&handler, final: true)
        if characterCheck.isPending { characterCheck.finishText(into: &handler) }
        if !sawRoot {
            if !sawBytes { throw DAVCoreError(.emptyInput, "the body is empty: no XML to read") }
            throw DAVCoreError(.notXML, "the body holds no XML element", offset: bytesRead)
        }
        if !open.isEmpty {
            let innermost = names.name(open[open.count - 1].name)
            throw DAVCoreError(
                .truncated,
                "the XML ends before \(open.count) element(s) are closed (innermost \(innermost)): the body looks truncated",
                offset: bytesRead)
        }
    }

    // MARK: - Scanning

    private mutating func process<H: XMLTokenHandler>(_ handler: inout H, final: Bool) throws {
        let data = buffer
        var i = cursor
        defer { cursor = i }
        try data.withUnsafeBufferPointer { p in
            let n = p.count
            guard n > 0, let base = p.baseAddress else { return }
            if !sawBytes, i == 0, bufferOffset == 0 {
                // A UTF-8 byte order mark is allowed before the declaration.
                if n >= 3, p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { i = 3 }
            }
            // The text that ended the last feed stops here, at a tag.
            if characterCheck.isPending, i < n, p[i] == 0x3C { characterCheck.finishText(into: &handler) }
            while i < n {
                if p[i] != 0x3C {
                    // Most text between tags is one line break: no memchr for that.
                    var end = i + 1
                    if end < n, p[end] != 0x3C {
                        let found = memchr(base + end, 0x3C, n - end)
                        end = found.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? n
                    }
                    // Checked whether handed over or not: a value the reader skips is still in the body. The
                    // line break alone between two tags needs no look.
                    if !open.isEmpty, end - i != 1 || p[i] != 0x0A || characterCheck.isPending {
                        characterCheck.scan(base + i, count: end - i, at: bufferOffset + i, references: true, into: &handler)
                        // A `<` ends the text: a UTF-8 sequence still open there is cut short. (Text that runs
                        // to the end of the bytes fed may go on in the next feed.)
                        if end < n, characterCheck.isPending { characterCheck.finishText(into: &handler) }
                    }
                    if handler.ignoresText, !open.isEmpty {
                        // The line breaks between the tags of a listing: counted, not handed over.
                        try countText(end - i, at: i)
                    } else {
                        try text(UnsafeRawBufferPointer(start: base + i, count: end - i), at: i, into: &handler)
                    }
                    i = end
                    continue
                }
                guard i + 1 < n else { break }
                let next = p[i + 1]
                if next == 0x2F {  // </
                    if let end = closesTop(p, at: i) {
                        try closeTop(into: &handler)
                        i = end
                        continue
                    }
                    guard let gt = XMLBytes.find(0x3E, in: p, from: i + 2) else {
                        try needMore(n - i, limit: limits.maxTagBytes, what: "tag length in bytes", final: final, at: i)
                        break
                    }
                    try endTag(UnsafeBufferPointer(rebasing: p[(i + 2)..<gt]), at: i, into: &handler)
                    i = gt + 1
                } else if next == 0x3F {  // <?
                    guard let end = XMLBytes.find(sequence: [0x3F, 0x3E], in: p, from: i + 2) else {
                        try needMore(n - i, limit: limits.maxTagBytes, what: "processing instruction length", final: final, at: i)
                        break
                    }
                    if sawRoot == false && open.isEmpty {
                        try checkDeclaration(UnsafeBufferPointer(rebasing: p[(i + 2)..<end]), at: i)
                    }
                    sawBytes = true
                    i = end + 2
                } else if next == 0x21 {  // <!
                    guard n - i >= 9 else {
                        if final { throw malformed("an unfinished `<!` construct", at: i) }
                        break
                    }
                    if p[i + 2] == 0x2D && p[i + 3] == 0x2D {  // <!--
                        guard let end = XMLBytes.find(sequence: [0x2D, 0x2D, 0x3E], in: p, from: i + 4) else {
                            try needMore(n - i, limit: limits.maxTextBytes, what: "comment length", final: final, at: i)
                            break
                        }
                        sawBytes = true
                        i = end + 3
                    } else if Self.matches(p, at: i + 2, "[CDATA[") {
                        guard !open.isEmpty else { throw malformed("CDATA outside the root element", at: i) }
                        guard let end = XMLBytes.find(sequence: [0x5D, 0x5D, 0x3E], in: p, from: i + 9) else {
                            try needMore(n - i, limit: limits.maxTextBytes, what: "text node size in bytes", final: final, at: i)
                            break
                        }
                        try countText(end - (i + 9), at: i)
                        characterCheck.scan(
                            base + i + 9, count: end - (i + 9), at: bufferOffset + i + 9, references: false,
                            into: &handler)
                        characterCheck.finishText(into: &handler)
                        try handOver(UnsafeRawBufferPointer(start: base + i + 9, count: end - (i + 9)), isCDATA: true, into: &handler)
                        i = end + 3
                    } else if Self.matchesCaseInsensitive(p, at: i + 2, "DOCTYPE") {
                        if n - i >= 14, Self.matchesCaseInsensitive(p, at: i + 10, "html") {
                            throw DAVCoreError(.notXML, "the body is an HTML page, not XML", offset: bufferOffset + i)
                        }
                        throw DAVCoreError(
                            .doctypeRefused,
                            "the XML has a DOCTYPE: DTDs and their entities are never loaded, so the body is refused",
                            offset: bufferOffset + i)
                    } else {
                        throw malformed("an unknown `<!` construct", at: i)
                    }
                } else {
                    // The usual start tag, `<name>` or `<name/>`: its end is found while its name is read and
                    // hashed, in one pass. Anything else (attributes, quotes, a tag not yet complete) takes
                    // the general path below.
                    var j = i + 1
                    var hash: UInt32 = 0
                    while j < n {
                        let b = p[j]
                        // Name bytes are mostly letters, above every byte that ends the fast path.
                        if b <= 0x3E, Self.endsPlainName >> UInt64(b) & 1 != 0 { break }
                        hash = hash &* 31 &+ UInt32(b)
                        j += 1
                    }
                    if j > i + 1, j < n {
                        if p[j] == 0x3E {
                            try plainStartTag(UnsafeBufferPointer(rebasing: p[(i + 1)..<j]), hash: hash, selfClosing: false, at: i, into: &handler)
                            i = j + 1
                            continue
                        }
                        if p[j] == 0x2F, j + 1 < n, p[j + 1] == 0x3E {
                            try plainStartTag(UnsafeBufferPointer(rebasing: p[(i + 1)..<j]), hash: hash, selfClosing: true, at: i, into: &handler)
                            i = j + 2
                            continue
                        }
                    }
                    guard let gt = XMLBytes.tagEnd(in: p, from: i + 1) else {
                        try needMore(n - i, limit: limits.maxTagBytes, what: "tag length in bytes", final: final, at: i)
                        break
                    }
                    try startTag(UnsafeBufferPointer(rebasing: p[(i + 1)..<gt]), at: i, into: &handler)
                    i = gt + 1
                }
            }
        }
        // Keep only the unfinished tail; the processed prefix is dropped so memory stays flat.
        if i > 0 && i == data.count {
            bufferOffset += data.count
            buffer.removeAll(keepingCapacity: true)
            i = 0
        } else if i > 65536 || (i > 0 && final == false && i * 2 > buffer.count) {
            bufferOffset += i
            buffer.removeFirst(i)
            i = 0
        }
    }

    private mutating func needMore(_ pending: Int, limit: Int, what: String, final: Bool, at i: Int) throws {
        if pending > limit { throw DAVCoreError.limit(what, limit, offset: bufferOffset + i) }
        if final {
            throw DAVCoreError(.truncated, "the XML ends inside a tag: the body looks truncated", offset: bufferOffset + i)
        }
    }

    private func malformed(_ what: String, at i: Int) -> DAVCoreError {
        DAVCoreError(.malformedXML, "malformed XML: \(what)", offset: bufferOffset + i)
    }

    /// Adds `count` bytes to the text node being read; throws once it passes ``XMLLimits/maxTextBytes``.
    @inline(__always)
    private mutating func countText(_ count: Int, at i: Int) throws {
        textBytes += count
        if textBytes > limits.maxTextBytes {
            throw DAVCoreError.limit("text node size in bytes", limits.maxTextBytes, offset: bufferOffset + i)
        }
    }

    private mutating func text<H: XMLTokenHandler>(_ raw: UnsafeRawBufferPointer, at i: Int, into handler: inout H) throws {
        if open.isEmpty {
            for byte in raw where !(byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09) {
                if !sawRoot {
                    let preview = String(decoding: raw.prefix(40), as: UTF8.self)
                        .trimmingASCIIWhitespace().replacingNewlines()
                    throw DAVCoreError(.notXML, "the body is not XML: it starts with \"\(preview)\"", offset: bufferOffset + i)
                }
                throw malformed("text after the root element", at: i)
            }
            if !raw.isEmpty { sawBytes = true }
            return
        }
        try countText(raw.count, at: i)
        try handOver(raw, isCDATA: false, into: &handler)
    }

    /// Hands text to the handler, as UTF-8 when the document is Latin-1.
    @inline(__always)
    private mutating func handOver<H: XMLTokenHandler>(_ raw: UnsafeRawBufferPointer, isCDATA: Bool, into handler: inout H) throws {
        if characterCheck.acceptsHighBytes, raw.contains(where: { $0 >= 0x80 }) {
            XMLCharacterCheck.latin1ToUTF8(raw, into: &transcoded)
            try transcoded.withUnsafeBytes { try handler.characters($0, isCDATA: isCDATA) }
        } else {
            try handler.characters(raw, isCDATA: isCDATA)
        }
    }

    private mutating func checkDeclaration(_ body: UnsafeBufferPointer<UInt8>, at i: Int) throws {
        // <?xml version="1.0" encoding="..."?>: only UTF-8 (or its ASCII subset) is read. Compared as
        // bytes: a server parses one small request body per PROPFIND, and Strings cost more than the rest.
        let lower = body.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        guard lower.starts(with: Self.xmlKeyword),
            let at = lower.withUnsafeBufferPointer({ XMLBytes.find(sequence: Self.encodingKeyword, in: $0, from: 0) })
        else { return }
        let rest = lower[(at + Self.encodingKeyword.count)...].drop { $0 == 0x20 || $0 == 0x3D || $0 == 0x22 || $0 == 0x27 }
        let encoding = rest.prefix { $0 != 0x22 && $0 != 0x27 && $0 != 0x20 }
        if Self.latin1Encodings.contains(where: { $0.elementsEqual(encoding) }) {
            // Every byte is a character: none is "not UTF-8" (and text is handed on as UTF-8).
            characterCheck.acceptsHighBytes = true
            return
        }
        if !encoding.isEmpty && !Self.acceptedEncodings.contains(where: { $0.elementsEqual(encoding) }) {
            throw DAVCoreError(
                .unsupportedEncoding, "the XML declares encoding \"\(String(decoding: encoding, as: UTF8.self))\"; only UTF-8 is read",
                offset: bufferOffset + i)
        }
    }

    private static let xmlKeyword = Array("xml".utf8)
    private static let encodingKeyword = Array("encoding".utf8)
    private static let acceptedEncodings = ["utf-8", "utf8", "us-ascii", "ascii"].map { Array($0.utf8) }
    private static let latin1Encodings = ["iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1"].map { Array($0.utf8) }

    // MARK: - Tags

    private mutating func endTag<H: XMLTokenHandler>(_ body: UnsafeBufferPointer<UInt8>, at i: Int, into handler: inout H) throws {
        var count = body.count
        while count > 0, XMLBytes.isSpace(body[count - 1]) { count -= 1 }
        guard count > 0 else { throw malformed("an empty end tag", at: i) }
        guard let top = open.last else { throw malformed("an end tag with no open element", at: i) }
        let same = rawNames.withUnsafeBufferPointer { rawBuf in
            top.rawCount == count && memcmp(rawBuf.baseAddress! + top.rawStart, body.baseAddress!, count) == 0
        }
        if !same {
            let got = String(decoding: UnsafeBufferPointer(rebasing: body[0..<count]), as: UTF8.self)
            let expected = String(decoding: rawNames[top.rawStart..<(top.rawStart + top.rawCount)], as: UTF8.self)
            throw malformed("</\(got)> closes <\(expected)>", at: i)
        }
        try closeTop(into: &handler)
    }

    /// The bytes that end a name on the one-pass path, as bits of a mask: `>`, `/`, quotes, white space.
    private static let endsPlainName: UInt64 =
        1 << 0x3E | 1 << 0x2F | 1 << 0x22 | 1 << 0x27 | 1 << 0x20 | 1 << 0x0A | 1 << 0x09 | 1 << 0x0D

    /// Where `</name>` at `i` ends (just past its `>`) when it closes the innermost element exactly as
    /// written, with no space before `>`: the usual end tag, matched without looking for its `>` first.
    /// Nil sends the tag down the general path, which also reports what is wrong with it. Mutating only so
    /// that calling it does not copy the tokenizer.
    private mutating func closesTop(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard let top = open.last else { return nil }
        let gt = i + 2 + top.rawCount
        guard gt < p.count, p[gt] == 0x3E else { return nil }
        let same = rawNames.withUnsafeBufferPointer { raw in memcmp(raw.baseAddress! + top.rawStart, p.baseAddress! + i + 2, top.rawCount) == 0 }
        return same ? gt + 1 : nil
    }

    private mutating func closeTop<H: XMLTokenHandler>(into handler: inout H) throws {
        let top = open.removeLast()
        rawNamesCount -= top.rawCount
        if bindings.count > top.bindingCount {
            let removed = bindings.count - top.bindingCount
            let firstRemoved = bindings[top.bindingCount]
            bindings.removeLast(removed)
            prefixes.removeLast(prefixes.count - firstRemoved.prefixStart)
            bindingGeneration += 1
        }
        textBytes = 0
        if open.isEmpty { rootClosed = true }
        try handler.endElement(top.name, names: names)
    }

    private mutating func startTag<H: XMLTokenHandler>(_ body: UnsafeBufferPointer<UInt8>, at i: Int, into handler: inout H) throws {
        if rootClosed { throw malformed("a second root element", at: i) }
        if open.count >= limits.maxDepth { throw DAVCoreError.limit("nesting depth", limits.maxDepth, offset: bufferOffset + i) }
        var end = body.count
        var selfClosing = false
        if end > 0 && body[end - 1] == 0x2F {
            selfClosing = true
            end -= 1
        }
        // The element name.
        var j = 0
        while j < end, !XMLBytes.isSpace(body[j]) { j += 1 }
        let nameEnd = j
        guard nameEnd > 0 else { throw malformed("a tag with no name", at: i) }
        guard nameEnd <= limits.maxNameBytes else { throw DAVCoreError.limit("name length in bytes", limits.maxNameBytes, offset: bufferOffset + i) }

        let bindingCount = bindings.count
        if !pendingAttributes.isEmpty { pendingAttributes.removeAll(keepingCapacity: true) }
        // Attributes: namespace declarations are applied first, then every name is resolved.
        while j < end {
            while j < end, XMLBytes.isSpace(body[j]) { j += 1 }
            if j >= end { break }
            let attrStart = j
            while j < end, body[j] != 0x3D, !XMLBytes.isSpace(body[j]) { j += 1 }
            let attrNameEnd = j
            guard attrNameEnd > attrStart else { throw malformed("an attribute with no name", at: i) }
            guard attrNameEnd - attrStart <= limits.maxNameBytes else {
                throw DAVCoreError.limit("name length in bytes", limits.maxNameBytes, offset: bufferOffset + i)
            }
            while j < end, XMLBytes.isSpace(body[j]) { j += 1 }
            guard j < end, body[j] == 0x3D else { throw malformed("an attribute without a value", at: i) }
            j += 1
            while j < end, XMLBytes.isSpace(body[j]) { j += 1 }
            guard j < end, body[j] == 0x22 || body[j] == 0x27 else { throw malformed("an unquoted attribute value", at: i) }
            let quote = body[j]
            j += 1
            let valueStart = j
            while j < end, body[j] != quote { j += 1 }
            guard j < end else { throw malformed("an unterminated attribute value", at: i) }
            let rawValue = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: body[valueStart..<j]))
            j += 1
            if pendingAttributes.count + (bindings.count - bindingCount) >= limits.maxAttributes {
                throw DAVCoreError.limit("attributes on one element", limits.maxAttributes, offset: bufferOffset + i)
            }
            let attrName = UnsafeBufferPointer(rebasing: body[attrStart..<attrNameEnd])
            if !rawValue.isEmpty {
                // The tag body starts just past the `<` at `i`.
                characterCheck.scan(
                    body.baseAddress! + valueStart, count: rawValue.count,
                    at: bufferOffset + i + 1 + valueStart, references: true, into: &handler)
                characterCheck.finishText(into: &handler)
            }
            let decoded: (text: String, undefinedEntity: String?)
            if characterCheck.acceptsHighBytes, rawValue.contains(where: { $0 >= 0x80 }) {
                XMLCharacterCheck.latin1ToUTF8(rawValue, into: &transcoded)
                decoded = transcoded.withUnsafeBytes { XMLText.decode($0) }
            } else {
                decoded = XMLText.decode(rawValue)
            }
            if let undefined = decoded.undefinedEntity {
                handler.problem(XMLProblem(kind: .undefinedEntity, detail: undefined, offset: bufferOffset + i))
            }
            if Self.startsWith(attrName, "xmlns") {
                if attrName.count == 5 {
                    try bind(prefix: UnsafeBufferPointer(rebasing: attrName[5..<5]), to: decoded.text)
                    continue
                } else if attrName[5] == 0x3A {
                    let prefix = UnsafeBufferPointer(rebasing: attrName[6...])
                    guard !prefix.isEmpty, !decoded.text.isEmpty else {
                        throw malformed("an empty namespace declaration", at: i)
                    }
                    try bind(prefix: prefix, to: decoded.text)
                    continue
                }
            }
            pendingAttributes.append((Array(attrName), decoded.text))
        }

        let nameBytes = UnsafeBufferPointer(rebasing: body[0..<nameEnd])
        let nameID = try cachedResolve(nameBytes, hash: Self.nameHash(nameBytes), at: i, into: &handler)
        var attributes: [XMLAttribute] = []
        if !pendingAttributes.isEmpty {
            attributes.reserveCapacity(pendingAttributes.count)
            for pending in pendingAttributes {
                let id = try pending.qname.withUnsafeBufferPointer { try resolve($0, isAttribute: true, at: i, into: &handler) }
                let attribute = XMLAttribute(names.name(id), pending.value)
                if attributes.contains(where: { $0.name == attribute.name }) {
                    throw malformed("the attribute \(attribute.name) appears twice", at: i)
                }
                attributes.append(attribute)
            }
        }

        try openElement(nameBytes, id: nameID, bindingCount: bindingCount, attributes: attributes, selfClosing: selfClosing, into: &handler)
    }

    /// A start tag with no attributes, found by ``process(_:final:)``: `name` is the whole tag body but
    /// the `/` of `<name/>`, and `hash` its ``nameHash(_:)``. The same checks as ``startTag(_:at:into:)``.
    private mutating func plainStartTag<H: XMLTokenHandler>(
        _ name: UnsafeBufferPointer<UInt8>, hash: UInt32, selfClosing: Bool, at i: Int, into handler: inout H
    ) throws {
        if rootClosed { throw malformed("a second root element", at: i) }
        if open.count >= limits.maxDepth { throw DAVCoreError.limit("nesting depth", limits.maxDepth, offset: bufferOffset + i) }
        guard name.count <= limits.maxNameBytes else {
            throw DAVCoreError.limit("name length in bytes", limits.maxNameBytes, offset: bufferOffset + i)
        }
        let nameID = try cachedResolve(name, hash: hash, at: i, into: &handler)
        try openElement(name, id: nameID, bindingCount: bindings.count, attributes: [], selfClosing: selfClosing, into: &handler)
    }

    private mutating func openElement<H: XMLTokenHandler>(
        _ nameBytes: UnsafeBufferPointer<UInt8>, id nameID: Int32, bindingCount: Int, attributes: [XMLAttribute], selfClosing: Bool,
        into handler: inout H
    ) throws {
        let rawStart = rawNamesCount
        pushRawName(nameBytes)
        open.append(OpenElement(name: nameID, rawStart: rawStart, rawCount: nameBytes.count, bindingCount: bindingCount))
        sawRoot = true
        sawBytes = true
        textBytes = 0
        try handler.startElement(nameID, attributes: attributes, names: names)
        if selfClosing { try closeTop(into: &handler) }
    }

    private mutating func pushRawName(_ name: UnsafeBufferPointer<UInt8>) {
        let needed = rawNamesCount + name.count
        if rawNames.count < needed { rawNames.append(contentsOf: repeatElement(0, count: max(needed - rawNames.count, Self.rawNamesGrowth))) }
        let at = rawNamesCount
        rawNames.withUnsafeMutableBufferPointer { _ = memcpy($0.baseAddress! + at, name.baseAddress!, name.count) }
        rawNamesCount = needed
    }

    private mutating func bind(prefix: UnsafeBufferPointer<UInt8>, to uri: String) throws {
        var uri = uri
        let ns = try uri.withUTF8 { try names.namespaceID(bytes: UnsafeRawBufferPointer($0)) }
        let start = prefixes.count
        prefixes.append(contentsOf: prefix)
        bindings.append(Binding(prefixStart: start, prefixCount: prefix.count, namespace: ns))
        bindingGeneration += 1
    }

    /// ``resolve(_:isAttribute:at:into:)`` for element names, through a small direct-mapped cache.
    /// `hash` is the name's ``nameHash(_:)``.
    private mutating func cachedResolve<H: XMLTokenHandler>(
        _ qname: UnsafeBufferPointer<UInt8>, hash: UInt32, at i: Int, into handler: inout H
    ) throws -> Int32 {
        let count = qname.count
        guard count <= Self.nameCacheLongestName else {
            if let fault = Self.nameFault(qname) { throw malformed(fault, at: i) }
            return try resolve(qname, isAttribute: false, at: i, into: &handler)
        }
        // Fibonacci hashing: the top bits of the product spread a document's few dozen names over the
        // slots (the low bits of `hash` put `D:response` and `D:getetag` in one slot).
        let slot = Int((hash &* 0x9E37_79B1) >> UInt32(32 - Self.nameCacheSlotBits))
        let entry = nameCacheSlots[slot]
        if entry.generation == bindingGeneration, entry.length == count,
            nameCacheBytes.withUnsafeBufferPointer({ memcmp($0.baseAddress! + slot * Self.nameCacheLongestName, qname.baseAddress!, count) == 0 })
        {
            return entry.id
        }
        // A name found in the cache was checked when it went in.
        if let fault = Self.nameFault(qname) { throw malformed(fault, at: i) }
        resolveReportedProblem = false
        let id = try resolve(qname, isAttribute: false, at: i, into: &handler)
        if !resolveReportedProblem {
            nameCacheSlots[slot] = NameCacheSlot(generation: bindingGeneration, id: id, length: count)
            nameCacheBytes.withUnsafeMutableBufferPointer {
                _ = memcpy($0.baseAddress! + slot * Self.nameCacheLongestName, qname.baseAddress!, count)
            }
        }
        return id
    }

    /// The name cache's hash of a raw name; ``process(_:final:)`` computes the same while it reads a name.
    private static func nameHash(_ name: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash: UInt32 = 0
        for byte in name { hash = hash &* 31 &+ UInt32(byte) }
        return hash
    }

    /// Resolves `prefix:local` (or `local`) against the bindings in scope. Unprefixed attributes have no namespace.
    private mutating func resolve<H: XMLTokenHandler>(
        _ qname: UnsafeBufferPointer<UInt8>, isAttribute: Bool, at i: Int, into handler: inout H
    ) throws -> Int32 {
        let colon = qname.firstIndex(of: 0x3A)
        let prefix = colon.map { UnsafeBufferPointer(rebasing: qname[..<$0]) } ?? UnsafeBufferPointer(rebasing: qname[0..<0])
        let local = colon.map { UnsafeBufferPointer(rebasing: qname[($0 + 1)...]) } ?? qname
        guard !local.isEmpty else { throw malformed("a name with an empty local part", at: i) }
        var namespace: Int32 = 0
        if colon == nil && isAttribute {
            namespace = 0
        } else if let found = lookup(prefix) {
            namespace = found
        } else if !prefix.isEmpty {
            resolveReportedProblem = true
            handler.problem(
                XMLProblem(kind: .unboundPrefix, detail: String(decoding: qname, as: UTF8.self), offset: bufferOffset + i))
            // `<DAV:getetag/>` (lighttpd) plainly means the DAV: namespace: read it so, after reporting it.
            if prefix.count == 3, prefix[0] == 0x44, prefix[1] == 0x41, prefix[2] == 0x56 {
                namespace = names.namespaceID(DAV.namespace)
            }
        }
        return try names.nameID(namespace: namespace, local: UnsafeRawBufferPointer(local))
    }

    private func lookup(_ prefix: UnsafeBufferPointer<UInt8>) -> Int32? {
        prefixes.withUnsafeBufferPointer { all in
            var index = bindings.count - 1
            while index >= 0 {
                let binding = bindings[index]
                if binding.prefixCount == prefix.count
                    && (prefix.isEmpty || memcmp(all.baseAddress! + binding.prefixStart, prefix.baseAddress!, prefix.count) == 0)
                {
                    return binding.namespace
                }
                index -= 1
            }
            return nil
        }
    }

    /// Why `name` cannot be an element name, or nil.
    private static func nameFault(_ name: UnsafeBufferPointer<UInt8>) -> String? {
        let first = name[0]
        if first == 0x2D || first == 0x2E || (first >= 0x30 && first <= 0x39) || first == 0x3A {
            return "an element name may not start with \"\(Character(UnicodeScalar(first)))\""
        }
        for byte in name where byte == 0x3C || byte == 0x22 || byte == 0x27 || byte == 0x3D || byte == 0x26 {
            return "a character not allowed in a name"
        }
        return nil
    }

    // MARK: - Byte helpers

    private static func matches(_ p: UnsafeBufferPointer<UInt8>, at start: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard start + count <= p.count else { return false }
        let lit = literal.utf8Start
        for k in 0..<count where p[start + k] != lit[k] { return false }
        return true
    }

    private static func matchesCaseInsensitive(_ p: UnsafeBufferPointer<UInt8>, at start: Int, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard start + count <= p.count else { return false }
        let lit = literal.utf8Start
        for k in 0..<count where p[start + k] | 0x20 != lit[k] | 0x20 { return false }
        return true
    }

    private static func startsWith(_ p: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        Self.matches(p, at: 0, literal)
    }
}

extension String {
    func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
