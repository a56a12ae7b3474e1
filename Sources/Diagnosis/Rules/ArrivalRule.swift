import DAVCore

/// What reached the server: an answer that is right for another request than the one sent proves that
/// something in between changed the request. A Depth that the server answered as infinity, a named-property
/// PROPFIND answered with properties nobody asked for, a LOCK answered as a refresh, a Destination or
/// Overwrite the server behaved as if it never saw — each is `proxy`, with the header or body named.
///
/// A server that ignores Depth by itself would show the same answer; the servers recognised here all honour
/// it, so for them the proxy is the explanation (an unrecognised server keeps PathRule's milder reading).
enum ArrivalRule {
    /// The servers known to honour Depth, Overwrite and a PROPFIND's property list.
    static let conforming: Set<ServerKind> = [.apache, .nginx, .lighttpd, .wsgidav, .rclone, .sabre, .radicale, .xandikos, .davdoctor]

    /// The request parts the answer shows the server did not receive. Empty when the answer fits the request.
    static func findings(_ input: RuleInput) -> [Finding] {
        let request = input.context.request
        let method = input.context.method
        let status = input.head?.status
        var found: [Finding] = []
        func lost(_ what: String, _ title: String, _ evidence: [String], _ fixes: [Fix], resources: [String]? = nil) {
            found.append(
                Finding(
                    cause: .proxy, likelihood: .high, title: title, resources: resources ?? [input.context.requestPath],
                    evidence: evidence + ["the request carried \(what), so something between client and server removed or changed it"],
                    seen: ProxyRule.proxyHeaders(input.head),
                    fixes: fixes, status: status))
        }
        let excerpt = input.bodyExcerpt.lowercased()

        // Depth: a finite Depth answered as infinity (refused as such, or listed too deep).
        if method == "PROPFIND", let sent = request.headers["Depth"], let depth = input.context.depth, depth != .infinity {
            let refusedAsInfinity =
                (status == 403 || status == 207)
                && ((input.errorBody?.elements.map(\.name).contains(DAV.propfindFiniteDepth) ?? false)
                    || (input.collector?.failing.contains { $0.conditions.contains(DAV.propfindFiniteDepth.description) } ?? false)
                    || (status == 403 && excerpt.contains("infinity")))
            let tooDeep = (input.collector?.tooDeepCount ?? 0) > 0 && conforming.contains(input.server.kind)
            if refusedAsInfinity {
                lost(
                    "Depth: \(sent)", "the server never received Depth: \(sent): it refused the PROPFIND as Depth: infinity",
                    [
                        "Depth: \(sent) was sent; the answer is the finite-depth refusal RFC 4918 §9.1 gives to a PROPFIND without Depth (which means infinity)"
                    ],
                    FixBook.proxyDroppedHeaders(["Depth"]))
            } else if tooDeep, let collector = input.collector {
                lost(
                    "Depth: \(sent)",
                    "the server never received Depth: \(sent): it listed \(Wording.resources(collector.tooDeepCount)) deeper than that",
                    [
                        "Depth: \(sent) was sent and the server that answered (\(input.server.kind.displayName)) honours Depth, yet the answer goes deeper (\(collector.tooDeep.first ?? "")): it was answered as Depth: infinity"
                    ],
                    FixBook.proxyDroppedHeaders(["Depth"]), resources: Array(collector.tooDeep.prefix(Finding.resourcesListed)))
            }
        }

        // A PROPFIND body: named properties answered with others (the allprop an empty body means).
        if method == "PROPFIND", let asked = input.context.requestedProperties, !asked.isEmpty, let collector = input.collector {
            let askedSet = Set(asked.map(\.description))
            let returned = Set(collector.records.prefix(50).flatMap { $0.properties.map(\.name) })
            let unasked = returned.subtracting(askedSet)
            if unasked.count >= 2, returned.intersection(askedSet).count < returned.count / 2 + 1 {
                lost(
                    "a <D:prop> body naming \(asked.count) propert\(asked.count == 1 ? "y" : "ies")",
                    "the server never received the PROPFIND body: it answered with properties that were not asked for",
                    [
                        "asked for \(asked.prefix(4).map(\.description).joined(separator: ", ")); the answer holds \(unasked.sorted().prefix(4).joined(separator: ", ")) instead, the allprop answer to an empty body"
                    ],
                    FixBook.proxyDroppedBody(method: method))
            }
        }

        // A LOCK body: a LOCK without one is a refresh, which needs an If header the new lock did not send.
        if method == "LOCK", let body = request.body, !isBlank(body), request.headers["If"] == nil,
            let status, status == 400 || status == 412 || status == 423 || status == 422,
            excerpt.contains("refresh") || excerpt.contains("no lock token") || excerpt.contains("if header") || excerpt.contains("\"if:\" header")
        {
            lost(
                "a <D:lockinfo> body", "the server never received the LOCK body: it took the request for a lock refresh",
                [
                    "a LOCK with a lockinfo body creates a lock; the server answered \(Wording.status(status)) as to a LOCK without a body, which refreshes an existing lock and needs an If header"
                ],
                FixBook.proxyDroppedBody(method: method))
        }

        // A body the server calls empty or missing (PROPPATCH, LOCK, REPORT, PROPFIND).
        if ["PROPPATCH", "LOCK", "REPORT", "PROPFIND"].contains(method), let body = request.body, !isBlank(body), found.isEmpty,
            let status, (400..<500).contains(status) || status == 500,
            [
                "empty body", "no body", "missing body", "body is empty", "request body is empty", "no xml", "missing xml", "xml body",
                "no content", "body expected", "empty request", "must not be empty",
            ].contains(where: excerpt.contains)
        {
            lost(
                "a \(body.count)-byte XML body", "the server never received the \(method) body: it calls the body empty",
                ["the server's answer (\(Wording.status(status))) says the body is empty or missing"], FixBook.proxyDroppedBody(method: method))
        }

        // Destination: the server asks for one that was sent.
        if method == "COPY" || method == "MOVE", let destination = request.headers["Destination"], let status,
            status == 400 || status == 412 || status == 409,
            StatusRule.saysHeaderMissing(input.bodyExcerpt, "destination")
        {
            lost(
                "Destination: \(destination)", "the server never received the Destination header",
                ["the answer (\(Wording.status(status))) says the Destination header is missing"], FixBook.proxyDroppedHeaders(["Destination"]))
        }

        // Overwrite: F answered by replacing the destination.
        if method == "COPY" || method == "MOVE", request.headers["Overwrite"]?.trimmingASCIIWhitespace().uppercased() == "F", status == 204,
            conforming.contains(input.server.kind)
        {
            lost(
                "Overwrite: F", "the server never received Overwrite: F: it replaced the existing destination",
                [
                    "204 No Content means the destination existed and was replaced; with Overwrite: F the server must answer 412 instead (RFC 4918 §10.6)"
                ],
                FixBook.proxyDroppedHeaders(["Overwrite"]),
                resources: [request.headers["Destination"].map { Href($0).displayPath } ?? input.context.requestPath])
        }
        // The proxy answered by itself: its own error page, not the WebDAV server's.
        if found.isEmpty, input.server.isProxy, let status, status >= 400 {
            found.append(
                Finding(
                    cause: .proxy, likelihood: .high,
                    title:
                        "\(input.server.kind.displayName.split(separator: " ").first ?? "the proxy") refused the \(method) itself (\(Wording.status(status))): it never reached the WebDAV server",
                    resources: [input.context.requestPath],
                    evidence: [
                        input.server.evidence ?? "the answer is a proxy's own page",
                        "\(method) \(input.context.requestPath) answered \(input.head?.statusLine ?? "")",
                    ],
                    fixes: FixBook.proxyRefusesMethod(method, proxy: input.server.kind), status: status))
        }

        // A Location naming another origin: the backend's own address (Host not passed on) or its scheme behind TLS.
        if found.isEmpty, let location = input.head?.headers["Location"], input.context.urlKnown, let status,
            status == 201 || (300..<400).contains(status)
        {
            let target = Href(location)
            let asked = input.context.requestHref
            if target.scheme == nil || target.normalizedAuthority == asked.normalizedAuthority, status == 201,
                let prefix = strippedPrefix(asked: input.context.requestPath, named: target.displayPath)
            {
                lost(
                    "the path prefix \(prefix)", "the server names the new resource without the \(prefix) prefix asked for: a proxy strips it",
                    ["Location: \(location) (asked for \(input.context.requestPath))"],
                    FixBook.proxyHrefs(prefix: prefix, extra: nil, foreignOrigin: nil))
            } else if let authority = target.normalizedAuthority, let scheme = target.scheme {
                let otherHost = authority != asked.normalizedAuthority
                let downgraded = scheme == "http" && asked.scheme == "https" && !otherHost
                if otherHost || downgraded {
                    lost(
                        otherHost ? "Host: \(asked.authority ?? "")" : "the https scheme",
                        otherHost
                            ? "the server names itself \(scheme)://\(target.authority ?? ""), not the address asked: Host is not passed through the proxy"
                            : "the server thinks it serves http: TLS ends at a proxy in front that does not say so",
                        ["Location: \(location) (asked for \(input.context.request.url))"],
                        otherHost ? FixBook.proxyHost() : FixBook.proxyDestination(server: input.server.kind))
                }
            }
        }

        // These servers answer 412 (Apache 403 for another user's) to a lock token that matches no lock, and 423
        // only when they saw none at all.
        if found.isEmpty, status == 423, tokenCheckers.contains(input.server.kind),
            !PreconditionRule.conditions(of: request, method: method).filter({ if case .lockToken = $0 { true } else { false } }).isEmpty
        {
            lost(
                "an If header with a lock token", "the server never received the If header: it answers as to a request without a lock token",
                [
                    "\(input.server.kind.displayName) answers 412 Precondition Failed to a submitted token that matches no lock, and 423 Locked only when no token was submitted; the request submitted \(request.headers["If"] ?? "")"
                ],
                FixBook.proxyDroppedHeaders(["If"]))
        }

        // A 400 to a well-formed body of the method's own kind: the body the server got was not this one.
        if found.isEmpty, status == 400, let body = request.body, !isBlank(body), conforming.contains(input.server.kind),
            let expected = expectedRoot[method], let root = try? XMLTreeParser.parse(body, strict: false).root, root.name == expected,
            request.headers["Destination"] == nil
        {
            lost(
                "a well-formed <\(expected.name)> body",
                "the server never received the \(method) body: it calls a well-formed request malformed (400)",
                [
                    "the body sent is well-formed XML with the <D:\(expected.name)> root RFC 4918 asks for, yet \(input.server.kind.displayName) answered 400 Bad Request: it read an empty or cut body"
                ],
                FixBook.proxyDroppedBody(method: method))
        }

        // A bare 400 to a complete calendar object or vCard: a CalDAV or CardDAV server refuses data it cannot
        // take with 403 or 409 and a precondition naming what is wrong (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1);
        // a 400 that says nothing more means it could not read what reached it, which was not this body.
        if found.isEmpty, method == "PUT", status == 400, input.errorBody == nil, let body = request.body,
            let format = Self.objectFormat(of: request), ObjectDataCheck.problems(String(decoding: body, as: UTF8.self), format: format).isEmpty,
            Self.saysNothingButItsStatus(input.bodyExcerpt)
        {
            let rfc = format == .iCalendar ? "RFC 4791 §5.3.2.1" : "RFC 6352 §6.3.2.1"
            lost(
                "a complete \(format.rawValue) object (\(body.count) bytes)",
                "the server never received the PUT body: it calls a complete \(format.rawValue) object malformed (400)",
                [
                    "the body sent is a whole \(format.rawValue) object (BEGIN and END paired, VERSION and UID present); a server that refuses such data answers 403 or 409 with a precondition naming what is wrong (\(rfc)), yet this answer is a bare 400 Bad Request: what reached it was empty or cut"
                ],
                FixBook.proxyDroppedBody(method: method))
        }

        // LOCK Depth: 0 granted as a depth-infinity lock.
        if found.isEmpty, method == "LOCK", let sent = request.headers["Depth"], sent.trimmingASCIIWhitespace() == "0", status == 200,
            let granted = input.errorBody?.descendants(named: DAV.depth).first?.text.trimmingASCIIWhitespace().lowercased(), granted == "infinity"
        {
            lost(
                "Depth: 0", "the server never received Depth: 0: it granted a lock of depth infinity",
                [
                    "LOCK Depth: 0 was sent; the granted <D:activelock> says depth infinity, the default for a LOCK without Depth (RFC 4918 §9.10.3): every member is now locked too"
                ],
                FixBook.proxyDroppedHeaders(["Depth"]))
        }
        return found
    }

    /// Servers that answer a lock token matching no lock with 412 (Apache: 403 for another user's token).
    static let tokenCheckers: Set<ServerKind> = [.apache, .wsgidav, .sabre]

    /// The leading segments of `asked` that `named` lacks, when `named` is `asked` without them.
    static func strippedPrefix(asked: String, named: String) -> String? {
        let a = URLPath.withoutTrailingSlash(asked)
        let n = URLPath.withoutTrailingSlash(named)
        guard n.count < a.count, n.hasPrefix("/"), a.hasSuffix(n) else { return nil }
        let prefix = String(a.dropLast(n.count))
        return prefix.isEmpty || prefix == "/" || prefix.hasSuffix("/") ? nil : prefix
    }

    /// The root element each method's body has when it is well-formed.
    static let expectedRoot: [String: QualifiedName] = ["PROPPATCH": DAV.propertyupdate, "LOCK": DAV.lockinfo, "PROPFIND": DAV.propfind]

    /// The object format a PUT's Content-Type announces (`text/calendar`, `text/vcard`), nil for other data.
    static func objectFormat(of request: RequestInfo) -> ObjectDataCheck.Format? {
        let type = request.headers["Content-Type"]?.lowercased() ?? ""
        if type.hasPrefix("text/calendar") { return .iCalendar }
        if type.hasPrefix("text/vcard") || type.hasPrefix("text/x-vcard") { return .vCard }
        return nil
    }

    /// Whether an error body gives no reason: empty, or the status's reason phrase alone, bare or in a
    /// minimal HTML page (what a framework writes when the handler gave no message).
    static func saysNothingButItsStatus(_ excerpt: String) -> Bool {
        let words = excerpt.textOutsideTags(tag: " ").lowercased().split { !$0.isLetter && !$0.isNumber }
        return words.allSatisfy { ["400", "bad", "request"].contains($0) }
    }

    static func isBlank(_ body: [UInt8]) -> Bool {
        body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }
}
