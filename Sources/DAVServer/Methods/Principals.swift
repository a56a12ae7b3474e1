import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// Principals (RFC 3744 §2; the target of `DAV:current-user-principal`, RFC 5397): `principalsPath` is a
    /// collection with one principal per configured user, `<principalsPath>/<user>/`. They are made from the
    /// configuration, never read from the storage: nothing of the served tree, nor outside it, is reached
    /// through them, and nothing can be written there.
    ///
    /// Who sees what: with no users configured there is no principal (the collection is empty). With users,
    /// an anonymous request is 401; a signed-in user sees the collection and their own principal; another
    /// user's principal answers 404 like a name that is not configured, so principals do not tell who else
    /// has an account. PROPFIND is answered (a principal's `resourcetype` is collection and principal, with
    /// `displayname` and `principal-URL`); REPORT is 403 `DAV:supported-report`; GET and HEAD are 405;
    /// every method that changes something is 403.
    func handlePrincipal(_ exchange: ServerExchange, method: String) async throws -> Response {
        if options.access.requiresAuthentication && exchange.user == nil { throw unauthorized() }
        let base = options.principalsPath
        let path = exchange.path
        let own = exchange.user.map { base.appending($0) }
        let exists = path == base || path == own
        switch method {
        case "PROPFIND":
            let depth = try exchange.depth(default: .infinity)
            let request = try Self.readPropfind(try await exchange.xmlBody())
            guard exists else { throw DAVError.notFound() }
            var responses = [principalResponse(path, request, user: exchange.user)]
            if depth != .zero, path == base, let own { responses.append(principalResponse(own, request, user: exchange.user)) }
            return try Responses.multiStatus(responses, exchange: exchange)
        case "REPORT":
            guard let body = try await exchange.xmlBody() else { throw DAVError.badRequest("REPORT needs an XML body naming the report") }
            guard exists else { throw DAVError.notFound() }
            throw Self.unsupportedReport(body.name)
        case "GET", "HEAD":
            guard exists else { throw DAVError.notFound() }
            throw DAVError(405, "a principal answers PROPFIND only", headers: [("Allow", "OPTIONS, PROPFIND, REPORT")])
        default:
            throw DAVError.forbidden("\(base.href(isCollection: true)) is reserved for principals and cannot be changed")
        }
    }

    /// The properties of the principal collection or of one principal, for any PROPFIND body.
    private func principalResponse(_ path: ResourcePath, _ request: PropfindRequest, user: String?) -> DAVCore.Response {
        let isPrincipal = path != options.principalsPath
        let href = path.href(isCollection: true)
        var kinds = [XMLElement(DAV.collection)]
        if isPrincipal { kinds.append(XMLElement(DAV.principal)) }
        var available = [
            Property(DAV.resourcetype, children: kinds),
            Property(DAV.displayname, text: isPrincipal ? path.name : "principals"),
        ]
        if isPrincipal { available.append(Property(DAV.principalURL, children: [XMLElement(DAV.href, children: [.text(href)])])) }
        available.append(ContextualProperties.currentUserPrincipal(user, options: options))
        available.append(ContextualProperties.noReports)

        var found: [Property] = []
        var missing: [Property] = []
        switch request {
        case .propname:
            found = available.map { Property($0.name) }
        case .allprop(let include):
            found = available.filter { $0.name == DAV.resourcetype || $0.name == DAV.displayname || include.contains($0.name) }
        case .prop(let names):
            for name in names {
                if let value = available.first(where: { $0.name == name }) { found.append(value) } else { missing.append(Property(name)) }
            }
        }
        var propstats: [PropStat] = []
        if !found.isEmpty || missing.isEmpty { propstats.append(PropStat(properties: found, status: StatusLine(code: 200))) }
        if !missing.isEmpty { propstats.append(PropStat(properties: missing, status: StatusLine(code: 404))) }
        return DAVCore.Response(hrefs: [href], propstats: propstats)
    }
}

extension DAVServer {
    /// Refuses to serve a tree with an entry where principals live: it would be unreachable, shadowed by
    /// them. Call before listening; the fix is to rename the entry or to choose another `principals` path.
    public static func checkPrincipalsPath(_ options: DAVServerOptions) throws {
        let path = options.principalsPath
        let found: ResourceInfo?
        do { found = try options.storage.info(at: path) } catch { found = nil }
        guard found == nil else {
            throw DAVError(
                500,
                "the served directory holds \(path), where principals are answered; rename it or set another `principals` path in the config")
        }
    }
}
