import DAVCore

/// The JSON form in which persistent stores keep an ``XMLElement`` (a property value, a lock owner).
/// Written by ``StoredElementWriter`` and read back by ``StoredElementReader``, each many times faster than
/// `JSONEncoder` and `JSONDecoder`, whose `Codable` form of this type stays as the tests' reference.
struct StoredElement: Codable {
    var ns: String
    var n: String
    var a: [[String]]?
    var c: [StoredNode]?

    enum StoredNode: Codable {
        case e(StoredElement)
        case t(String)
    }

    init(_ element: XMLElement) {
        ns = element.name.namespace
        n = element.name.name
        a = element.attributes.isEmpty ? nil : element.attributes.map { [$0.name.namespace, $0.name.name, $0.value] }
        c =
            element.children.isEmpty
            ? nil
            : element.children.map {
                switch $0 {
                case .element(let child): .e(StoredElement(child))
                case .text(let text): .t(text)
                }
            }
    }

    var element: XMLElement {
        XMLElement(
            QualifiedName(ns, n),
            attributes: (a ?? []).compactMap { $0.count == 3 ? XMLAttribute(QualifiedName($0[0], $0[1]), $0[2]) : nil },
            children: (c ?? []).map {
                switch $0 {
                case .e(let child): .element(child.element)
                case .t(let text): .text(text)
                }
            })
    }
}
