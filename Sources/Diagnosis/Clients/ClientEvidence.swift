import DAVCore

/// The WebDAV clients whose needs `check --client` knows, from the failure catalog's "Client requirements".
public enum Client: String, CaseIterable, Sendable, Codable {
    case windows, finder, office, davfs2, rclone, davx5, winscp, gvfs, thunderbird, apple

    public var displayName: String {
        switch self {
        case .windows: "Windows Explorer (WebDAV Mini-Redirector)"
        case .finder: "macOS Finder"
        case .office: "Microsoft Office"
        case .davfs2: "davfs2"
        case .rclone: "rclone"
        case .davx5: "DAVx5"
        case .winscp: "WinSCP"
        case .gvfs: "GNOME gvfs (Nautilus)"
        case .thunderbird: "Thunderbird (calendars and address books)"
        case .apple: "Apple Calendar and Contacts (macOS, iOS)"
        }
    }
}

/// What a check learned that client needs can be judged by: the answer, its lint, and the client probes.
/// Anything a probe did not find out stays nil, and the need it would settle is reported as not checked.
public struct ClientEvidence: Sendable {
    public var url: String
    public var method: String
    public var depth: String?
    /// OPTIONS of the URL, as the user.
    public var options: ResponseHead?
    /// OPTIONS of the URL without credentials; when the check had none, the same as ``options``.
    public var anonymousOptionsStatus: Int?
    /// OPTIONS of `/`.
    public var rootOptions: ResponseHead?
    /// PROPFIND Depth 0 of a name that cannot exist, beside the URL.
    public var missingPathStatus: Int?
    /// PROPFIND of the RFC 4331 quota properties on the URL: their propstat statuses.
    public var quotaStatuses: [Int]?
    /// MKCOL without a trailing slash, inside the `--allow-writes` scratch collection.
    public var mkcolWithoutSlashStatus: Int?
    /// The `WWW-Authenticate` schemes any answer offered (Basic, Digest …).
    public var authenticationSchemes: Set<String>
    public var lintRules: Set<String>
    public var bodyBytes: Int?
    public var foreignOrigins: [String]
    public var itemsWithMissingPropstats: Int
    /// Whether the answer was a multistatus (the payload needs can only be judged then).
    public var hasMultistatus = false
    /// RFC 6764 discovery: the status and Location of `/.well-known/caldav` and `/.well-known/carddav`.
    public var wellKnown: [String: (status: Int, location: String?)] = [:]
    /// PROPFIND Depth 0 of the URL for what calendar and contacts clients read first; nil when it did not answer 207.
    public var calendarView: CalendarView?

    /// What the URL told a calendar or contacts client about itself.
    public struct CalendarView: Sendable {
        public var principal: String?
        public var homeSets: [String]
        public var isCalendarOrAddressBook: Bool
        public var offersSync: Bool
        public var hasCTag: Bool

        public init(principal: String?, homeSets: [String], isCalendarOrAddressBook: Bool, offersSync: Bool, hasCTag: Bool) {
            self.principal = principal
            self.homeSets = homeSets
            self.isCalendarOrAddressBook = isCalendarOrAddressBook
            self.offersSync = offersSync
            self.hasCTag = hasCTag
        }
    }

    public init(url: String, method: String = "PROPFIND", depth: String? = nil) {
        self.url = url
        self.method = method
        self.depth = depth
        authenticationSchemes = []
        lintRules = []
        foreignOrigins = []
        itemsWithMissingPropstats = 0
    }

    /// Gathers the evidence from a finished check (its answer, lint and probes).
    public init(_ result: CheckResult) {
        let analysis = result.analysis
        self.init(url: analysis.context.request.url, method: analysis.context.method, depth: analysis.context.request.headers["Depth"])
        lintRules = Set(analysis.lint.map(\.rule.id))
        bodyBytes = analysis.bodyInfo?.bytes
        if let collector = analysis.collector {
            hasMultistatus = true
            foreignOrigins = collector.foreignOrigins.keys.sorted()
            itemsWithMissingPropstats = collector.records.filter { $0.properties.contains { $0.status == 404 } }.count
        }
        var heads: [ResponseHead] = analysis.head.map { [$0] } ?? []
        var hadCredentials = false
        for outcome in result.probes {
            guard let head = outcome.head else { continue }
            heads.append(head)
            switch outcome.probe.kind {
            case .serverOptions: options = head
            case .anonymousOptions:
                anonymousOptionsStatus = head.status
                hadCredentials = true
            case .rootOptions: rootOptions = head
            case .missingPath: missingPathStatus = head.status
            case .quotaProperties:
                if head.status == 207, var parser = Optional(MultiStatusParser()) {
                    var statuses: [Int] = []
                    try? parser.feed(outcome.body) { response in
                        for propstat in response.propstats {
                            statuses.append(contentsOf: propstat.properties.map { _ in propstat.status?.code ?? 0 })
                        }
                    }
                    _ = try? parser.finish { _ in }
                    quotaStatuses = statuses
                } else {
                    quotaStatuses = [head.status]
                }
            case .mkcolWithoutSlash: mkcolWithoutSlashStatus = head.status
            case .wellKnown: wellKnown[Href(outcome.probe.url).displayPath] = (head.status, head.headers["Location"])
            case .reportTarget:
                // The client profiles' own PROPFIND, or (after a REPORT) the investigation's: the same question.
                guard let target = ReportProbes.Target(outcome), let response = outcome.multistatus?.responses.first else { break }
                let homes = [CalDAV.calendarHomeSet, CardDAV.addressbookHomeSet].compactMap {
                    response.value(of: $0)?.element.firstChild(DAV.href)?.text.trimmingASCIIWhitespace()
                }
                calendarView = CalendarView(
                    principal: target.principal, homeSets: homes, isCalendarOrAddressBook: target.isCalendar || target.isAddressBook,
                    offersSync: target.syncToken != nil || (target.reports ?? []).contains(ReportKind.syncCollection.element),
                    hasCTag: target.ctag != nil)
            default: break
            }
        }
        if !hadCredentials { anonymousOptionsStatus = options?.status }
        for head in heads {
            for challenge in head.headers.values("WWW-Authenticate") {
                if let scheme = challenge.split(separator: " ").first {
                    authenticationSchemes.insert(scheme.prefix(1).uppercased() + scheme.dropFirst().lowercased())
                }
            }
        }
    }

    /// The `DAV` classes OPTIONS advertised; nil when OPTIONS did not answer.
    var davClasses: Set<String>? {
        guard let options, options.status < 400 else { return nil }
        return Set((options.headers["DAV"] ?? "").split(separator: ",").map { $0.trimmingASCIIWhitespace() })
    }

    /// The methods OPTIONS listed in `Allow`; nil when it listed none.
    var allowed: Set<String>? {
        guard let allow = options?.headers["Allow"] else { return nil }
        return Set(allow.split(separator: ",").map { $0.trimmingASCIIWhitespace().uppercased() })
    }

    var isHTTPS: Bool { url.lowercased().hasPrefix("https:") }
}

extension Client {
    /// Clients of calendars and address books: their needs are judged from discovery and change markers.
    public var isCalendarClient: Bool { self == .davx5 || self == .thunderbird || self == .apple }
}
