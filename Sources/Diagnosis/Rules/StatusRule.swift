import DAVCore

/// The answers a WebDAV request gets instead of a 207 — a 401, an HTML 403 for Depth infinity, a 405,
/// a bare 423, a 502 for a Destination — read as what they say about the request.
enum StatusRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let head = input.head else { return [] }
        let status = head.status
        let method = input.context.method
        let path = input.context.requestPath
        let server = input.server.kind
        let conditions = input.errorBody?.elements.map(\.name) ?? []
        let excerpt = input.bodyExcerpt
        var evidence = ["\(method) \(path) answered \(head.statusLine)"]
        if let e = input.server.evidence { evidence.append(e) }
        if let title = htmlTitle(excerpt) { evidence.append("the error page says: \(title)") }
        if !conditions.isEmpty { evidence.append("<D:error> holds \(conditions.map(\.description).joined(separator: ", "))") }
        // A Destination trouble concerns the target as much as the source.
        let destinationPath = input.context.request.headers["Destination"].map { Href($0).displayPath }
        func finding(_ cause: Cause, _ likelihood: Likelihood? = nil, _ title: String, _ fixes: [Fix], extra: [String] = []) -> [Finding] {
            let resources = cause == .proxy ? [path] + (destinationPath.map { [$0] } ?? []) : [path]
            var made = Finding(
                cause: cause, likelihood: likelihood, title: title, resources: resources, evidence: evidence + extra, fixes: fixes, status: status)
            // The rule's own reason, not the status line, the Server header or the page it restates.
            made.because = extra.first
            return [made]
        }

        if (400..<500).contains(status), status != 401, status != 423, let name = Self.fileNameWithSlash(input.context.requestHref.path) {
            return finding(
                .path, .high, "\(name) looks like a file, asked for with a trailing slash (\(status))",
                [Fix("Ask for \(URLPath.withoutTrailingSlash(path)) without the slash: a URL ending in / names a collection (RFC 4918 §5.2)", .easy)],
                extra: ["the last segment \(name) has a file extension, yet the URL ends in /; servers answer 403, 404 or 409 for it"])
        }
        if server == .rclone,
            let habits = goWebDAV(
                method: method, status: status, path: path, destination: input.context.request.headers["Destination"], server: server,
                make: { finding($0, $1, $2, $3, extra: $4) })
        {
            return habits
        }
        if server == .xandikos, let habits = xandikos(method: method, status: status, path: path, make: { finding($0, $1, $2, $3, extra: $4) }) {
            return habits
        }
        if server == .radicale, let habits = radicale(method: method, status: status, path: path, make: { finding($0, $1, $2, $3, extra: $4) }) {
            return habits
        }
        switch status {
        case 200..<300:
            if method == "OPTIONS", head.headers["DAV"] == nil, let allow = head.headers["Allow"],
                allow.uppercased().contains("PROPFIND") || allow.uppercased().contains("MKCOL")
            {
                return finding(
                    .proxy, .high,
                    "the answer to OPTIONS lacks the DAV header, though the server allows \(allow.uppercased().contains("PROPFIND") ? "PROPFIND" : "MKCOL")",
                    [
                        Fix(
                            "Let the DAV (and MS-Author-Via) response headers through the proxy: remove the http-response del-header / proxy_hide_header / Header unset that drops them",
                            .easy)
                    ],
                    extra: [
                        "Allow: \(allow)",
                        "a WebDAV server announces its classes in DAV: on OPTIONS (RFC 4918 §10.1); clients such as the Windows Mini-Redirector and Finder give up without it, so something between them removed it",
                    ]
                        + ProxyRule.proxyHeaders(head))
            }
            if method == "OPTIONS", head.headers["DAV"] == nil {
                // RFC 4918 §10.1: a resource that supports WebDAV names its classes in DAV on OPTIONS. With no
                // write or WebDAV method in Allow either, the answer came from a handler that knows no WebDAV.
                let allowed = Set((head.headers["Allow"] ?? "").split(separator: ",").map { $0.trimmingASCIIWhitespace().uppercased() })
                if allowed.isDisjoint(with: ["PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "PUT", "DELETE"]) {
                    return finding(
                        .serverConfig, .high, "WebDAV is not enabled at \(path): OPTIONS answers without a DAV header",
                        FixBook.methodNotAllowed("PROPFIND", allow: head.headers["Allow"], server: server),
                        extra: [
                            head.headers["Allow"].map { "Allow: \($0) names no WebDAV method" } ?? "no Allow header names a WebDAV method",
                            "a WebDAV resource announces its classes in DAV: on OPTIONS (RFC 4918 §10.1); clients stop here",
                        ])
                }
            }
            if method == "PROPFIND", status != 207, input.collector == nil, head.mediaType?.contains("html") != true, !input.bodyExcerpt.isEmpty {
                // (Not REPORT: a CalDAV free-busy-query is answered 200 text/calendar, RFC 4791 §7.10.)
                // A body that is neither a multistatus nor an error page is what GET of the resource returns:
                // the request was served as a GET, by a cache that fetches misses with GET (Varnish's
                // built-in fetch does) or by a handler that ignores the method.
                let relayed = ProxyRule.proxyHeaders(head)
                let type = head.mediaType ?? "no Content-Type"
                if !relayed.isEmpty {
                    return finding(
                        .proxy, .high, "\(method) got the resource's content (\(status), \(type)): a cache in between answered it as a GET",
                        [
                            Fix(
                                "Pass WebDAV methods to the server untouched: in Varnish's vcl_recv return (pass) or (pipe) for PROPFIND, PROPPATCH, REPORT, MKCOL, COPY, MOVE, LOCK and UNLOCK; in nginx or Apache caches, cache GET and HEAD only",
                                .medium)
                        ],
                        extra: [
                            "a \(method) is answered with 207 Multi-Status or an error; \(status) with \(type) is the answer to GET",
                            "Varnish fetches a cache miss with GET unless the VCL keeps the method",
                        ] + relayed)
                }
                return finding(
                    .serverConfig, .medium, "WebDAV is not enabled at \(path): \(method) got the resource's content (\(status), \(type))",
                    FixBook.methodNotAllowed(method, allow: head.headers["Allow"], server: server),
                    extra: [
                        "a \(method) is answered with 207 Multi-Status or an error; \(status) with \(type) is what a handler without WebDAV gives any method"
                    ])
            }
            if method == "PROPFIND" && status != 207 {
                if input.collector != nil {
                    return finding(
                        .proxy, .high, "a multistatus arrived with status \(status) instead of 207",
                        [Fix("Bypass the proxy to compare (davdoctor proxy --direct … --via …); have it pass 207 through unchanged", .medium)],
                        extra: ["the body is a multistatus, so something between client and server rewrote the status (catalog PROXY-06)"])
                }
                if head.mediaType?.contains("html") == true {
                    return finding(
                        .serverConfig, .high, "WebDAV is not enabled at \(path): PROPFIND got a web page",
                        FixBook.methodNotAllowed("PROPFIND", allow: head.headers["Allow"], server: server))
                }
            }
            return []
        case 304:
            // Not Modified: the client's cached copy is current, which is what a conditional GET hopes for.
            return []
        case 300..<400:
            let location = head.headers["Location"] ?? ""
            if let discovery = DiscoveryRule.redirect(input, location: location) { return discovery }
            let requestPath = URLPath.withoutTrailingSlash(input.context.requestPath)
            let locationPath = URLPath.withoutTrailingSlash(Href(location).displayPath)
            if input.context.urlKnown, !location.isEmpty, locationPath.count < requestPath.count, requestPath.hasSuffix(locationPath),
                locationPath != "/"
            {
                let prefix = String(requestPath.dropLast(locationPath.count))
                return finding(
                    .proxy, .high, "the redirect drops the \(prefix) prefix: a proxy strips it before the backend",
                    FixBook.proxyHrefs(prefix: prefix, extra: nil, foreignOrigin: nil),
                    extra: ["Location: \(location) (asked for \(input.context.requestPath))"])
            }
            let target = Href(location)
            if target.scheme == "https", input.context.requestHref.scheme == "http", target.path == input.context.requestHref.path,
                target.normalizedAuthority.map({ host($0) }) == input.context.requestHref.normalizedAuthority.map({ host($0) })
            {
                return finding(
                    .proxy, .high, "the front end sends plain http to https (\(status)); WebDAV clients do not follow redirects for \(method)",
                    [Fix("Use the https URL (\(location)) in the client; the redirect loses the method and body of every request but GET", .easy)],
                    extra: ["Location: \(location) is the same host and path with https: a redirect rule in the proxy or server in front"])
            }
            let trailing =
                URLPath.withoutTrailingSlash(Href(location).path) == URLPath.withoutTrailingSlash(input.context.requestHref.path)
                && Href(location).path.hasSuffix("/")
            if let foreign = foreignOrigin(in: excerpt, comparedTo: input.context.requestHref) {
                return finding(
                    .proxy, .high, "the redirect names \(foreign), not the address asked for: Host is not passed through the proxy",
                    FixBook.proxyHrefs(prefix: nil, extra: nil, foreignOrigin: foreign), extra: ["the body of the \(status) links to \(foreign)"]
                )
                .map {
                    var made = $0
                    made.signs = [Sign("redirect-names-other-origin", subject: path, value: foreign)]
                    return made
                }
                    + (trailing
                        ? finding(
                            .path, .medium, "\(path) is a collection: ask for it with a trailing slash",
                            [Fix("Ask for \(URLPath.withoutTrailingSlash(path))/", .easy)]) : [])
            }
            if trailing {
                return finding(
                    .path, .high, "\(path) is a collection: the server redirects to the URL with a trailing slash",
                    [
                        Fix(
                            "Ask for \(URLPath.withoutTrailingSlash(path))/ (collections end in /); clients that do not follow redirects for PROPFIND fail here",
                            .easy)
                    ],
                    extra: ["Location: \(location)"])
            }
            return finding(.path, .medium, "\(path) moved to \(location)", [Fix("Use \(location)", .easy)], extra: ["Location: \(location)"])
        case 401:
            var extra: [String] = []
            if !input.context.request.carriesCredentials { extra.append("the request carried no Authorization header") }
            if let challenge = head.headers["WWW-Authenticate"] { extra.append("WWW-Authenticate: \(challenge)") }
            if method == "OPTIONS" {
                return finding(
                    .client, .high, "OPTIONS requires authentication: Office, the Windows Mini-Redirector and CORS preflights fail",
                    [
                        Fix(
                            "Exempt OPTIONS from authentication for the share (Apache <LimitExcept OPTIONS> around Require; nginx limit_except OPTIONS)",
                            .medium)
                    ], extra: extra)
            }
            // Credentials sent, and the challenge comes from a server behind a relay: the relay is where they are lost.
            let relayed = ServerProfile.relaySigns(head, bodyExcerpt: excerpt)
            if input.context.request.carriesCredentials, !relayed.isEmpty {
                return finding(
                    .proxy, .high, "credentials were sent, yet the server behind the proxy asks for them (401): the proxy drops Authorization",
                    FixBook.proxyDroppedHeaders(["Authorization"]),
                    extra: extra + relayed + [
                        "the request carried Authorization; a proxy that removes it (nginx proxy_set_header Authorization \"\", Apache RequestHeader unset Authorization) leaves the server behind it without credentials (catalog PERM-02)"
                    ])
                    + finding(
                        .permission, .medium, "or the credentials are wrong for \(path) (401)",
                        FixBook.permission([path], status: 401, server: server), extra: extra)
            }
            return finding(
                .permission, .high, "\(method) \(path) needs authentication (401)", FixBook.permission([path], status: 401, server: server),
                extra: extra)
        case 403 where method == "UNLOCK":
            return finding(
                .lock, .high, "the lock on \(path) is not this user's to release (403)",
                [Fix("Only the user who took the lock may UNLOCK it (RFC 4918 §9.11): ask them, or have an administrator remove the lock", .easy)],
                extra: ["UNLOCK answers 403 when the token is right but the lock belongs to another principal (RFC 4918 §9.11.1)"])
        case 403
        where server == .apache && writeMethods.contains(method)
            && PreconditionRule.conditions(of: input.context.request, method: method).contains(where: {
                if case .lockToken = $0 { true } else { false }
            }):
            return finding(
                .lock, .high, "\(path) is locked by another user, whose token this user submitted (403)",
                [
                    Fix(
                        "A lock token works only for the user who took the lock (RFC 4918 §6.4): ask them to release it, or take your own lock when theirs is gone",
                        .easy)
                ],
                extra: [
                    "Apache's mod_dav refuses a lock token created by another user with 403 (its error log: \"submitted a locktoken created by user …\")",
                    "If: \(input.context.request.headers["If"] ?? "")",
                ])
        case 403:
            let infinity = method == "PROPFIND" && input.context.depth == .infinity
            if conditions.contains(DAV.propfindFiniteDepth)
                || (infinity && (excerpt.lowercased().contains("infinity") || excerpt.isEmpty || server == .nginx))
            {
                var extra: [String] = []
                if !input.context.request.depthWasSent { extra.append("no Depth header was sent, and PROPFIND without one means Depth: infinity") }
                return finding(
                    .serverConfig, .high, "the server refuses Depth: infinity for \(path)", FixBook.depthInfinity(server: server), extra: extra)
            }
            if infinity {
                return [
                    Finding(
                        cause: .serverConfig, likelihood: .medium, title: "\(path) refused a Depth: infinity PROPFIND (403)",
                        resources: [path],
                        evidence: evidence + ["if a Depth: 1 PROPFIND of the same URL works, this is the finite-depth refusal of RFC 4918 §9.1"],
                        fixes: FixBook.depthInfinity(server: server), status: 403)
                ]
                    + finding(.permission, .low, "\(path) may be forbidden to this user", FixBook.permission([path], status: 403, server: server))
            }
            if method == "PROPFIND", input.context.request.headers["Content-Type"]?.contains("octet-stream") == true {
                return finding(
                    .proxy, .medium, "PROPFIND with Content-Type application/octet-stream was refused",
                    [Fix("Stop the proxy or middleware from setting a Content-Type on PROPFIND (catalog PROXY-04)", .medium)])
            }
            return finding(.permission, .high, "\(method) \(path) is forbidden (403)", FixBook.permission([path], status: 403, server: server))
        case 404 where method == "MKCOL" && Self.conflictForMissingParent.contains(server):
            return finding(
                .serverConfig, .high, "WebDAV is not enabled at \(path): MKCOL reached a handler that does not know it (404)",
                FixBook.methodNotAllowed("MKCOL", allow: head.headers["Allow"], server: server),
                extra: [
                    "\(server.displayName) answers MKCOL into a missing parent with 409 (RFC 4918 §9.3.1); a 404 comes from the static file handler, where DAV is off"
                ])
        case 404:
            return finding(.path, .high, "\(path) does not exist (404)", FixBook.notFound(server: server))
        case 405:
            let allow = head.headers["Allow"]
            let readOnly = allow.flatMap { readOnlyShare(method: method, allow: $0, server: server) }
            // A 405 to LOCK or UNLOCK says the location offers no locking, whatever else it refuses (nginx
            // without dav_ext_methods LOCK, WsgiDAV without lock storage, Apache AllowMethods without LOCK).
            if method == "LOCK" || method == "UNLOCK" {
                return finding(
                    .serverConfig, .high, "\(path) offers no locking: \(method) is not allowed there (405)",
                    FixBook.methodNotAllowed(method, allow: allow, server: server),
                    extra: [
                        "a 405 to \(method) means the server or this location has no lock support switched on; clients that lock before writing (Office, Finder, the Windows mini-redirector) open files read-only there"
                    ] + (allow.map { ["Allow: \($0)"] } ?? []))
                    + (readOnly.map { reason in
                        finding(
                            .permission, .low, "\(path) may be on a read-only share", FixBook.readOnly(path: path, server: server), extra: [reason])
                    } ?? [])
            }
            // Apache's 405 names TRACE alone whenever the handler set no methods: both mod_allowmethods' refusal
            // and mod_dav's MKCOL of a URL that exists answer so. For MKCOL, RFC 4918 §9.3.1 gives 405 one
            // meaning (the URL is mapped), so that reading leads and the read-only share follows.
            if method == "MKCOL", server == .apache, let readOnly {
                return finding(
                    .path, .high, "\(path) already exists, so MKCOL cannot create it (405)",
                    [Fix("Nothing to create: the collection is there (treat 405 on MKCOL as \"exists\")", .easy)],
                    extra: [
                        "RFC 4918 §9.3.1: MKCOL answers 405 when the URL is already mapped; Apache's Allow: TRACE on this 405 does not tell it from a share whose AllowMethods leaves MKCOL out"
                    ])
                    + finding(
                        .permission, .medium, "\(path) may be on a read-only share", FixBook.readOnly(path: path, server: server), extra: [readOnly])
            }
            if let allow, let readOnly {
                return finding(
                    .permission, .high, "\(path) is on a read-only share: the server refuses every write there (405)",
                    FixBook.readOnly(path: path, server: server), extra: [readOnly]
                )
                .map {
                    var made = $0
                    made.signs = [Sign("read-only-share", subject: path, value: allow)]
                    return made
                }
            }
            if method == "PUT" {
                let putOnCollection = [
                    Fix(
                        "PUT a file inside it (\(URLPath.withoutTrailingSlash(path))/NAME), or name the file you meant; a collection is made with MKCOL",
                        .easy)
                ]
                let allowed = Set((allow ?? "").split(separator: ",").map { $0.trimmingASCIIWhitespace().uppercased() })
                if let allow, !allowed.contains("PUT"), !allowed.isDisjoint(with: ["DELETE", "MKCOL", "MOVE", "PROPPATCH"]) {
                    return finding(
                        .path, .high, "\(path) is a collection: PUT cannot write a folder (405)", putOnCollection,
                        extra: ["Allow: \(allow) names other writes but not PUT: the target is there and is a collection (RFC 4918 §9.7.2)"])
                }
                if server == .lighttpd {
                    return finding(
                        .path, .high, "\(path) is a collection: PUT cannot write a folder (405)", putOnCollection,
                        extra: [
                            "lighttpd's mod_webdav answers a PUT with 405 only when the target is a directory (EISDIR); a read-only share (webdav.is-readonly) answers 403"
                        ])
                }
            }
            // nginx's dav module does PUT, DELETE, COPY and MOVE wherever dav_methods names them; its 405 for one
            // of them means the location leaves it out: a read-only location by configuration.
            if server == .nginx, ["PUT", "DELETE", "COPY", "MOVE"].contains(method) {
                return finding(
                    .permission, .high, "\(path) is in a location that takes no \(method): nginx's dav_methods leaves it out (405)",
                    FixBook.readOnly(path: path, server: server),
                    extra: ["nginx implements \(method) wherever dav_methods names it; \"405 Not Allowed\" comes from a location where it does not"]
                )
                .map {
                    var made = $0
                    made.signs = [Sign("method-left-out-of-location", subject: path, value: method)]
                    return made
                }
            }
            if method == "MKCOL" {
                return finding(
                    .path, .high, "\(path) already exists, so MKCOL cannot create it (405)",
                    [Fix("Nothing to create: the collection is there (treat 405 on MKCOL as \"exists\")", .easy)])
            }
            return finding(
                .serverConfig, .high, "\(method) is not allowed on \(path) (405)", FixBook.methodNotAllowed(method, allow: allow, server: server),
                extra: allow.map { ["Allow: \($0)"] } ?? ["no Allow header was sent"])
        case 501:
            return finding(
                .serverConfig, .high, "\(method) is not implemented by the server (501)",
                FixBook.methodNotAllowed(method, allow: head.headers["Allow"], server: server))
        case 409:
            if method == "COPY" || method == "MOVE", server == .nginx, let destination = input.context.request.headers["Destination"],
                Href(destination).path.hasSuffix("/") != input.context.requestHref.path.hasSuffix("/")
            {
                return finding(
                    .path, .high, "nginx copies or moves only when the source and the Destination agree on the trailing slash",
                    [
                        Fix(
                            "End both URLs in / for a collection (or neither for a file): \(input.context.requestHref.path) → \(Href(destination).path)",
                            .easy)
                    ],
                    extra: [
                        "Destination: \(destination)",
                        "nginx answers 409 when one URL ends in / and the other does not (its error log says \"both URI ... should be either collections or non-collections\")",
                    ])
            }
            if method == "UNLOCK" || conditions.contains(DAV.lockTokenMatchesRequestURI) {
                return finding(
                    .lock, .high, "the lock token does not belong to \(path)",
                    [Fix("Send UNLOCK to the lock root with the token PROPFIND lockdiscovery shows there", .easy)])
            }
            if method == "COPY" || method == "MOVE", let destination = input.context.request.headers["Destination"] {
                return destinationParentMissing(
                    source: path, destination: destination, status: status, server: server, evidence: evidence, finding: finding,
                    title: { "the Destination's parent \($0) does not exist (409)" },
                    reason: "RFC 4918 §9.8.5: a COPY or MOVE answers 409 when the Destination's parent collection is missing")
            }
            if method == "MKCOL" && server == .nginx && !path.hasSuffix("/") {
                return finding(
                    .path, .high, "nginx creates a collection only from a URL ending in /",
                    [Fix("Send MKCOL \(path)/ (with the trailing slash)", .easy)])
            }
            let parent = URLPath.parent(of: path)
            return finding(.path, .high, "the parent collection \(parent) does not exist (409)", FixBook.missingParent(parent, server: server))
        case 412:
            return PreconditionRule.findings(input, evidence: evidence)
        case 413:
            // A proxy's own 413 has its page; a backend's 413 relayed by a proxy is still the backend's limit.
            if input.server.isProxy || (server == .unknown && !ProxyRule.proxyHeaders(head).isEmpty) {
                return finding(.proxy, .medium, "a proxy refused the body as too large (413)", FixBook.bodyLimit(server: server))
            }
            return finding(.serverConfig, .high, "the request body is over the server's limit (413)", FixBook.bodyLimit(server: server))
        case 415:
            return finding(
                .serverConfig, .medium, "\(method) with this body is not supported (415)",
                [Fix("Send \(method) without a body (MKCOL takes none)", .easy)])
        case 423:
            let roots = input.errorBody?.descendants(named: DAV.href).map { Href($0.text.trimmingASCIIWhitespace()).displayPath } ?? []
            let submitted = input.context.request.headers["If"].flatMap(IfHeader.init(headerValue:))?.submittedTokens ?? []
            let notYours =
                submitted.isEmpty
                ? []
                : [
                    Fix(
                        "The submitted token does not work for this user: ask whoever holds the lock to release it (UNLOCK with their own credentials), or an administrator to remove it",
                        .easy)
                ]
            return finding(
                .lock, .high, "\(path) is locked\(roots.isEmpty ? "" : " by a lock on \(Wording.list(roots))") (423)",
                notYours + FixBook.lock(roots: roots.isEmpty ? [path] : roots, server: server),
                extra: [input.context.request.headers["If"].map(submittedButRefused) ?? "the request carried no If header with a lock token"]
            )
            .map {
                var made = $0
                made.signs = submitted.map { Sign("token-refused", subject: path, value: $0) }
                return made
            }
        case 424:
            return finding(
                .lock, .medium, "\(method) failed because another part of it failed (424)",
                [Fix("Look at the other statuses in the body; the one that is not 424 is the cause", .easy)])
        case 400:
            if method == "UNLOCK", let sent = input.context.request.headers["Lock-Token"], saysHeaderMissing(excerpt, "lock-token") {
                return finding(
                    .proxy, .high, "the server received no Lock-Token, though the request sent one: something in between drops it",
                    FixBook.proxyDroppedHeaders(["Lock-Token"]),
                    extra: ["Lock-Token: \(sent) was sent; the server's answer says the header is missing"] + ProxyRule.proxyHeaders(head))
            }
            let relayed = ProxyRule.proxyHeaders(head) + ServerProfile.relaySigns(head, bodyExcerpt: input.bodyExcerpt)
            if method == "UNLOCK", let sent = input.context.request.headers["Lock-Token"]?.trimmingASCIIWhitespace(), sent.hasPrefix("<"),
                sent.hasSuffix(">"), !relayed.isEmpty,
                server == .apache || input.bodyExcerpt.lowercased().contains("your browser sent a request")
            {
                // Apache answers 400 both to a token it does not know and to no Lock-Token at all; behind a relay the second is the likelier.
                return finding(
                    .proxy, .medium,
                    "the Lock-Token probably never reached the server: a proxy relays this answer, and Apache answers 400 to an UNLOCK without one",
                    FixBook.proxyDroppedHeaders(["Lock-Token"]),
                    extra: ["Lock-Token: \(sent) was sent, well-formed"] + relayed
                        + ["Apache answers an unknown token with the same 400; davdoctor check reads lockdiscovery and tells the two apart"])
                    + finding(
                        .lock, .low, "or the server does not know the lock token sent to unlock \(path)",
                        [Fix("Send UNLOCK with the exact token PROPFIND lockdiscovery shows on the lock root", .easy)])
            }
            if method == "UNLOCK" {
                return finding(
                    .lock, .high, "the server does not know the lock token sent to unlock \(path)",
                    [Fix("Send UNLOCK with the exact token PROPFIND lockdiscovery shows on the lock root", .easy)],
                    extra: input.context.request.headers["Lock-Token"].map { ["Lock-Token: \($0)"] } ?? [])
            }
            if method == "PROPFIND", input.context.request.body?.isEmpty ?? true {
                return finding(
                    .serverConfig, .high, "the server rejects a PROPFIND with an empty body (400)",
                    [
                        Fix(
                            "An empty PROPFIND body must be treated as allprop (RFC 4918 §9.1); the Windows Mini-Redirector sends exactly this",
                            .medium)
                    ])
            }
            if let destination = input.context.request.headers["Destination"] {
                return finding(
                    .proxy, .medium, "the server rejects the Destination \(destination) (400)", FixBook.proxyDestination(server: server),
                    extra: ["Destination must name this server with the scheme and host it sees; behind a TLS-terminating proxy it does not"])
            }
            return finding(
                .serverConfig, .medium, "the server calls the request malformed (400)",
                [Fix("Check the request's headers (Depth, If, Timeout, Destination) and XML body against RFC 4918", .medium)])
        case 502:
            if let destination = input.context.request.headers["Destination"] {
                let target = Href(destination)
                if let scheme = target.scheme, let own = input.context.requestHref.scheme, scheme != own,
                    target.normalizedAuthority == input.context.requestHref.normalizedAuthority
                {
                    return finding(
                        .proxy, .high, "the server refuses a Destination on its own host because it says \(scheme), not \(own) (502)",
                        FixBook.proxyDestination(server: server),
                        extra: [
                            "Destination: \(destination) names the host asked (\(target.authority ?? "")) with scheme \(scheme); the server serves \(own)",
                            "TLS ends at a proxy in front, which passes the client's \(scheme) Destination to the \(own) backend unchanged (catalog PROXY-01)",
                        ]
                    )
                    .map {
                        var made = $0
                        made.signs = [Sign("destination-scheme-differs", subject: own, value: scheme)]
                        return made
                    }
                }
                return finding(
                    .proxy, .high, "the server calls the Destination another server (502)", FixBook.proxyDestination(server: server),
                    extra: ["Destination: \(destination) differs from what the server sees of itself in scheme, host or port"])
            }
            return finding(
                .proxy, .medium, "a gateway could not reach the server (502)", [Fix("Check the proxy's upstream and its error log", .medium)])
        case 503, 504:
            return finding(
                .proxy, .medium, "a gateway timed out or the server is unavailable (\(status))",
                [Fix("Check the proxy's upstream timeouts and the server's load", .medium)])
        case 507:
            return finding(.storage, .high, "no space left to store \(path) (507)", FixBook.storage(server: server))
        case 500:
            let lower = excerpt.lowercased()
            if lower.contains("lock database") || lower.contains("locks could not be queried") {
                return finding(
                    .serverConfig, .high, "the server cannot open its lock database (500)",
                    [Fix("Point DavLockDB at a writable local path and install the DBM driver (catalog SC-03)", .medium)])
            }
            if lower.contains("no space") || lower.contains("errno 28") || lower.contains("oserror(28") || lower.contains("quota") {
                return finding(.storage, .high, "the server ran out of space (500)", FixBook.storage(server: server))
            }
            if method == "MOVE", server == .apache, let destination = input.context.request.headers["Destination"] {
                return destinationParentMissing(
                    source: path, destination: destination, status: status, server: server, evidence: evidence, finding: finding,
                    title: { "MOVE failed (500): the Destination's parent \($0) probably does not exist" },
                    reason:
                        "Apache answers a MOVE into a missing folder with 500 (the rename fails with ENOENT) where COPY answers 409; a MOVE renames and needs no space, so a full disk is unlikely"
                )
            }
            if method == "PROPFIND", server == .nginx {
                return finding(
                    .permission, .high, "nginx could not open \(path) to list it (500): the worker user may not read that folder",
                    [
                        Fix(
                            "Give the nginx worker user (www-data) read and search permission on \(path)'s folder (chmod o+rx, or a group it belongs to); nginx's error log names the folder",
                            .medium)
                    ],
                    extra: [
                        "nginx's dav-ext answers a PROPFIND with 500 when it cannot open a folder to list it (error log: opendir() \"…\" failed (13: Permission denied)); a file it cannot stat is a 404 instead"
                    ])
            }
            if method == "PUT" || method == "MKCOL", server == .nginx || server == .lighttpd || server == .unknown {
                let parent = URLPath.parent(of: path)
                var both = finding(
                    .path, .medium, "\(method) failed (500): the parent \(parent) may be missing", FixBook.missingParent(parent, server: server),
                    extra: [
                        "\(server.displayName) answers 500, not 409, when the parent is missing, and also when the disk is full: its error log tells which"
                    ])
                both += finding(.storage, .medium, "\(method) failed (500): the disk may be full", FixBook.storage(server: server))
                if server == .lighttpd { both.reverse() }
                return both
            }
            return finding(
                .serverConfig, .medium, "the server failed (500)",
                [Fix("Read the server's error log at the time of the request (davdoctor logs)", .medium)]
            )
            .map {
                var made = $0
                made.signs = [Sign("server-failed-unexplained", subject: path, value: String(status))]
                return made
            }
        default:
            return finding(
                .serverConfig, .low, "\(method) \(path) answered \(status)", [Fix("Read the server's error log at the time of the request", .medium)])
        }
    }

    /// What a 423 says when the request did submit lock tokens: the server took none of them for this
    /// user and resource.
    static func submittedButRefused(_ ifHeader: String) -> String {
        let tokens = IfHeader(headerValue: ifHeader)?.submittedTokens ?? []
        guard !tokens.isEmpty else { return "the If header \(ifHeader) submitted no lock token" }
        return
            "the If header submitted \(tokens.joined(separator: ", ")), yet the server answers 423: it does not take that token from this user for this resource (another user's lock, whose token only its owner may use, RFC 4918 §6.4; or a token of another lock)"
    }

    /// A COPY or MOVE refused because the Destination's parent is missing: that parent, unless it holds the
    /// source (then something rewrote the Request-URI and not Destination, ``destinationNotRewritten``).
    /// `title` is given the parent; `reason` says why the status means a missing parent on this server.
    static func destinationParentMissing(
        source: String, destination: String, status: Int, server: ServerKind, evidence: [String],
        finding: (Cause, Likelihood?, String, [Fix], [String]) -> [Finding], title: (String) -> String, reason: String
    ) -> [Finding] {
        if let unrewritten = destinationNotRewritten(source: source, destination: destination, status: status, server: server, finding: finding) {
            return unrewritten
        }
        let parent = URLPath.parent(of: Href(destination).displayPath)
        return [
            Finding(
                cause: .path, likelihood: .high, title: title(parent), resources: [parent],
                evidence: evidence + ["Destination: \(destination)", reason], fixes: FixBook.missingParent(parent, server: server), status: status)
        ]
    }

    /// A COPY or MOVE that failed for a missing Destination parent although that parent holds the source
    /// (so it exists): the server resolved another Destination path than the client sent, which is a proxy
    /// that rewrites the Request-URI's prefix and leaves Destination alone. Nil when the parents differ.
    static func destinationNotRewritten(
        source: String, destination: String, status: Int, server: ServerKind,
        finding: (Cause, Likelihood?, String, [Fix], [String]) -> [Finding]
    ) -> [Finding]? {
        let destinationParent = URLPath.parent(of: Href(destination).displayPath)
        guard URLPath.isWithin(URLPath.parent(of: source), destinationParent) else { return nil }
        return finding(
            .proxy, .high, "the server cannot find the Destination's parent \(destinationParent), though the source lives there (\(status))",
            FixBook.proxyHrefs(prefix: nil, extra: nil, foreignOrigin: nil) + FixBook.proxyDestinationPath(),
            [
                "Destination: \(destination)",
                "the source was found, so its parent \(URLPath.parent(of: source)) exists and so does \(destinationParent); the server resolved the Destination to another path: a proxy rewrites the Request-URI but not Destination"
                    + (status == 500 && server == .apache ? " (Apache answers a MOVE whose rename finds no parent with 500)" : ""),
            ])
    }

    /// Servers that answer MKCOL into a missing parent with 409, as RFC 4918 says.
    static let conflictForMissingParent: Set<ServerKind> = [.apache, .nginx, .lighttpd, .wsgidav, .sabre]

    /// The last segment of a path ending in `/` when it looks like a file name (`plain.txt/`), else nil.
    static func fileNameWithSlash(_ rawPath: String) -> String? {
        guard rawPath.hasSuffix("/"), rawPath.count > 1 else { return nil }
        let name = URLPath.lastSegment(of: URLPath.withoutTrailingSlash(rawPath))
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        guard (1...5).contains(ext.count), ext.allSatisfy({ $0.isLetter || $0.isNumber }), ext.contains(where: \.isLetter) else { return nil }
        return name
    }

    /// The host of `host:port`.
    static func host(_ authority: String) -> String { String(authority.split(separator: ":").first ?? "") }

    /// Methods that change the namespace or a resource.
    static let writeMethods: Set<String> = ["PUT", "DELETE", "MKCOL", "COPY", "MOVE", "PROPPATCH", "LOCK", "UNLOCK", "POST", "PATCH"]

    /// When a write is refused with an Allow that names reads only, the whole share is read-only (a switch
    /// or an access rule), not this one method turned off: the evidence saying so, else nil.
    static func readOnlyShare(method: String, allow: String, server: ServerKind) -> String? {
        guard writeMethods.contains(method) else { return nil }
        let allowed = Set(allow.split(separator: ",").map { $0.trimmingASCIIWhitespace().uppercased() })
        if server == .apache, allowed == ["TRACE"] {
            // Apache names TRACE alone on a 405 whose handler set no methods: mod_allowmethods' refusal, whatever
            // AllowMethods lists (and mod_dav's MKCOL of a URL that exists, which the MKCOL case reads first).
            return
                "Allow: TRACE is what Apache's mod_allowmethods answers when the share's AllowMethods leaves \(method) out: an AllowMethods list that keeps only reads"
        }
        let writes = allowed.intersection(["PUT", "DELETE", "MKCOL", "MOVE", "PROPPATCH"])
        guard writes.isEmpty, allowed.contains("GET") || allowed.contains("PROPFIND") else { return nil }
        return "Allow: \(allow) names no method that writes (no PUT, DELETE, MKCOL, MOVE or PROPPATCH): reads work and every write is refused"
    }

    /// Whether an error body says the named request header is missing (the server never received it).
    static func saysHeaderMissing(_ body: String, _ header: String) -> Bool {
        let lower = body.lowercased()
        guard lower.contains(header) else { return false }
        return ["missing", "needs", "no lock-token", "not specified", "required", "without"].contains { lower.contains($0) }
    }

    /// The first absolute http(s) URL in a body whose origin differs from the request's.
    static func foreignOrigin(in body: String, comparedTo request: Href) -> String? {
        guard request.authority != nil else { return nil }
        var rest = Substring(body)
        while let start = rest.firstRange(of: "href=\"http") {
            let candidate = rest[rest.index(start.lowerBound, offsetBy: 6)...].prefix {
                !$0.isWhitespace && $0 != "\"" && $0 != "<" && $0 != "'" && $0 != ")"
            }
            let href = Href(String(candidate))
            if let authority = href.normalizedAuthority, href.scheme == "http" || href.scheme == "https" {
                if authority != request.normalizedAuthority { return "\(href.scheme!)://\(href.authority!)" }
            }
            rest = rest[start.upperBound...]
        }
        return nil
    }

    /// What an HTML error page says: its first paragraph when it has one, else its title or heading.
    static func htmlTitle(_ html: String) -> String? {
        func first(_ tag: String) -> String? {
            guard let open = html.firstRange(of: "<\(tag)>"), let close = html[open.upperBound...].firstRange(of: "</\(tag)>") else { return nil }
            let inner = html[open.upperBound..<close.lowerBound]
            // Drop inner markup such as <a href=…> and collapse white space.
            let trimmed = inner.textOutsideTags().split(separator: " ").joined(separator: " ")
            return trimmed.isEmpty ? nil : String(trimmed.prefix(200))
        }
        return first("p") ?? first("title") ?? first("h1")
    }
}
