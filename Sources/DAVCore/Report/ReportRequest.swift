/// What a REPORT asked for, read from its body: which report, and the parts of it the diagnosis judges
/// (the hrefs of a multiget, a sync token, the filter's components, whether object data was asked for).
///
/// A REPORT's body names the report by its root element (RFC 3253 §3.6); each report's RFC then fixes its
/// Depth, its scope and what a healthy answer holds, which is why the kind comes first.
public struct ReportRequest: Sendable, Hashable {
    public var kind: ReportKind
    /// `<D:href>`s of a multiget (calendar-multiget, addressbook-multiget), as written.
    public var hrefs: [String] = []
    /// `<D:sync-token>` of a sync-collection; empty for an initial sync.
    public var syncToken: String?
    /// `<D:sync-level>`: "1" or "infinite".
    public var syncLevel: String?
    /// `<D:limit><D:nresults>` (RFC 5323 as RFC 6578 §3.2 uses it).
    public var resultLimit: Int?
    /// Properties asked for in `<D:prop>`.
    public var properties: [QualifiedName] = []
    /// `<C:comp-filter name=…>` names of a calendar-query, outermost first (`VCALENDAR`, `VEVENT`).
    public var componentFilters: [String] = []
    /// Whether a query's filter holds a `time-range`.
    public var hasTimeRange = false
    /// Elements the report's DTD requires that the body lacks (RFC 6578 §6.1, RFC 4791 §9.5, §9.10, RFC 6352 §10.3, §10.7).
    public var missingElements: [QualifiedName] = []

    public init(kind: ReportKind) {
        self.kind = kind
    }

    /// Whether the body asked for the objects themselves (`calendar-data` or `address-data`).
    public var asksForObjectData: Bool {
        properties.contains(CalDAV.calendarData) || properties.contains(CardDAV.addressData)
    }

    /// Reads a REPORT body; nil when it is blank or not XML (an analysis says so elsewhere).
    public static func parse(_ body: [UInt8]) -> ReportRequest? {
        guard body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return nil }
        if let root = try? XMLTreeParser.parse(body, strict: true).root { return ReportRequest(root) }
        // Read leniently to still name the report, and say the body is not XML a server must accept.
        guard let root = try? XMLTreeParser.parse(body, strict: false).root else { return nil }
        var report = ReportRequest(root)
        report.isWellFormed = false
        return report
    }

    /// False when only a lenient reading made sense of the body (an undefined entity, an unbound prefix):
    /// a server's parser refuses it.
    public var isWellFormed = true

    public init(_ root: XMLElement) {
        kind = ReportKind(root.name)
        properties = root.firstChild(DAV.prop)?.elements.map(\.name) ?? []
        switch kind {
        case .calendarMultiget, .addressbookMultiget:
            hrefs = root.children(named: DAV.href).map { $0.text.trimmingASCIIWhitespace() }
        case .syncCollection:
            syncToken = root.firstChild(DAV.syncToken).map { $0.text.trimmingASCIIWhitespace() }
            syncLevel = root.firstChild(DAV.syncLevel).map { $0.text.trimmingASCIIWhitespace() }
            resultLimit = root.firstChild(DAV.limit)?.firstChild(DAV.nresults).flatMap { Int($0.text.trimmingASCIIWhitespace()) }
        case .calendarQuery, .addressbookQuery:
            let filter = root.firstChild(kind == .calendarQuery ? CalDAV.filter : CardDAV.filter)
            var component = filter?.firstChild(CalDAV.compFilter)
            while let current = component {
                componentFilters.append(current.attribute(QualifiedName("", "name")) ?? "")
                component = current.firstChild(CalDAV.compFilter)
            }
            hasTimeRange = !(filter?.descendants(named: CalDAV.timeRange).isEmpty ?? true)
        case .freeBusyQuery:
            if root.firstChild(CalDAV.timeRange) == nil { missingElements.append(CalDAV.timeRange) }
        default:
            break
        }
        missingElements += Self.required(kind).filter { root.firstChild($0) == nil }
        if kind.isMultiget, hrefs.isEmpty { missingElements.append(DAV.href) }
    }

    /// Children every body of this report must hold.
    static func required(_ kind: ReportKind) -> [QualifiedName] {
        switch kind {
        case .syncCollection: [DAV.syncToken, DAV.syncLevel, DAV.prop]
        case .calendarQuery: [CalDAV.filter]
        case .addressbookQuery: [CardDAV.filter]
        default: []
        }
    }
}

/// The reports davdoctor knows, each with the RFC that defines it.
public enum ReportKind: Sendable, Hashable, CustomStringConvertible {
    case calendarMultiget, calendarQuery, freeBusyQuery
    case addressbookMultiget, addressbookQuery
    case syncCollection
    case expandProperty, versionTree
    case principalPropertySearch, aclPrincipalPropSet, principalMatch
    case other(QualifiedName)

    public init(_ root: QualifiedName) {
        switch (root.namespace, root.name) {
        case (CalDAV.namespace, "calendar-multiget"): self = .calendarMultiget
        case (CalDAV.namespace, "calendar-query"): self = .calendarQuery
        case (CalDAV.namespace, "free-busy-query"): self = .freeBusyQuery
        case (CardDAV.namespace, "addressbook-multiget"): self = .addressbookMultiget
        case (CardDAV.namespace, "addressbook-query"): self = .addressbookQuery
        case (DAV.namespace, "sync-collection"): self = .syncCollection
        case (DAV.namespace, "expand-property"): self = .expandProperty
        case (DAV.namespace, "version-tree"): self = .versionTree
        case (DAV.namespace, "principal-property-search"): self = .principalPropertySearch
        case (DAV.namespace, "acl-principal-prop-set"): self = .aclPrincipalPropSet
        case (DAV.namespace, "principal-match"): self = .principalMatch
        default: self = .other(root)
        }
    }

    /// The element that names it, as a request body's root and in `DAV:supported-report`.
    public var element: QualifiedName {
        switch self {
        case .calendarMultiget: QualifiedName(CalDAV.namespace, "calendar-multiget")
        case .calendarQuery: QualifiedName(CalDAV.namespace, "calendar-query")
        case .freeBusyQuery: QualifiedName(CalDAV.namespace, "free-busy-query")
        case .addressbookMultiget: QualifiedName(CardDAV.namespace, "addressbook-multiget")
        case .addressbookQuery: QualifiedName(CardDAV.namespace, "addressbook-query")
        case .syncCollection: DAV.syncCollection
        case .expandProperty: DAV.name("expand-property")
        case .versionTree: DAV.name("version-tree")
        case .principalPropertySearch: DAV.name("principal-property-search")
        case .aclPrincipalPropSet: DAV.name("acl-principal-prop-set")
        case .principalMatch: DAV.name("principal-match")
        case .other(let name): name
        }
    }

    public var description: String { element.name }

    /// The section that defines it.
    public var rfc: String {
        switch self {
        case .calendarMultiget: "RFC 4791 §7.9"
        case .calendarQuery: "RFC 4791 §7.8"
        case .freeBusyQuery: "RFC 4791 §7.10"
        case .addressbookMultiget: "RFC 6352 §8.7"
        case .addressbookQuery: "RFC 6352 §8.6"
        case .syncCollection: "RFC 6578 §3.2"
        case .expandProperty: "RFC 3253 §3.8"
        case .versionTree: "RFC 3253 §3.7"
        case .principalPropertySearch: "RFC 3744 §9.4"
        case .aclPrincipalPropSet: "RFC 3744 §9.2"
        case .principalMatch: "RFC 3744 §9.3"
        case .other: "RFC 3253 §3.6"
        }
    }

    public var isMultiget: Bool { self == .calendarMultiget || self == .addressbookMultiget }
    public var isQuery: Bool { self == .calendarQuery || self == .addressbookQuery }
    public var isCalendar: Bool { self == .calendarMultiget || self == .calendarQuery || self == .freeBusyQuery }
    public var isAddressBook: Bool { self == .addressbookMultiget || self == .addressbookQuery }

    /// The RFC 3744 reports about principals (who, not what).
    public var isPrincipalReport: Bool {
        self == .principalPropertySearch || self == .aclPrincipalPropSet || self == .principalMatch
    }

    /// Reports only defined for `Depth: 0`, where any other value is a 400 (RFC 6578 §3.2; RFC 3744 §9.2–§9.4).
    public var requiresDepthZero: Bool {
        switch self {
        case .syncCollection, .principalPropertySearch, .aclPrincipalPropSet, .principalMatch: true
        default: false
        }
    }

    /// Reports whose answer names resources outside the Request-URI by design: principals found by a
    /// search, the targets of an expanded property.
    public var answersOutsideRequestURI: Bool {
        switch self {
        case .principalPropertySearch, .aclPrincipalPropSet, .principalMatch, .expandProperty: true
        default: false
        }
    }
}
