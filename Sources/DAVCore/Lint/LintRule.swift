/// One way a multistatus can depart from RFC 4918, with the section it breaks and the clients it is
/// known to break (from the failure catalog, whose entry id is in `catalog`).
public struct LintRule: Sendable, Hashable {
    public var id: String
    public var section: String
    public var summary: String
    /// Clients known to fail on it, and how.
    public var breaks: String
    /// The failure catalog entry (`PAY-01` …) that documents it, if any.
    public var catalog: String?
    public var severity: Severity

    public enum Severity: String, Sendable, Hashable, Codable {
        /// Breaks the RFC and real clients.
        case error
        /// Allowed or tolerated by the RFC but known to break some clients.
        case warning
    }
}

/// The catalogue of lint rules.
public enum LintRules {
    public static let missingHref = LintRule(
        id: "missing-href", section: "RFC 4918 §14.24",
        summary: "a <D:response> has no <D:href>", breaks: "every client: the status cannot be tied to a resource",
        catalog: "PAY-11", severity: .error)
    public static let statusAndPropstat = LintRule(
        id: "status-and-propstat", section: "RFC 4918 §14.24",
        summary: "a <D:response> carries both <D:status> and <D:propstat>", breaks: "sabre/dav's client and others read only one of them",
        catalog: "PAY-11", severity: .error)
    public static let missingStatus = LintRule(
        id: "missing-status", section: "RFC 4918 §14.22, §14.24",
        summary: "a <D:response> or <D:propstat> has no <D:status>",
        breaks: "sabre/dav's client crashes (Undefined index {DAV:}status), Nextcloud external storage, litmus warns",
        catalog: "PAY-06", severity: .error)
    public static let hrefsWithPropstat = LintRule(
        id: "several-hrefs-with-propstat", section: "RFC 4918 §14.24",
        summary: "a <D:response> with <D:propstat> names more than one <D:href>", breaks: "clients attach the properties to the first href only",
        catalog: "PAY-11", severity: .error)
    public static let statusLine = LintRule(
        id: "status-line", section: "RFC 4918 §14.28",
        summary: "a <D:status> is not an HTTP/1.x status line", breaks: "DAVx5 (dav4jvm requires \"HTTP/1.\"), okhttp-based clients",
        catalog: "PAY-01", severity: .error)
    public static let hrefNotEncoded = LintRule(
        id: "href-not-encoded", section: "RFC 4918 §8.3, RFC 3986 §2",
        summary: "an href holds characters that must be percent-encoded",
        breaks: "WinSCP (raw spaces), strict URI parsers in rclone and Java clients",
        catalog: "PATH-01", severity: .error)
    public static let hrefDoubleEncoded = LintRule(
        id: "href-double-encoded", section: "RFC 3986 §2.4, RFC 4918 §8.3",
        summary: "an href is percent-encoded twice (%2520 where a space reads %20)",
        breaks: "every client: it shows and asks for a name with a literal %20 in it, so the file is not found (404) or is saved under a new name",
        catalog: "PATH-08", severity: .error)
    public static let hrefMixedOrigins = LintRule(
        id: "href-mixed-origins", section: "RFC 4918 §8.3",
        summary: "hrefs mix absolute URLs of different schemes or hosts, or mix absolute URLs with paths",
        breaks: "rclone ≥ 1.74 drops items whose host differs from the one it connected to",
        catalog: "PROXY-02", severity: .warning)
    public static let hrefDoubleSlash = LintRule(
        id: "href-double-slash", section: "RFC 3986 §3.3",
        summary: "an href path contains \"//\"", breaks: "Joplin and clients that join paths (404 on the next request)",
        catalog: "PATH-03", severity: .warning)
    public static let hrefDotSegment = LintRule(
        id: "href-dot-segment", section: "RFC 3986 §5.2.4",
        summary: "an href contains a \".\" or \"..\" segment", breaks: "Cyberduck fails the listing and falls back to the root",
        catalog: "PATH-09", severity: .warning)
    public static let duplicateHref = LintRule(
        id: "duplicate-href", section: "RFC 4918 §13",
        summary: "the same resource appears in more than one <D:response>",
        breaks: "rclone and sync clients list the item twice or see phantom conflicts",
        catalog: "CLI-04", severity: .warning)
    public static let lastModifiedFormat = LintRule(
        id: "getlastmodified-format", section: "RFC 4918 §15.7, RFC 9110 §5.6.7",
        summary: "getlastmodified is not an RFC 1123 date in GMT (\"Sun, 06 Nov 1994 08:49:37 GMT\")",
        breaks: "rclone (parsing time … cannot parse), DAVx5 (Couldn't parse HTTP date), ownCloud Android (1/1/1970)",
        catalog: "PAY-03", severity: .error)
    public static let creationDateFormat = LintRule(
        id: "creationdate-format", section: "RFC 4918 §15.1, RFC 3339",
        summary: "creationdate is not an RFC 3339 date-time", breaks: "clients that parse it strictly; the Windows Mini-Redirector is picky about it",
        catalog: "PAY-04", severity: .warning)
    public static let collectionContentLength = LintRule(
        id: "getcontentlength-on-collection", section: "RFC 4918 §15.4",
        summary: "a collection reports getcontentlength", breaks: "iOS AVPlayer-based clients and others list the folder as a file",
        catalog: "PAY-07", severity: .warning)
    public static let contentLengthValue = LintRule(
        id: "getcontentlength-value", section: "RFC 4918 §15.4",
        summary: "getcontentlength is not a non-negative integer", breaks: "ownCloud clients (negative sizes), WinSCP (invalid length)",
        catalog: "PAY-07", severity: .error)
    public static let unboundPrefix = LintRule(
        id: "unbound-prefix", section: "Namespaces in XML 1.0 §5",
        summary: "an element uses a namespace prefix that is not declared",
        breaks: "Cyberduck (Not a valid DAV response), the Windows Mini-Redirector, every namespace-aware parser",
        catalog: "PAY-02", severity: .error)
    public static let undefinedEntity = LintRule(
        id: "undefined-entity", section: "XML 1.0 §4.1",
        summary: "the XML uses an entity XML does not define (an HTML entity such as &Atilde;)",
        breaks: "davfs2 aborts the mount (XML parse error … Entity not defined), every strict XML parser",
        catalog: "PAY-05", severity: .error)
    /// What a body that is not well-formed XML breaks, whatever made it so.
    public static let notWellFormedBreaks =
        "every strict XML parser rejects the whole listing, so the client shows none of it: davfs2 and GNOME gvfs (libxml2), "
        + "expat, Windows (MSXML/.NET), DAVx5 and Cyberduck (Java parsers), rclone (Go encoding/xml)"
    public static let forbiddenCharacter = LintRule(
        id: "xml-forbidden-character", section: "XML 1.0 §2.2",
        summary: "the body holds a character XML 1.0 forbids (a control character), so it is not well-formed",
        breaks: notWellFormedBreaks,
        catalog: nil, severity: .error)
    public static let notUTF8 = LintRule(
        id: "xml-not-utf8", section: "XML 1.0 §4.3.3, RFC 4918 §8.2",
        summary: "the body holds bytes that are not UTF-8 in a document that declares UTF-8",
        breaks: notWellFormedBreaks,
        catalog: nil, severity: .error)
    public static let nonDAVRoot = LintRule(
        id: "root-not-dav", section: "RFC 4918 §14.16",
        summary: "the root element is not {DAV:}multistatus", breaks: "every namespace-aware client rejects the body",
        catalog: "PAY-11", severity: .error)
    public static let contentType = LintRule(
        id: "content-type", section: "RFC 4918 §8.2",
        summary: "a 207 is not labelled application/xml or text/xml", breaks: "clients that check the media type before parsing (Cyberduck, Office)",
        catalog: "PAY-11", severity: .warning)
    public static let emptyBody = LintRule(
        id: "empty-207", section: "RFC 4918 §13",
        summary: "a 207 Multi-Status has no body", breaks: "every client: there is nothing to read",
        catalog: "PAY-11", severity: .error)
    public static let emptyMultistatus = LintRule(
        id: "empty-multistatus", section: "RFC 4918 §9.1",
        summary: "a PROPFIND multistatus has no <D:response> at all",
        breaks: "clients show an empty folder or fail (\"Item with unknown path received\")",
        catalog: "PATH-06", severity: .error)

    public static let propertyOmitted = LintRule(
        id: "requested-property-omitted", section: "RFC 4918 §9.1",
        summary: "properties the PROPFIND asked for by name are missing from the answer instead of reported with 404",
        breaks: "sabre/dav's client and Nextcloud external storage (Undefined index), litmus warns (Property omitted from results)",
        catalog: "PAY-06", severity: .error)

    public static let all: [LintRule] = [
        missingHref, statusAndPropstat, missingStatus, hrefsWithPropstat, statusLine, hrefNotEncoded, hrefDoubleEncoded, hrefMixedOrigins,
        hrefDoubleSlash, hrefDotSegment, duplicateHref, lastModifiedFormat, creationDateFormat, collectionContentLength,
        contentLengthValue, unboundPrefix, undefinedEntity, forbiddenCharacter, notUTF8, nonDAVRoot, contentType, emptyBody,
        emptyMultistatus, propertyOmitted,
    ]
}
