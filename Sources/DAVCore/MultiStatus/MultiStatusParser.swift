/// Reads a `<D:multistatus>` body as a stream and hands out one ``Response`` at a time.
///
/// Memory stays flat whatever the body's size: only the response being read and one unfinished tag are
/// held. Namespace-correct (any prefix, default namespaces, the bare `DAV:` URI) and bounded by ``XMLLimits``.
///
/// Lenient where a server's mistake is the diagnosis rather than a reason to stop: an unbound prefix,
/// an undefined entity, a character XML forbids, bytes that are not UTF-8 or a root outside `DAV:` are
/// recorded in ``problems`` and the reading goes on.
///
/// ```swift
/// var parser = MultiStatusParser()
/// try parser.feed(chunk) { response in print(response.href ?? "?", response.resourceStatus ?? 0) }
/// let trailer = try parser.finish { response in … }
/// ```
public struct MultiStatusParser {
    private var tokenizer: XMLTokenizer
    private var handler: MultiStatusHandler

    /// - Parameter keepingValueTrees: property values with child elements are kept only for these names
    ///   (nil keeps them all). Text values are always kept. Analysis keeps just `resourcetype`, which
    ///   saves building trees such as `supportedlock` for every one of millions of responses.
    /// - Parameter keepingValuesOf: properties whose values are read at all (nil reads every value); the
    ///   others come out with their names and statuses only. A reader that looks at a handful of values
    ///   (dates, entity tags, sizes) saves decoding and storing every display name and content type.
    /// - Parameter recyclingResponses: for a reader that keeps no ``Response`` it is handed (nor any of its
    ///   arrays) past its `onResponse` call: each response's arrays are emptied afterwards and filled again
    ///   for a later response, instead of being freed and allocated anew for every one of millions.
    public init(
        limits: XMLLimits = XMLLimits(), keepingValueTrees: Set<QualifiedName>? = nil, keepingValuesOf: Set<QualifiedName>? = nil,
        recyclingResponses: Bool = false
    ) {
        tokenizer = XMLTokenizer(limits: limits)
        handler = MultiStatusHandler(names: tokenizer.names, maxResponseBytes: limits.maxResponseBytes)
        recycles = recyclingResponses
        if let keepingValueTrees {
            handler.keepTrees = NameIDSet(keepingValueTrees.map { tokenizer.names.id(of: $0) })
        }
        if let keepingValuesOf {
            handler.keepValues = NameIDSet(keepingValuesOf.map { tokenizer.names.id(of: $0) })
        }
    }

    /// Recoverable faults kept as ``problems`` (all are counted): a broken body can hold one per byte.
    public static let problemLimit = 1000

    public var bytesRead: Int { tokenizer.bytesRead }
    public var responsesRead: Int { handler.responseCount }
    /// Recoverable faults seen so far (the first ``problemLimit``; ``problemCount`` counts them all). One found inside
    /// a `<D:response>` carries that response's href (``XMLProblem/href``), known once the response has
    /// ended; one in a response still being read carries its href if already read.
    public var problems: [XMLProblem] { handler.allProblems }
    public var problemCount: Int { handler.problemCount }
    /// The root element's name, once read.
    public var rootName: QualifiedName? { handler.rootName }
    /// The document's `<D:sync-token>` (RFC 6578), once read.
    public var syncToken: String? { handler.syncToken }
    /// Whether the bytes fed so far end exactly between two members of the root: no element but the root
    /// open, nothing unfinished. A body cut at such a place can be read in independent pieces.
    public var isBetweenResponses: Bool {
        tokenizer.depth == 1 && tokenizer.unreadByteCount == 0 && handler.isAtTopLevel
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer, onResponse: (Response) throws -> Void) throws {
        do {
            try tokenizer.feed(bytes, into: &handler)
        } catch {
            // The responses completed before the break in this same piece are still handed out: the report
            // shows what was read up to the fault.
            try drain(onResponse)
            throw error
        }
        try drain(onResponse)
    }

    public mutating func feed(_ bytes: [UInt8], onResponse: (Response) throws -> Void) throws {
        try bytes.withUnsafeBytes { try feed($0, onResponse: onResponse) }
    }

    /// Ends the body; throws if it was truncated or held no multistatus.
    @discardableResult
    public mutating func finish(onResponse: (Response) throws -> Void) throws -> MultiStatus {
        do {
            try tokenizer.finish(into: &handler)
        } catch {
            try drain(onResponse)
            throw error
        }
        try drain(onResponse)
        return MultiStatus(responses: [], responseDescription: handler.topDescription, syncToken: handler.syncToken)
    }

    /// Responses handed out are taken from a second buffer swapped with the handler's, so neither buffer
    /// is reallocated and no response is copied on its way out.
    private var handedOut: [Response] = []
    private let recycles: Bool

    private mutating func drain(_ onResponse: (Response) throws -> Void) throws {
        guard !handler.ready.isEmpty else { return }
        swap(&handedOut, &handler.ready)
        defer {
            if recycles { handler.recycle(&handedOut) }
            handedOut.removeAll(keepingCapacity: true)
        }
        for index in handedOut.indices { try onResponse(handedOut[index]) }
    }

    /// Reads a whole body held in memory (small documents and tests).
    public static func parse(_ bytes: [UInt8], limits: XMLLimits = XMLLimits()) throws -> (MultiStatus, [XMLProblem]) {
        var parser = MultiStatusParser(limits: limits)
        var responses: [Response] = []
        try parser.feed(bytes) { responses.append($0) }
        var document = try parser.finish { responses.append($0) }
        document.responses = responses
        return (document, parser.problems)
    }

    public static func parse(_ text: String, limits: XMLLimits = XMLLimits()) throws -> MultiStatus {
        try parse(Array(text.utf8), limits: limits).0
    }
}

/// Turns tokenizer events into ``Response`` values. Structural elements are matched in the root's own
/// namespace, so a multistatus whose prefixes are unbound is still read (and reported).
struct MultiStatusHandler: XMLTokenHandler {
    private enum TextTarget {
        case href, status, responseDescription, propstatStatus, propstatDescription, topDescription, syncToken
    }

    private enum TreeTarget {
        case property, responseError, propstatError, location
    }

    private enum Mode {
        case structure
        case text(TextTarget)
        case tree(TreeTarget, depth: Int)
        case skip(depth: Int)
        /// A property whose value has been text only so far.
        case propertyText(depth: Int)
        /// A property whose tree is not kept: its value is dropped.
        case skipProperty(depth: Int)
    }

    private struct Structural {
        var multistatus: Int32, response: Int32, href: Int32, status: Int32, propstat: Int32, prop: Int32
        var error: Int32, responseDescription: Int32, location: Int32, syncToken: Int32
    }

    let names: XMLNameTable
    let maxResponseBytes: Int
    /// Set once the root is read.
    private var structural: Structural?
    private var hasRoot: Bool { structural != nil }
    private(set) var rootName: QualifiedName?
    private var depth = 0
    private var mode = Mode.structure
    private var text: [UInt8] = []
    private var tree = TreeBuilder(strict: false)
    private var current: Response?
    private var currentPropStat: PropStat?
    /// Whether `current` and `currentPropStat` are set: tested for every element, and testing an optional
    /// of these large structs copies them (17 % more instructions a response without these flags;
    /// scripts/bench/instructions.sh holds it).
    private var inResponse = false
    private var inPropStat = false
    private var responseBytes = 0
    private var propertyName: Int32 = 0
    private var propertyAttributes: [XMLAttribute] = []
    private var scratchProperties: [Property] = []
    var keepTrees = NameIDSet.all
    var keepValues = NameIDSet.all

    var ready: [Response] = []
    /// Emptied arrays of responses already handed out (``recycle(_:)``), for the next ones to fill.
    private var spareHrefs: [[String]] = []
    private var sparePropStats: [[PropStat]] = []
    private var spareProperties: [[Property]] = []
    /// Spares kept at most: about what one chunk of input holds, so memory stays flat.
    private static let spareLimit = 1024
    private(set) var responseCount = 0
    private(set) var problems: [XMLProblem] = []
    private(set) var problemCount = 0
    /// Problems found inside the response being read: they get its href when it ends (the href may come
    /// after them, or hold them).
    private var responseProblems: [XMLProblem] = []
    private(set) var topDescription: String?
    private(set) var syncToken: String?

    var isAtTopLevel: Bool {
        guard case .structure = mode, !inResponse, depth == 1 else { return false }
        return true
    }

    init(names: XMLNameTable, maxResponseBytes: Int) {
        self.names = names
        self.maxResponseBytes = maxResponseBytes
    }

    private func structural(in namespace: String) -> Structural {
        func id(_ local: String) -> Int32 { names.id(of: QualifiedName(namespace, local)) }
        return Structural(
            multistatus: id("multistatus"), response: id("response"), href: id("href"), status: id("status"),
            propstat: id("propstat"), prop: id("prop"), error: id("error"), responseDescription: id("responsedescription"),
            location: id("location"), syncToken: id("sync-token"))
    }

    mutating func startElement(_ name: Int32, attributes: [XMLAttribute], names: XMLNameTable) throws {
        depth += 1
        responseBytes += 32
        switch mode {
        case .tree(_, _):
            try tree.startElement(name, attributes: attributes, names: names)
            try checkResponseSize()
            return
        case .skip, .text, .skipProperty:
            // Markup inside text-only elements (e.g. <href><b>x</b></href>) is skipped but its text kept.
            return
        case .propertyText(let propertyDepth):
            if !keepTrees.contains(propertyName) {
                mode = .skipProperty(depth: propertyDepth)
                return
            }
            tree.reset()
            try tree.startElement(propertyName, attributes: propertyAttributes, names: names)
            if !text.isEmpty { try text.withUnsafeBytes { try tree.characters($0, isCDATA: false) } }
            try tree.startElement(name, attributes: attributes, names: names)
            mode = .tree(.property, depth: propertyDepth)
            try checkResponseSize()
            return
        case .structure:
            break
        }
        guard hasRoot else {
            let qname = names.name(name)
            guard qname.name == "multistatus" else {
                if qname == DAV.error {
                    throw DAVCoreError(.notMultiStatus, "the body is a {DAV:}error document, not a multistatus")
                }
                throw DAVCoreError(.notMultiStatus, "the root element is \(qname), not {DAV:}multistatus")
            }
            rootName = qname
            structural = structural(in: qname.namespace)
            return
        }
        guard let structural else { return }
        switch depth {
        case 2:
            if name == structural.response {
                var response = Response(hrefs: spareHrefs.popLast() ?? [], propstats: sparePropStats.popLast() ?? [], index: responseCount + 1)
                if response.propstats.capacity == 0 { response.propstats.reserveCapacity(2) }
                current = response
                inResponse = true
                responseBytes = 0
            } else if name == structural.responseDescription {
                begin(.topDescription)
            } else if name == structural.syncToken {
                begin(.syncToken)
            } else {
                mode = .skip(depth: depth)
            }
        case 3 where inResponse:
            if name == structural.href {
                begin(.href)
            } else if name == structural.status {
                begin(.status)
            } else if name == structural.propstat {
                currentPropStat = PropStat(properties: [], status: nil)
                inPropStat = true
                if !scratchProperties.isEmpty { scratchProperties.removeAll(keepingCapacity: true) }
            } else if name == structural.error {
                beginTree(.responseError, name: name, attributes: attributes)
            } else if name == structural.responseDescription {
                begin(.responseDescription)
            } else if name == structural.location {
                beginTree(.location, name: name, attributes: attributes)
            } else {
                mode = .skip(depth: depth)
            }
        case 4 where inPropStat:
            if name == structural.prop {
                // properties follow at depth 5
            } else if name == structural.status {
                begin(.propstatStatus)
            } else if name == structural.error {
                beginTree(.propstatError, name: name, attributes: attributes)
            } else if name == structural.responseDescription {
                begin(.propstatDescription)
            } else {
                mode = .skip(depth: depth)
            }
        case 5 where inPropStat:
            propertyName = name
            propertyAttributes = attributes
            if !keepValues.contains(name) {
                mode = .skipProperty(depth: depth)
                return
            }
            if !text.isEmpty { text.removeAll(keepingCapacity: true) }
            mode = .propertyText(depth: depth)
        default:
            mode = .skip(depth: depth)
        }
    }

    mutating func endElement(_ name: Int32, names: XMLNameTable) throws {
        defer { depth -= 1 }
        switch mode {
        case .skip(let skipDepth):
            if depth == skipDepth { mode = .structure }
            return
        case .text(let target):
            // Nested markup inside a text element: wait for the element itself to close.
            if let expected = structuralID(for: target), name != expected { return }
            finishText(target)
            mode = .structure
            return
        case .propertyText(let propertyDepth):
            if depth == propertyDepth {
                let decoded = XMLText.decode(text)
                if let entity = decoded.undefinedEntity { problem(XMLProblem(kind: .undefinedEntity, detail: entity, offset: 0)) }
                scratchProperties.append(property(propertyName, text: decoded.text))
                mode = .structure
            }
            return
        case .skipProperty(let propertyDepth):
            if depth == propertyDepth {
                scratchProperties.append(property(propertyName, text: nil))
                mode = .structure
            }
            return
        case .tree(let target, let treeDepth):
            try tree.endElement(name, names: names)
            if depth == treeDepth {
                finishTree(target)
                mode = .structure
            }
            return
        case .structure:
            break
        }
        guard let structural else { return }
        if depth == 2, name == structural.response, inResponse, let response = current.take() {
            inResponse = false
            if !responseProblems.isEmpty {
                let href = response.href
                for index in responseProblems.indices { responseProblems[index].href = href }
                problems.append(contentsOf: responseProblems)
                responseProblems.removeAll(keepingCapacity: true)
            }
            ready.append(response)
            responseCount += 1
        } else if depth == 3, name == structural.propstat, inPropStat {
            inPropStat = false
            // Properties gather in a buffer that the propstat then takes over (the next one starts with a
            // spare, when there is one).
            if var propstat = currentPropStat.take() {
                propstat.properties = scratchProperties
                current?.propstats.append(propstat)
            }
            scratchProperties = spareProperties.popLast() ?? []
        }
    }

    /// Text is read in text elements, property values and kept trees; anywhere else ``characters(_:isCDATA:)``
    /// drops it, so the tokenizer need not call.
    var ignoresText: Bool {
        switch mode {
        case .structure, .skip, .skipProperty: return true
        case .text, .propertyText, .tree: return false
        }
    }

    mutating func characters(_ raw: UnsafeRawBufferPointer, isCDATA: Bool) throws {
        switch mode {
        case .text, .propertyText:
            if isCDATA {
                // Escape so the later entity decoding leaves CDATA content as written.
                text.append(contentsOf: Array(XMLText.escapeText(String(decoding: raw, as: UTF8.self)).utf8))
            } else {
                text.append(contentsOf: raw)
            }
            responseBytes += raw.count
            try checkResponseSize()
        case .tree:
            try tree.characters(raw, isCDATA: isCDATA)
            responseBytes += raw.count
            try checkResponseSize()
        case .structure, .skip, .skipProperty:
            return
        }
    }

    /// Takes the arrays of responses that have been handed out and that nobody else holds: each array is
    /// moved out (leaving an empty one behind), emptied with its capacity kept, and kept as a spare.
    mutating func recycle(_ responses: inout [Response]) {
        for index in responses.indices {
            var propstats: [PropStat] = []
            swap(&propstats, &responses[index].propstats)
            for p in propstats.indices where spareProperties.count < Self.spareLimit {
                var properties: [Property] = []
                swap(&properties, &propstats[p].properties)
                properties.removeAll(keepingCapacity: true)
                spareProperties.append(properties)
            }
            if sparePropStats.count < Self.spareLimit {
                propstats.removeAll(keepingCapacity: true)
                sparePropStats.append(propstats)
            }
            if spareHrefs.count < Self.spareLimit {
                var hrefs: [String] = []
                swap(&hrefs, &responses[index].hrefs)
                hrefs.removeAll(keepingCapacity: true)
                spareHrefs.append(hrefs)
            }
        }
    }

    mutating func problem(_ problem: XMLProblem) {
        problemCount += 1
        guard problems.count + responseProblems.count < MultiStatusParser.problemLimit else { return }
        if inResponse {
            responseProblems.append(problem)
        } else {
            problems.append(problem)
        }
    }

    /// ``problems`` and those of the response still being read (with its href, when read already).
    var allProblems: [XMLProblem] {
        guard !responseProblems.isEmpty else { return problems }
        let href = current?.href
        return problems
            + responseProblems.map { problem in
                var problem = problem
                problem.href = href
                return problem
            }
    }

    // MARK: -

    /// Each name's ``LiveProperty``, worked out once per name rather than once per property.
    private var liveProperties: [LiveProperty?] = []

    /// A property with a text value (or none) named by its id.
    private mutating func property(_ id: Int32, text: String?) -> Property {
        let index = Int(id)
        while liveProperties.count <= index { liveProperties.append(LiveProperty(names.name(Int32(liveProperties.count)))) }
        return Property(names.name(id), live: liveProperties[index], text: text, attributes: propertyAttributes)
    }

    private func structuralID(for target: TextTarget) -> Int32? {
        guard let s = structural else { return nil }
        switch target {
        case .href: return s.href
        case .status, .propstatStatus: return s.status
        case .responseDescription, .propstatDescription, .topDescription: return s.responseDescription
        case .syncToken: return s.syncToken
        }
    }

    private mutating func begin(_ target: TextTarget) {
        if !text.isEmpty { text.removeAll(keepingCapacity: true) }
        mode = .text(target)
    }

    private mutating func beginTree(_ target: TreeTarget, name: Int32, attributes: [XMLAttribute]) {
        tree.reset()
        try? tree.startElement(name, attributes: attributes, names: names)
        mode = .tree(target, depth: depth)
    }

    /// The status lines read lately and their raw bytes: nearly every `<D:status>` of a listing repeats
    /// one of two or three lines (`200 OK` and `404 Not Found` alternate in most), which are then neither
    /// decoded nor parsed again. Only text without `&` is kept, so a line with an entity is still decoded,
    /// and its problem reported, every time.
    private var recentStatuses: [(raw: [UInt8], line: StatusLine)] = []
    private var nextStatusSlot = 0

    private mutating func statusLine() -> StatusLine {
        for index in recentStatuses.indices where recentStatuses[index].raw == text { return recentStatuses[index].line }
        let decoded = XMLText.decode(text)
        if let entity = decoded.undefinedEntity {
            problem(XMLProblem(kind: .undefinedEntity, detail: entity, offset: 0))
        }
        let line = StatusLine(raw: decoded.text)
        if !text.contains(0x26) {
            // A copy of its own: sharing `text`'s buffer would make the next use of `text` copy it.
            let entry = (raw: text.withUnsafeBufferPointer { Array($0) }, line: line)
            if recentStatuses.count < 4 {
                recentStatuses.append(entry)
            } else {
                recentStatuses[nextStatusSlot] = entry
                nextStatusSlot = (nextStatusSlot + 1) % 4
            }
        }
        return line
    }

    private mutating func finishText(_ target: TextTarget) {
        switch target {
        case .status:
            let line = statusLine()
            current?.status = line
            return
        case .propstatStatus:
            let line = statusLine()
            currentPropStat?.status = line
            return
        default:
            break
        }
        let decoded = XMLText.decode(text)
        if let entity = decoded.undefinedEntity {
            problem(XMLProblem(kind: .undefinedEntity, detail: entity, offset: 0))
        }
        let value = decoded.text
        switch target {
        case .href: current?.hrefs.append(value.trimmingASCIIWhitespace())
        case .status, .propstatStatus: break  // above
        case .responseDescription: current?.responseDescription = value
        case .propstatDescription: currentPropStat?.responseDescription = value
        case .topDescription: topDescription = value
        case .syncToken: syncToken = value
        }
    }

    private mutating func finishTree(_ target: TreeTarget) {
        for problem in tree.problems { self.problem(problem) }
        guard let element = tree.root else { return }
        switch target {
        case .property: scratchProperties.append(Property(element))
        case .responseError: current?.error = element
        case .propstatError: currentPropStat?.error = element
        case .location: current?.location = element.elements.first?.text.trimmingASCIIWhitespace() ?? element.text
        }
    }

    private func checkResponseSize() throws {
        if responseBytes > maxResponseBytes {
            throw DAVCoreError.limit("size of one <response> in bytes", maxResponseBytes)
        }
    }
}

/// Name ids a reader keeps values of: every name, or those listed. A flag per id, so the test made for
/// every property of every response is one load (a `Set` there costs a hash and reference counting).
struct NameIDSet {
    private var flags: [Bool]
    private var containsAll: Bool

    static let all = NameIDSet(flags: [], containsAll: true)

    private init(flags: [Bool], containsAll: Bool) {
        self.flags = flags
        self.containsAll = containsAll
    }

    init(_ ids: some Sequence<Int32>) {
        var flags: [Bool] = []
        for id in ids {
            let index = Int(id)
            if index >= flags.count { flags.append(contentsOf: repeatElement(false, count: index + 1 - flags.count)) }
            flags[index] = true
        }
        self.init(flags: flags, containsAll: false)
    }

    @inline(__always) func contains(_ id: Int32) -> Bool {
        containsAll || (Int(id) < flags.count && flags[Int(id)])
    }
}
