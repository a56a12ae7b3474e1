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
    private var scopes: [Set<String>] = []
    private var state = State.initial

    private enum State { case initial, open, closed }

    public init() {
        buffer.reserveCapacity(64 << 10)
    }

    /// Bytes written so far and not yet taken.
    public var pendingBytes: Int { buffer.count }

    /// Hands out what was written so far, for streaming.
    public mutating func take() -> [UInt8] {
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
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
            for property in propstat.properties {
                scopes.removeAll(keepingCapacity: true)
                writeElement(property.element)
            }
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

    /// An element that starts its own namespace scope (error bodies).
    private mutating func writeTopElement(_ element: XMLElement) {
        scopes.removeAll(keepingCapacity: true)
        writeElement(element)
    }

    private mutating func writeElement(_ element: XMLElement) {
        var declared = Set<String>()
        var declarations = ""
        let name = qualified(element.name, declaring: &declared, into: &declarations, isAttribute: false)
        var attributeText = ""
        for attribute in element.attributes {
            let attrName = qualified(attribute.name, declaring: &declared, into: &declarations, isAttribute: true)
            attributeText += " \(attrName)=\"\(XMLText.escapeAttribute(attribute.value))\""
        }
        append("<")
        append(name)
        append(declarations)
        append(attributeText)
        if element.children.isEmpty {
            append("/>")
            return
        }
        append(">")
        scopes.append(declared)
        for child in element.children {
            switch child {
            case .text(let text): appendEscaped(text)
            case .element(let child): writeElement(child)
            }
        }
        scopes.removeLast()
        append("</")
        append(name)
        append(">")
    }

    private mutating func qualified(
        _ name: QualifiedName, declaring declared: inout Set<String>, into declarations: inout String, isAttribute: Bool
    ) -> String {
        if name.namespace.isEmpty { return name.name }
        if name.namespace == DAV.namespace { return "D:" + name.name }
        if name.namespace == xmlNamespace { return "xml:" + name.name }
        let prefix: String
        if let known = prefixes[name.namespace] {
            prefix = known
        } else {
            prefix = "ns\(prefixes.count - 2)"
            prefixes[name.namespace] = prefix
        }
        let inScope = declared.contains(name.namespace) || scopes.contains { $0.contains(name.namespace) }
        if !inScope {
            declared.insert(name.namespace)
            declarations += " xmlns:\(prefix)=\"\(XMLText.escapeAttribute(name.namespace))\""
        }
        return prefix + ":" + name.name
    }

    private mutating func appendStatus(_ status: StatusLine) {
        append("<D:status>")
        if let code = status.code {
            let reason = status.reason.isEmpty ? HTTPStatus.reason(for: code) : status.reason
            appendEscaped("HTTP/1.1 \(code) \(reason)")
        } else {
            appendEscaped(status.raw)
        }
        append("</D:status>")
    }

    private mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    private mutating func appendEscaped(_ text: String) {
        buffer.append(contentsOf: XMLText.escapeText(text).utf8)
    }
}
