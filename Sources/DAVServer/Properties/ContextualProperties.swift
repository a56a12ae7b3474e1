import DAVCore

/// Live properties computed from the server's state or from who asks, not from the resource alone:
/// `DAV:sync-token` (RFC 6578 §4), `DAV:supported-report-set` (RFC 3253 §3.1.5) and
/// `DAV:current-user-principal` (RFC 5397 §3).
///
/// None is in `allprop`: RFC 6578 §4 says sync-token SHOULD NOT be, and RFC 3253 and RFC 5397 define theirs
/// outside RFC 4918's list; so the allprop answer, and its fast path (``AllpropMemberWriter``), are unchanged.
/// They are protected (PROPPATCH answers 403 `DAV:cannot-modify-protected-property`) and listed by propname.
enum ContextualProperties {
    static let names: Set<QualifiedName> = [DAV.syncToken, DAV.supportedReportSet, DAV.currentUserPrincipal]

    /// The names that exist on this resource: the sync token only on collections (the only resources
    /// sync-collection applies to).
    static func names(for info: ResourceInfo) -> [QualifiedName] {
        info.isCollection ? [DAV.supportedReportSet, DAV.syncToken, DAV.currentUserPrincipal] : [DAV.supportedReportSet, DAV.currentUserPrincipal]
    }

    /// The value of `name` for `info`, or nil when the resource has none. The change log's window is read
    /// once per request (`figures`): with a shared store, that is a query to PostgreSQL.
    static func value(_ name: QualifiedName, info: ResourceInfo, options: DAVServerOptions, figures: RequestFigures, user: String?) throws
        -> Property?
    {
        switch name {
        case DAV.syncToken:
            guard info.isCollection else { return nil }
            return Property(name, text: SyncToken(logID: options.changes.logID, revision: try figures.window().newest).uri)
        case DAV.supportedReportSet: return info.isCollection ? collectionReports : noReports
        case DAV.currentUserPrincipal: return currentUserPrincipal(user, options: options)
        default: return nil
        }
    }

    /// The signed-in user's principal URL, or `<D:unauthenticated/>`.
    static func currentUserPrincipal(_ user: String?, options: DAVServerOptions) -> Property {
        guard let user else { return Property(DAV.currentUserPrincipal, children: [XMLElement(DAV.unauthenticated)]) }
        return Property(DAV.currentUserPrincipal, children: [XMLElement(DAV.href, children: [.text(principalHref(user, options: options))])])
    }

    static func principalHref(_ user: String, options: DAVServerOptions) -> String {
        options.principalsPath.appending(user).href(isCollection: true)
    }

    /// The reports a collection answers: sync-collection only (no expand-property).
    private static let collectionReports = Property.constant(
        XMLElement(
            DAV.supportedReportSet,
            children: [
                .element(
                    XMLElement(
                        DAV.supportedReport,
                        children: [.element(XMLElement(DAV.report, children: [.element(XMLElement(DAV.syncCollection))]))]))
            ]))
    /// Files, principals and the principal collection answer no report.
    static let noReports = Property(DAV.supportedReportSet)
}
