/// Writes a `<D:multistatus>` one response at a time, checking each response's shape as it goes
/// (RFC 4918 §14.24), so a server can stream a Depth infinity answer in constant memory.
///
/// Output is namespace-correct whatever the property names: `DAV:` is bound to `D` on the root (the form
/// the Windows Mini-Redirector copes with, catalog PAY-09), and any other namespace is declared on the
/// element that first needs it. Status lines are always `HTTP/1.1 NNN Reason`.
///
/// ```swift
/// var writer = MultiStatusWriter()
/// writer.begin()
/// try writer.write(Response(hrefs: ["/a.txt"], status: StatusLine(code: 404)))
/// writer.end()
/// let bytes = writer.take()
/// ```
public struct MultiStatusWriter {
    public private(set) var buffer: [UInt8] = []
    private var prefixes: [String: String] = [DAV.namespace: "D", xmlNamespace: "xml"]
    /// Namespaces declared on the elements currently open, innermost last (a stack; DAV: is on the root).
    private var declared: [String] = []
    private var state = State.initial

    private enum State { case initial, open, closed }

    /// `capacity`: the bytes the buffer is made for at first and after each ``take()``. A streaming writer
    /// that hands out pieces of N bytes passes a little more than N, so a piece never regrows the buffer.
    public init(capacity: Int = 64 << 10) {
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    private let capacity: Int

    /// Bytes written so far and not yet taken.
    public var pendingBytes: Int { buffer.count }

    /// Hands out what was written so far, for streaming: the buffer itself, not a copy of it; writing goes
    /// on in a fresh one, made when the next response is written (a whole document taken at its end makes none).
    public mutating func take() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &buffer)
        return taken
    }

    /// Gives a buffer handed out by ``take()`` its successor's full capacity at once, not by doublings.
    private mutating func reserveAfterTake() {
        if buffer.capacity == 0 { buffer.reserveCapacity(capacity) }
    }

    public mutating func begin() {
        precondition(state == .initial, "begin() called twice")
        append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n")
        state = .open
    }

    /// Writes one response after checking its shape; a malformed response is refused and nothing is written.
    public mutating func write(_ response: Response) throws {
        if state == .initial { begin() }
        precondition(state == .open, "write(_:) after end()")
        try Self.validate(response)
        reserveAfterTake()
        append("<D:response>")
        for href in response.hrefs {
            append("<D:href>")
            appendEscaped(href)
            append("</D:href>")
        }
        if let status = response.status {
            appendStatus(status)
        }
        for propstat in response.propstats {
            append("<D:propstat><D:prop>")
            writeProperties(propstat.properties)
            append("</D:prop>")
            if let status = propstat.status { appendStatus(status) }
            if let error = propstat.error { writeTopElement(error) }
            if let description = propstat.responseDescription {
                append("<D:responsedescription>")
                appendEscaped(description)
                append("</D:responsedescription>")
            }
            append("</D:propstat>")
        }
        if let error = response.error { writeTopElement(error) }
        if let description = response.responseDescription {
            append("<D:responsedescription>")
            appendEscaped(description)
            append("</D:responsedescription>")
        }
        if let location = response.location {
            append("<D:location><D:href>")
            appendEscaped(location)
            append("</D:href></D:location>")
        }
        append("</D:response>\n")
    }

    /// Appends a `<D:response>`, or a part of one, its caller serialised itself, for a server's most
    /// repeated answer (one per member of a listing). Unchecked: the caller answers for its shape and its
    /// namespaces (DAV: only; other names go through ``writeProperties(_:)``).
    public mutating func appendSerialisedResponse(_ write: (inout [UInt8]) -> Void) {
        if state == .initial { begin() }
        precondition(state == .open, "appendSerialisedResponse(_:) after end()")
        reserveAfterTake()
        write(&buffer)
    }

    /// Writes `properties` as ``write(_:)`` writes them inside a `<D:prop>`, for a caller that serialises
    /// the rest of the response itself: each declares the namespaces it needs, under the document's prefixes.
    public mutating func writeProperties(_ properties: [Property]) {
        precondition(state == .open, "writeProperties(_:) outside a response")
        for property in properties {
            declared.removeAll(keepingCapacity: true)
            writeProperty(property)
        }
    }

    public mutating func end(responseDescription: String? = nil, syncToken: String? = nil) {
        if state == .initial { begin() }
        guard state == .open else { return }
        if let responseDescription {
            append("<D:responsedescription>")
            appendEscaped(responseDescription)
            append("</D:responsedescription>\n")
        }
        if let syncToken {
            append("<D:sync-token>")
            appendEscaped(syncToken)
            append("</D:sync-token>\n")
        }
        append("</D:multistatus>\n")
        state = .closed
    }

    /// Writes a whole document: for tests and small answers.
    public static func document(_ multistatus: MultiStatus) throws -> [UInt8] {
        var writer = MultiStatusWriter()
        writer.begin()
        for response in multistatus.responses { try writer.write(response) }
        writer.end(responseDescription: multistatus.responseDescription, syncToken: multistatus.syncToken)
        return writer.take()
    }

    /// RFC 4918 §14.24: `href, ((href*, status)|(propstat+))`; each propstat carries a status (§14.22).
    public static func validate(_ response: Response) throws {
        guard !response.hrefs.isEmpty else {
            throw DAVCoreError(.invalidResponseShape, "a <D:response> needs at least one <D:href>")
        }
        if response.status != nil {
            guard response.propstats.isEmpty else {
                throw DAVCoreError(.invalidResponseShape, "a <D:response> has either a <D:status> or <D:propstat>s, not both")
            }
        } else {
            guard !response.propstats.isEmpty else {
                throw DAVCoreError(.invalidResponseShape, "a <D:response> needs a <D:status> or at least one <D:propstat>")
            }
            guard response.hrefs.count == 1 else {
                throw DAVCoreError(.invalidResponseShape, "a <D:response> with <D:propstat>s has exactly one <D:href>")
            }
            for propstat in response.propstats where propstat.status == nil {
                throw DAVCoreError(.invalidResponseShape, "every <D:propstat> needs a <D:status>")
            }
        }
    }

    // MARK: - Elements
    //
    // The hot path of every PROPFIND answer: names, text and status lines are appended to the buffer as
    // bytes, with no intermediate strings, and a namespace costs work only when it is not DAV:.

    /// An element that starts its own namespace scope (error bodies).
    private mutating func writeTopElement(_ element: XMLElement) {
        declared.removeAll(keepingCapacity: true)
        writeElement(element)
    }

    /// The bytes of `element` as any document writes it, when that does not depend on the document:
    /// every name in DAV: (always `D:`) or in no namespace. Nil otherwise.
    public static func constantBytes(_ element: XMLElement) -> [UInt8]? {
        func isFixed(_ name: QualifiedName) -> Bool { name.namespace.isEmpty || name.namespace == DAV.namespace }
        func allFixed(_ element: XMLElement) -> Bool {
            isFixed(element.name) && element.attributes.allSatisfy { isFixed($0.name) }
                && element.children.allSatisfy { if case .element(let child) = $0 { allFixed(child) } else { true } }
        }
        guard allFixed(element) else { return nil }
        var writer = MultiStatusWriter()
        writer.writeElement(element)
        return writer.buffer
    }

    /// A property straight from its stored value, without rebuilding it as an element first.
    private mutating func writeProperty(_ property: Property) {
        let value = property.serialisedValue
        if let written = value.written {
            buffer.append(contentsOf: written)
            return
        }
        let mark = declared.count
        let prefix = openTag(property.name, property.attributes)
        if let text = value.text {
            if text.isEmpty {
                append("/>")
            } else {
                append(">")
                appendEscaped(text)
                closeTag(prefix, property.name.name)
            }
        } else if let nodes = value.nodes {
            append(">")
            writeChildren(nodes)
            closeTag(prefix, property.name.name)
        }
        declared.removeSubrange(mark...)
    }

    private mutating func writeElement(_ element: XMLElement) {
        let mark = declared.count
        let prefix = openTag(element.name, element.attributes)
        if element.children.isEmpty {
            append("/>")
        } else {
            append(">")
            writeChildren(element.children)
            closeTag(prefix, element.name.name)
        }
        declared.removeSubrange(mark...)
    }

    private mutating func writeChildren(_ nodes: [XMLNode]) {
        for node in nodes {
            switch node {
            case .text(let text): appendEscaped(text)
            case .element(let child): writeElement(child)
            }
        }
    }

    /// Writes `<prefix:name` with any namespace declarations and attributes the element needs, leaving
    /// the tag open; returns the prefix for the closing tag.
    private mutating func openTag(_ name: QualifiedName, _ attributes: [XMLAttribute]) -> String {
        let prefix = self.prefix(for: name.namespace)
        append("<")
        appendName(prefix, name.name)
        declareIfNeeded(name.namespace, prefix)
        for attribute in attributes {
            let attributePrefix = self.prefix(for: attribute.name.namespace)
            declareIfNeeded(attribute.name.namespace, attributePrefix)
            append(" ")
            appendName(attributePrefix, attribute.name.name)
            append("=\"")
            append(XMLText.escapeAttribute(attribute.value))
            append("\"")
        }
        return prefix
    }

    private mutating func closeTag(_ prefix: String, _ name: String) {
        append("</")
        appendName(prefix, name)
        append(">")
    }

    /// `D` for DAV:, `xml` for the reserved namespace, none for no namespace, else `nsN` (stable per document).
    private mutating func prefix(for namespace: String) -> String {
        if namespace.isEmpty { return "" }
        if namespace == DAV.namespace { return "D" }
        if let known = prefixes[namespace] { return known }
        let prefix = "ns\(prefixes.count - 2)"
        prefixes[namespace] = prefix
        return prefix
    }

    /// Declares `namespace` on the open tag unless an enclosing element (or the root, for DAV:) already did.
    private mutating func declareIfNeeded(_ namespace: String, _ prefix: String) {
        guard !namespace.isEmpty, namespace != DAV.namespace, namespace != xmlNamespace, !declared.contains(namespace) else { return }
        declared.append(namespace)
        append(" xmlns:")
        append(prefix)
        append("=\"")
        append(XMLText.escapeAttribute(namespace))
        append("\"")
    }

    private mutating func appendName(_ prefix: String, _ name: String) {
        if !prefix.isEmpty {
            append(prefix)
            buffer.append(UInt8(ascii: ":"))
        }
        append(name)
    }

    private mutating func appendStatus(_ status: StatusLine) {
        if let code = status.code, status.reason.isEmpty || status.reason == HTTPStatus.reason(for: code),
            let element = Self.statusElements[code]
        {
            buffer.append(contentsOf: element)
            return
        }
        append("<D:status>")
        if let code = status.code {
            let reason = status.reason.isEmpty ? HTTPStatus.reason(for: code) : status.reason
            appendEscaped("HTTP/1.1 \(code) \(reason)")
        } else {
            appendEscaped(status.raw)
        }
        append("</D:status>")
    }

    /// `<D:status>HTTP/1.1 NNN Reason</D:status>` ready-made for the codes a multistatus usually carries.
    private static let statusElements: [Int: [UInt8]] = {
        var table: [Int: [UInt8]] = [:]
        for code in [200, 201, 204, 207, 302, 400, 401, 403, 404, 405, 409, 412, 415, 423, 424, 500, 502, 507] {
            table[code] = Array("<D:status>HTTP/1.1 \(code) \(HTTPStatus.reason(for: code))</D:status>".utf8)
        }
        return table
    }()

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    /// Escapes `&`, `<`, `>` and CR straight into the buffer, copying the runs between them whole.
    private mutating func appendEscaped(_ text: String) {
        var text = text
        text.withUTF8 { bytes in XMLText.appendEscapedText(bytes, to: &buffer) }
    }
}
