/// An XML name resolved against its namespace: what an element *is*, whatever prefix a server chose.
///
/// Printed in Clark notation, `{DAV:}getetag`, the form RFC text and users recognise.
/// An element in no namespace prints as `{}name`.
public struct QualifiedName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(_ namespace: String, _ name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// Parses `{namespace}name`; a bare `name` has no namespace.
    public init?(clark: String) {
        if clark.first == "{" {
            guard let close = clark.firstIndex(of: "}") else { return nil }
            let namespace = String(clark[clark.index(after: clark.startIndex)..<close])
            let name = String(clark[clark.index(after: close)...])
            guard !name.isEmpty else { return nil }
            self.init(namespace, name)
        } else {
            guard !clark.isEmpty else { return nil }
            self.init("", clark)
        }
    }

    public var description: String { "{\(namespace)}\(name)" }

    public var isDAV: Bool { namespace == DAV.namespace }

    public static func < (lhs: QualifiedName, rhs: QualifiedName) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
