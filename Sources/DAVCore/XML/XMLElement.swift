/// A namespace-resolved XML element: enough to hold a property value, a `<D:error>` body or a request body,
/// and to write it back with correct namespace declarations whatever prefixes the original used.
public struct XMLElement: Sendable, Hashable {
    public var name: QualifiedName
    /// Attributes other than namespace declarations, in document order.
    public var attributes: [XMLAttribute]
    public var children: [XMLNode]

    public init(_ name: QualifiedName, attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// The element's own text and that of its descendants, concatenated.
    public var text: String {
        var out = ""
        for child in children {
            switch child {
            case .text(let text): out += text
            case .element(let element): out += element.text
            }
        }
        return out
    }

    /// Child elements only, skipping text.
    public var elements: [XMLElement] {
        children.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    public func firstChild(_ name: QualifiedName) -> XMLElement? {
        for child in children { if case .element(let e) = child, e.name == name { return e } }
        return nil
    }

    public func children(named name: QualifiedName) -> [XMLElement] {
        elements.filter { $0.name == name }
    }

    /// All descendants (depth first, this element excluded) with the given name.
    public func descendants(named name: QualifiedName) -> [XMLElement] {
        var found: [XMLElement] = []
        for element in elements {
            if element.name == name { found.append(element) }
            found += element.descendants(named: name)
        }
        return found
    }

    public func attribute(_ name: QualifiedName) -> String? {
        attributes.first { $0.name == name }?.value
    }
}

public struct XMLAttribute: Sendable, Hashable {
    public var name: QualifiedName
    public var value: String
    public init(_ name: QualifiedName, _ value: String) {
        self.name = name
        self.value = value
    }
}

public enum XMLNode: Sendable, Hashable {
    case element(XMLElement)
    case text(String)
}

/// The namespace bound to the reserved `xml` prefix (`xml:lang`, `xml:space`).
public let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
