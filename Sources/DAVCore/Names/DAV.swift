/// The `DAV:` element names of RFC 4918 (and RFC 4331 quota, RFC 6578 sync) that davdoctor reads or writes.
public enum DAV {
    public static let namespace = "DAV:"

    static func name(_ local: String) -> QualifiedName { QualifiedName(namespace, local) }

    // §14: XML elements
    public static let multistatus = name("multistatus")
    public static let response = name("response")
    public static let href = name("href")
    public static let status = name("status")
    public static let propstat = name("propstat")
    public static let prop = name("prop")
    public static let error = name("error")
    public static let responsedescription = name("responsedescription")
    public static let location = name("location")
    public static let propfind = name("propfind")
    public static let allprop = name("allprop")
    public static let propname = name("propname")
    public static let include = name("include")
    public static let propertyupdate = name("propertyupdate")
    public static let set = name("set")
    public static let remove = name("remove")
    public static let lockinfo = name("lockinfo")
    public static let lockscope = name("lockscope")
    public static let locktype = name("locktype")
    public static let exclusive = name("exclusive")
    public static let shared = name("shared")
    public static let write = name("write")
    public static let owner = name("owner")
    public static let activelock = name("activelock")
    public static let depth = name("depth")
    public static let timeout = name("timeout")
    public static let locktoken = name("locktoken")
    public static let lockroot = name("lockroot")
    public static let lockentry = name("lockentry")
    public static let collection = name("collection")
    public static let syncToken = name("sync-token")

    // §15: properties
    public static let creationdate = name("creationdate")
    public static let displayname = name("displayname")
    public static let getcontentlanguage = name("getcontentlanguage")
    public static let getcontentlength = name("getcontentlength")
    public static let getcontenttype = name("getcontenttype")
    public static let getetag = name("getetag")
    public static let getlastmodified = name("getlastmodified")
    public static let lockdiscovery = name("lockdiscovery")
    public static let resourcetype = name("resourcetype")
    public static let supportedlock = name("supportedlock")
    // RFC 4331
    public static let quotaAvailableBytes = name("quota-available-bytes")
    public static let quotaUsedBytes = name("quota-used-bytes")

    // §16: preconditions and postconditions
    public static let lockTokenSubmitted = name("lock-token-submitted")
    public static let noConflictingLock = name("no-conflicting-lock")
    public static let lockTokenMatchesRequestURI = name("lock-token-matches-request-uri")
    public static let noExternalEntities = name("no-external-entities")
    public static let preservedLiveProperties = name("preserved-live-properties")
    public static let propfindFiniteDepth = name("propfind-finite-depth")
    public static let cannotModifyProtectedProperty = name("cannot-modify-protected-property")
    // RFC 4331 §5
    public static let quotaNotExceeded = name("quota-not-exceeded")
    public static let sufficientDiskSpace = name("sufficient-disk-space")
    // RFC 6578 §3.2, §3.7
    public static let validSyncToken = name("valid-sync-token")
    public static let numberOfMatchesWithinLimits = name("number-of-matches-within-limits")
    // RFC 3744 §7.1.1
    public static let needPrivileges = name("need-privileges")

    // REPORT (RFC 3253 §3.6, §3.1.5) and collection synchronisation (RFC 6578 §6)
    public static let supportedReport = name("supported-report")
    public static let supportedReportSet = name("supported-report-set")
    public static let report = name("report")
    public static let syncCollection = name("sync-collection")
    public static let syncLevel = name("sync-level")
    /// RFC 5323 §5.17, as RFC 6578 §3.7 uses them.
    public static let limit = name("limit")
    public static let nresults = name("nresults")
    // Principals: RFC 5397 §3, RFC 3744 §4, §4.2
    public static let currentUserPrincipal = name("current-user-principal")
    public static let unauthenticated = name("unauthenticated")
    public static let principal = name("principal")
    public static let principalURL = name("principal-URL")
}

/// CalDAV (RFC 4791) and CardDAV (RFC 6352) names the diagnosis reads.
public enum CalDAV {
    public static let namespace = "urn:ietf:params:xml:ns:caldav"
    public static let noUIDConflict = QualifiedName(namespace, "no-uid-conflict")
    public static let validCalendarData = QualifiedName(namespace, "valid-calendar-data")
    public static let supportedCalendarComponent = QualifiedName(namespace, "supported-calendar-component")
    /// In resourcetype: a calendar collection.
    public static let calendar = QualifiedName(namespace, "calendar")
}

public enum CardDAV {
    public static let namespace = "urn:ietf:params:xml:ns:carddav"
    public static let noUIDConflict = QualifiedName(namespace, "no-uid-conflict")
    public static let validAddressData = QualifiedName(namespace, "valid-address-data")
    /// In resourcetype: an address book collection.
    public static let addressbook = QualifiedName(namespace, "addressbook")
}
