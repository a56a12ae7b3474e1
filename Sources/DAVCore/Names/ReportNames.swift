/// The names REPORTs are made of (RFC 3253, RFC 3744, RFC 5397, RFC 6578, RFC 4791, RFC 6352, RFC 6764):
/// kept apart from RFC 4918's so each list stays readable.
extension DAV {
    // RFC 6578: sync-collection
    public static let syncLevel = name("sync-level")
    public static let limit = name("limit")
    public static let nresults = name("nresults")
    // RFC 3253 §3.1.5, §3.6: what a resource offers, and the refusal of anything else
    public static let supportedReportSet = name("supported-report-set")
    public static let supportedReport = name("supported-report")
    public static let report = name("report")
    // RFC 5397, RFC 3744: whose requests these are
    public static let currentUserPrincipal = name("current-user-principal")
    public static let principalURL = name("principal-URL")
    public static let principal = name("principal")
    public static let unauthenticated = name("unauthenticated")
}

extension CalDAV {
    public static let calendarData = QualifiedName(namespace, "calendar-data")
    public static let filter = QualifiedName(namespace, "filter")
    public static let compFilter = QualifiedName(namespace, "comp-filter")
    public static let timeRange = QualifiedName(namespace, "time-range")
    public static let calendarHomeSet = QualifiedName(namespace, "calendar-home-set")
    public static let supportedCalendarData = QualifiedName(namespace, "supported-calendar-data")
    public static let validFilter = QualifiedName(namespace, "valid-filter")
    public static let supportedFilterCondition = QualifiedName(namespace, "supported-filter")
}

extension CardDAV {
    public static let addressData = QualifiedName(namespace, "address-data")
    public static let filter = QualifiedName(namespace, "filter")
    public static let addressbookHomeSet = QualifiedName(namespace, "addressbook-home-set")
    public static let supportedAddressData = QualifiedName(namespace, "supported-address-data")
    public static let supportedFilterCondition = QualifiedName(namespace, "supported-filter")
}

/// Apple's CalendarServer extensions that clients still depend on.
public enum CalendarServer {
    public static let namespace = "http://calendarserver.org/ns/"
    /// A collection's change tag: DAVx5, Thunderbird and Apple clients compare it before syncing.
    public static let getctag = QualifiedName(namespace, "getctag")
}
