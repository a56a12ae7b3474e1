/// Reads a whole, small XML document into an ``XMLElement`` tree: request bodies (PROPFIND, PROPPATCH,
/// LOCK) and `<D:error>` bodies. For a multistatus of any size use ``MultiStatusParser``, which streams.
public enum XMLTreeParser {
    /// Parses `bytes`; recoverable faults (unbound prefixes, undefined entities, forbidden characters, bytes
    /// that are not UTF-8) are thrown as errors
    /// when `strict`, otherwise collected in `problems`.
    public static func parse(
        _ bytes: [UInt8], limits: XMLLimits = .requestBody, strict: Bool = true
    ) throws -> (root: XMLElement, problems: [XMLProblem]) {
        var tokenizer = XMLTokenizer(limits: limits)
        var builder = TreeBuilder(strict: strict)
        try tokenizer.feed(bytes, into: &builder)
        try tokenizer.finish(into: &builder)
        if let error = builder.strictError { throw error }
        guard let root = builder.root else { throw DAVCoreError(.notXML, "the body holds no XML element") }
        return (root, builder.problems)
    }

    public static func parse(_ string: String, limits: XMLLimits = .requestBody, strict: Bool = true) throws -> XMLElement {
        try parse(Array(string.utf8), limits: limits, strict: strict).root
    }
}

/// Builds elements from tokenizer events; also used for property values inside a multistatus.
struct TreeBuilder: XMLTokenHandler {
    var strict: Bool
    var stack: [XMLElement] = []
    var textBuffer: [UInt8] = []
    var textIsDecoded = true
    var root: XMLElement?
    var problems: [XMLProblem] = []
    var strictError: DAVCoreError?

    init(strict: Bool) { self.strict = strict }

    /// Starts over for the next element, keeping the buffers' capacity.
    mutating func reset() {
        stack.removeAll(keepingCapacity: true)
        textBuffer.removeAll(keepingCapacity: true)
        root = nil
        if !problems.isEmpty { problems.removeAll() }
    }

    mutating func startElement(_ name: Int32, attributes: [XMLAttribute], names: XMLNameTable) throws {
        flushText()
        stack.append(XMLElement(names.name(name), attributes: attributes))
    }

    mutating func endElement(_ name: Int32, names: XMLNameTable) throws {
        flushText()
        var element = stack.removeLast()
        element.dropLayoutWhitespace()
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].children.append(.element(element))
        }
    }

    mutating func characters(_ raw: UnsafeRawBufferPointer, isCDATA: Bool) throws {
        if isCDATA {
            flushText()
            stack[stack.count - 1].children.append(.text(String(decoding: raw, as: UTF8.self)))
        } else {
            textBuffer.append(contentsOf: raw)
        }
    }

    mutating func problem(_ problem: XMLProblem) {
        problems.append(problem)
        if strict && strictError == nil {
            switch problem.kind {
            case .unboundPrefix:
                strictError = DAVCoreError(
                    .unboundPrefix, "the XML uses the prefix of \(problem.detail) without declaring it", offset: problem.offset)
            case .undefinedEntity:
                strictError = DAVCoreError(.undefinedEntity, "the XML uses \(problem.detail), which XML does not define", offset: problem.offset)
            case .forbiddenCharacter:
                strictError = DAVCoreError(
                    .malformedXML, "malformed XML: the character \(problem.detail) is not allowed in XML (XML 1.0 §2.2)", offset: problem.offset)
            case .invalidUTF8:
                strictError = DAVCoreError(.malformedXML, "malformed XML: the bytes \(problem.detail) are not UTF-8", offset: problem.offset)
            }
        }
    }

    private mutating func flushText() {
        guard !textBuffer.isEmpty else { return }
        defer { textBuffer.removeAll(keepingCapacity: true) }
        let decoded = XMLText.decode(textBuffer)
        if let entity = decoded.undefinedEntity {
            problem(XMLProblem(kind: .undefinedEntity, detail: entity, offset: 0))
        }
        stack[stack.count - 1].children.append(.text(decoded.text))
    }
}

extension XMLElement {
    /// Whitespace-only text beside child elements is indentation, not content: drop it.
    mutating func dropLayoutWhitespace() {
        guard children.contains(where: { if case .element = $0 { true } else { false } }) else { return }
        children.removeAll { node in
            if case .text(let text) = node { return text.allSatisfy { $0.isWhitespace } }
            return false
        }
    }
}
