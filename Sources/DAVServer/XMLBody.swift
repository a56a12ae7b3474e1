import DAVCore

/// Writes small XML documents that are not a multistatus: the LOCK answer (`<D:prop>`) and `<D:error>`.
/// `DAV:` is bound to `D` on the root; other namespaces are declared where they are used.
enum XMLBody {
    static func document(_ root: XMLElement) -> [UInt8] {
        var out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        write(root, into: &out, isRoot: true, inScope: [:])
        out += "\n"
        return Array(out.utf8)
    }

    private static func write(_ element: XMLElement, into out: inout String, isRoot: Bool, inScope: [String: String]) {
        var scope = inScope
        var declarations = isRoot ? " xmlns:D=\"DAV:\"" : ""
        func prefixed(_ name: QualifiedName) -> String {
            if name.namespace.isEmpty { return name.name }
            if name.namespace == DAV.namespace { return "D:" + name.name }
            if name.namespace == xmlNamespace { return "xml:" + name.name }
            if let prefix = scope[name.namespace] { return prefix + ":" + name.name }
            let prefix = "ns\(scope.count)"
            scope[name.namespace] = prefix
            declarations += " xmlns:\(prefix)=\"\(XMLText.escapeAttribute(name.namespace))\""
            return prefix + ":" + name.name
        }
        let tag = prefixed(element.name)
        let attributes = element.attributes.map { " \(prefixed($0.name))=\"\(XMLText.escapeAttribute($0.value))\"" }.joined()
        out += "<" + tag + declarations + attributes
        if element.children.isEmpty {
            out += "/>"
            return
        }
        out += ">"
        for child in element.children {
            switch child {
            case .text(let text): out += XMLText.escapeText(text)
            case .element(let child): write(child, into: &out, isRoot: false, inScope: scope)
            }
        }
        out += "</" + tag + ">"
    }
}
