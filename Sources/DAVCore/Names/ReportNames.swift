/// The CalDAV, CardDAV and CalendarServer names REPORTs are made of (RFC 4791, RFC 6352); the DAV: ones
/// (RFC 3253, RFC 3744, RFC 5397, RFC 6578) are in DAV.swift.
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
