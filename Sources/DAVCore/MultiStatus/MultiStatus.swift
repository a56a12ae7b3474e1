/// The Multi-Status model of RFC 4918 §13–§14.
///
/// A `<D:response>` is either hrefs with one status (§14.24: `href, ((href*, status)|(propstat+))`) or one
/// href with propstats. The model holds what was sent even when the shape is wrong, so the lint can say so.
public struct MultiStatus: Sendable, Hashable {
    public var responses: [Response]
    public var responseDescription: String?
    public var syncToken: String?

    public init(responses: [Response] = [], responseDescription: String? = nil, syncToken: String? = nil) {
        self.responses = responses
        self.responseDescription = responseDescription
        self.syncToken = syncToken
    }
}

public struct Response: Sendable, Hashable {
    /// The hrefs as written (percent-encoded, possibly absolute URLs).
    public var hrefs: [String]
    /// The status of the whole resource, for the `href + status` form.
    public var status: StatusLine?
    public var propstats: [PropStat]
    /// `<D:error>`: preconditions and postconditions (§16) that explain the status.
    public var error: XMLElement?
    public var responseDescription: String?
    /// `<D:location>`: where the resource went (a 3xx status).
    public var location: String?
    /// Position in the document, counted from 1.
    public var index: Int

    public init(
        hrefs: [String], status: StatusLine? = nil, propstats: [PropStat] = [], error: XMLElement? = nil,
        responseDescription: String? = nil, location: String? = nil, index: Int = 0
    ) {
        self.hrefs = hrefs
        self.status = status
        self.propstats = propstats
        self.error = error
        self.responseDescription = responseDescription
        self.location = location
        self.index = index
    }

    public var href: String? { hrefs.first }

    /// The status that stands for the resource: its own, or the best of its propstats (a resource with
    /// any 2xx propstat exists; a 404 propstat alone only means the property is absent).
    public var resourceStatus: Int? {
        if let code = status?.code { return code }
        // A loop, not `compactMap`: it is asked once per response of millions, and the array costs an allocation.
        var first: Int?
        for index in propstats.indices {
            guard let code = propstats[index].status?.code else { continue }
            if (200..<300).contains(code) { return 200 }
            if first == nil { first = code }
        }
        return first
    }

    /// Elements named inside `<D:error>`, e.g. `{DAV:}lock-token-submitted`.
    public var conditions: [QualifiedName] { error?.elements.map(\.name) ?? [] }

    /// Every property with the status it was reported under.
    public var properties: [(property: Property, status: StatusLine?)] {
        propstats.flatMap { propstat in propstat.properties.map { ($0, propstat.status) } }
    }

    /// The first property with this name reported with a 2xx status.
    public func value(of name: QualifiedName) -> Property? {
        for propstat in propstats where (propstat.status?.code).map({ (200..<300).contains($0) }) ?? false {
            if let property = propstat.properties.first(where: { $0.name == name }) { return property }
        }
        return nil
    }

    /// Whether `<D:resourcetype>` holds `<D:collection/>`. Asked of every response of a listing: the
    /// names are matched through ``LiveProperty``, not compared as strings.
    public var isCollection: Bool {
        for propstat in propstats where (propstat.status?.code).map({ (200..<300).contains($0) }) ?? false {
            for property in propstat.properties where property.live == .resourcetype {
                return property.child(DAV.collection) != nil
            }
        }
        return false
    }
}

public struct PropStat: Sendable, Hashable {
    public var properties: [Property]
    public var status: StatusLine?
    public var error: XMLElement?
    public var responseDescription: String?

    public init(properties: [Property], status: StatusLine?, error: XMLElement? = nil, responseDescription: String? = nil) {
        self.properties = properties
        self.status = status
        self.error = error
        self.responseDescription = responseDescription
    }
}

/// One property: its name and its value, kept as namespace-resolved XML so it can be written back.
///
/// Text values (most live properties) are stored as a plain string; only values with child elements
/// hold a tree, so reading millions of responses stays cheap.
public struct Property: Sendable, Hashable {
    public var name: QualifiedName {
        didSet { live = LiveProperty(name) }
    }
    public var attributes: [XMLAttribute]
    private var storage: Storage
    /// Which of the live properties the analysis reads this is, if any: worked out once, when the property
    /// is made, since the lint and the collector each ask it of every property of every response.
    public private(set) var live: LiveProperty?

    private enum Storage: Sendable, Hashable {
        case text(String)
        case nodes([XMLNode])
        /// A value that never changes, with the bytes the writer emits for the whole element.
        case constant(nodes: [XMLNode], written: [UInt8])

        /// Equal values compare equal however they are stored: a constant is its nodes.
        static func == (a: Storage, b: Storage) -> Bool {
            switch (a, b) {
            case (.text(let x), .text(let y)): x == y
            case (.nodes(let x), .nodes(let y)), (.nodes(let x), .constant(let y, _)), (.constant(let x, _), .nodes(let y)),
                (.constant(let x, _), .constant(let y, _)):
                x == y
            default: false
            }
        }

        func hash(into hasher: inout Hasher) {
            switch self {
            case .text(let text): hasher.combine(text)
            case .nodes(let nodes), .constant(let nodes, _): hasher.combine(nodes)
            }
        }
    }

    public init(_ element: XMLElement) {
        name = element.name
        live = LiveProperty(element.name)
        attributes = element.attributes
        if element.children.isEmpty {
            storage = .text("")
        } else if element.children.count == 1, case .text(let text) = element.children[0] {
            storage = .text(text)
        } else {
            storage = .nodes(element.children)
        }
    }

    public init(_ name: QualifiedName, text: String? = nil, children: [XMLElement] = [], attributes: [XMLAttribute] = []) {
        self.init(name, live: LiveProperty(name), text: text, children: children, attributes: attributes)
    }

    /// For a reader that has classified the name already (the parser does so once per distinct name).
    init(_ name: QualifiedName, live: LiveProperty?, text: String? = nil, children: [XMLElement] = [], attributes: [XMLAttribute] = []) {
        self.name = name
        self.live = live
        self.attributes = attributes
        if children.isEmpty {
            storage = .text(text ?? "")
        } else {
            var nodes: [XMLNode] = children.map { .element($0) }
            if let text { nodes.insert(.text(text), at: 0) }
            storage = .nodes(nodes)
        }
    }

    /// A value a server sends unchanged on every resource (`supportedlock`, `resourcetype`), serialised
    /// once: the writer copies its bytes instead of walking the tree each time. Only names in DAV: or in no
    /// namespace qualify (their prefixes are the same in every document); anything else is kept as a tree.
    public static func constant(_ element: XMLElement) -> Property {
        var property = Property(element)
        guard case .nodes(let nodes) = property.storage, let written = MultiStatusWriter.constantBytes(element) else { return property }
        property.storage = .constant(nodes: nodes, written: written)
        return property
    }

    /// The value as an element named after the property.
    public var element: XMLElement {
        get {
            switch storage {
            case .text(let text): XMLElement(name, attributes: attributes, children: text.isEmpty ? [] : [.text(text)])
            case .nodes(let nodes), .constant(let nodes, _): XMLElement(name, attributes: attributes, children: nodes)
            }
        }
        set { self = Property(newValue) }
    }

    /// The value as the writer needs it, without building an element: its text, or its child nodes.
    var serialisedValue: (text: String?, nodes: [XMLNode]?, written: [UInt8]?) {
        switch storage {
        case .text(let text): (text, nil, nil)
        case .nodes(let nodes): (nil, nodes, nil)
        case .constant(_, let written): (nil, nil, written)
        }
    }

    /// The value's text (for `getetag`, `getlastmodified` and other text properties).
    public var text: String {
        switch storage {
        case .text(let text): text
        case .nodes, .constant: element.text
        }
    }

    public var isEmpty: Bool {
        switch storage {
        case .text(let text): text.isEmpty
        case .nodes(let nodes), .constant(let nodes, _): nodes.isEmpty
        }
    }

    /// The first child element with this name (`<D:collection/>` inside `resourcetype`).
    public func child(_ name: QualifiedName) -> XMLElement? {
        let nodes: [XMLNode]
        switch storage {
        case .text: return nil
        case .nodes(let value), .constant(let value, _): nodes = value
        }
        for node in nodes { if case .element(let e) = node, e.name == name { return e } }
        return nil
    }
}
