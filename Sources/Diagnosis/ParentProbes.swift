import DAVCore

/// What the listing of a parent proves about the request below it. A write that creates its target (PUT,
/// MKCOL) needs only the parent; a parent that is there and a collection rules a missing path out, so a
/// bare 404, 409 or 405 came from a refusal. A parent that exists but cannot be listed, or a collection
/// readable at Depth 0 whose listing fails, points at the server's own account on disk.
enum ParentProbes {
    /// Evidence that the path finding is wrong, when the parent listing contradicts it.
    static func contradiction(_ analysis: AnalysisResult, parent: String, listing: MultiStatus, subject: String) -> (text: String, sign: Sign)? {
        let path = analysis.context.requestPath
        guard subject == path, isDirectParent(parent, of: path) else { return nil }
        let own = listing.responses.first {
            $0.href.map { URLPath.withoutTrailingSlash(Href($0).displayPath) == URLPath.withoutTrailingSlash(parent) } ?? false
        }
        guard own?.isCollection == true else { return nil }
        let listed = listing.responses.contains {
            $0.href.map { URLPath.withoutTrailingSlash(Href($0).displayPath) == URLPath.withoutTrailingSlash(path) } ?? false
        }
        switch (analysis.context.method, analysis.status) {
        case ("MKCOL", 405?) where !listed:
            return (
                "\(parent) lists no \(URLPath.lastSegment(of: path)): it does not exist, so this 405 is not MKCOL's \"already exists\" (RFC 4918 §9.3.1) but a refusal to create it",
                Sign("parent-lacks-name", subject: parent, value: URLPath.lastSegment(of: path))
            )
        case ("PUT", 404?), ("PUT", 409?), ("MKCOL", 404?), ("MKCOL", 409?):
            return (
                "the parent \(parent) exists and is a collection, so nothing is missing: the server refused to create \(path) for another reason",
                Sign("parent-exists", subject: parent, value: path)
            )
        default:
            return nil
        }
    }

    /// A multiget answered 404 for an object its collection lists by name: the href in the body was not
    /// resolved the way the URL was. Through a proxy that maps a path prefix, the URL is rewritten and the
    /// hrefs inside the body are not; without one, the href was written another way than the name.
    static func multigetListed(_ analysis: AnalysisResult, parent: String, listing: MultiStatus, subject: String) -> Finding? {
        guard analysis.context.report?.kind.isMultiget == true, analysis.status == 207,
            let own = listing.responses.first?.href.map({ Href($0).displayPath })
        else { return nil }
        let name = URLPath.lastSegment(of: URLPath.withoutTrailingSlash(subject))
        let listed = listing.responses.dropFirst().contains { response in
            response.href.map { URLPath.lastSegment(of: URLPath.withoutTrailingSlash(Href($0).displayPath)) == name } ?? false
        }
        guard listed else { return nil }
        let proxied =
            !ProxyRule.proxyHeaders(analysis.head).isEmpty
            || ServerProfile.proxyInFront(headers: analysis.head?.headers, namespaces: Array(analysis.collector?.namespaces ?? [])) != nil
        let prefixLost =
            URLPath.withoutTrailingSlash(own) != URLPath.withoutTrailingSlash(parent)
            && URLPath.withoutTrailingSlash(parent).hasSuffix(URLPath.withoutTrailingSlash(own))
        var evidence = [
            "PROPFIND of \(parent) lists \(name), yet the multiget answered 404 for \(subject): the object is there, its href in the body did not lead to it"
        ]
        if prefixLost {
            let prefix = String(URLPath.withoutTrailingSlash(parent).dropLast(URLPath.withoutTrailingSlash(own).count))
            evidence.append(
                "the listing names the collection \(own), not \(parent): something in between strips \(prefix) from URLs, and the hrefs inside the REPORT's body keep it"
            )
        }
        let viaProxy = proxied || prefixLost
        return Finding(
            cause: viaProxy ? .proxy : .path, likelihood: .high,
            signs: [Sign("multiget-href-listed", subject: subject, value: prefixLost ? own : nil)],
            title: viaProxy
                ? "the proxy rewrites URLs but not the hrefs inside the multiget's body"
                : "the multiget's href for \(name) does not resolve, though the collection lists it",
            resources: [subject], evidence: evidence,
            fixes: viaProxy
                ? [
                    Fix(
                        "Serve the backend under the same path prefix as the proxy (nginx: location /dav/ { proxy_pass http://backend/dav/; }, Apache: ProxyPass /dav/ http://backend/dav/), so hrefs in bodies mean the same on both sides",
                        .medium),
                    Fix("Or have the client send hrefs as the server names them in its listings", .easy),
                ]
                : [Fix("Send the hrefs exactly as the collection's listing writes them (same encoding, same case)", .easy)],
            status: 404)
    }

    /// A 404 for the top of a share whose parent is answered by another server, which does not speak WebDAV
    /// there: the share is a path a front server relays to another one (ProxyPass, proxy_pass), and that server
    /// has nothing at the path it is sent. A client's typo of the share's name would not be relayed at all:
    /// the front would answer it, in its own hand. The evidence is the two Server headers.
    static func relayedShareRootMissing(_ analysis: AnalysisResult, parent: String, head: ResponseHead, subject: String) -> Finding? {
        let path = analysis.context.requestPath
        guard analysis.status == 404, subject == path, isDirectParent(parent, of: path), [405, 501].contains(head.status),
            let front = head.headers["Server"]?.trimmingASCIIWhitespace(), let share = analysis.head?.headers["Server"]?.trimmingASCIIWhitespace(),
            front != share
        else { return nil }
        var finding = Finding(
            cause: .proxy, likelihood: .high, signs: [Sign("relayed-share-root-missing", subject: path, value: share)],
            title: "\(path) is relayed to another server, which has nothing at the path it is sent",
            resources: [path],
            evidence: [
                "\(path) answered 404 with Server: \(share); its parent \(parent) answered \(Wording.status(head.status)) with Server: \(front), which does not speak WebDAV there",
                "two servers answer under one host: a front server relays \(path) to another one (a reverse proxy), and the path it relays to does not exist there; a misspelt share name would not be relayed, and the front would answer it itself",
            ],
            fixes: [
                Fix(
                    "Point the proxy at the share's real path on the backend (Apache: ProxyPass \(path) http://backend/REAL/PATH/ with the matching ProxyPassReverse; nginx: location \(path) { proxy_pass http://backend/REAL/PATH/; })",
                    .medium),
                Fix("List the backend's root straight (PROPFIND Depth 1 at its own address) to see which path the share has there", .easy),
            ],
            status: 404)
        finding.because = finding.evidence[1]
        return finding
    }

    /// A PUT refused with 405 whose target the parent lists as a collection: a file cannot be written
    /// over a collection (RFC 4918 §9.7.2), whatever the server's method rules say.
    static func putOnCollection(_ analysis: AnalysisResult, parent: String, listing: MultiStatus, subject: String) -> Finding? {
        let path = analysis.context.requestPath
        guard analysis.context.method == "PUT", analysis.status == 405, subject == path, isDirectParent(parent, of: path) else { return nil }
        let target = URLPath.withoutTrailingSlash(path)
        let collection = listing.responses.dropFirst().first { response in
            response.isCollection && response.href.map { URLPath.withoutTrailingSlash(Href($0).displayPath) == target } == true
        }
        guard collection != nil else { return nil }
        return Finding(
            cause: .path, likelihood: .high, signs: [Sign("put-on-collection", subject: path)],
            title: "the PUT went to \(target)/, a collection, not to a file inside it", resources: [path],
            evidence: [
                "PROPFIND of \(parent) lists \(target)/ as a collection, so the 405 is no rule against PUT: a collection cannot be replaced by a file (RFC 4918 §9.7.2)"
            ],
            fixes: [Fix("PUT the file to a name inside the collection (\(target)/NAME), or pick a name that is not taken by a folder", .easy)],
            status: 405)
    }

    /// The decoded path of a COPY's or MOVE's Destination, when it names the request's own origin.
    static func destinationPath(_ context: AnalysisContext) -> String? {
        guard let raw = context.request.headers["Destination"]?.trimmingASCIIWhitespace(), !raw.isEmpty else { return nil }
        let destination = Href(raw)
        if let authority = destination.normalizedAuthority, authority != context.requestHref.normalizedAuthority { return nil }
        return destination.displayPath
    }

    /// A COPY or MOVE refused, whose Destination's folder is not there: whatever status the server chose,
    /// the parent of the destination must exist (RFC 4918 §9.8.5, §9.9.4 name 409 for it).
    static func destinationParentMissing(_ analysis: AnalysisResult, parent: String, status: Int, subject: String) -> Finding? {
        guard ["COPY", "MOVE"].contains(analysis.context.method), status == 404 || status == 409,
            subject == destinationPath(analysis.context), isDirectParent(parent, of: subject)
        else { return nil }
        let method = analysis.context.method
        return Finding(
            cause: .path, likelihood: .high, signs: [Sign("destination-parent-missing", subject: subject, value: parent)],
            title: "the \(method)'s destination folder \(parent) does not exist", resources: [subject],
            evidence: [
                "\(method) \(analysis.context.requestPath) answered \(analysis.head?.statusLine ?? "an error") for Destination \(subject)",
                "PROPFIND of \(parent) answers \(Wording.status(status)): the folder the \(method) writes into is missing (RFC 4918 names 409 for this; servers answer 403 or 500 too)",
            ],
            fixes: FixBook.missingParent(parent, server: analysis.server.kind), status: analysis.status)
    }

    /// A read answered 404 whose parent exists but cannot be listed (403, 500): the server cannot look inside.
    static func unreadableParent(_ analysis: AnalysisResult, parent: String, status: Int, subject: String) -> Finding? {
        let path = analysis.context.requestPath
        guard status == 500 || status == 403, analysis.status == 404, ["PROPFIND", "GET", "HEAD"].contains(analysis.context.method),
            subject == path, isDirectParent(parent, of: path)
        else { return nil }
        return Finding(
            cause: .permission, likelihood: .medium, title: "\(parent) cannot be listed (\(status)), so \(path) inside it looks missing",
            resources: [path],
            evidence: [
                "\(analysis.context.method) \(path) answered \(analysis.head?.statusLine ?? "404")",
                "PROPFIND of its parent \(parent) answers \(Wording.status(status)), not 404: the parent is there, but the server cannot read inside it (the directory's mode, owner or ACL keeps the server's own account out)",
            ],
            fixes: diskAccess(parent), status: analysis.status)
    }

    /// A listing that failed with 500 while the same PROPFIND at Depth 0 works: the members cannot be read.
    static func unreadableInside(_ analysis: AnalysisResult, depthZero: Int) -> Finding? {
        guard analysis.status == 500, depthZero == 207 else { return nil }
        let path = analysis.context.requestPath
        return Finding(
            cause: .permission, likelihood: .medium, title: "\(path) itself can be read, but not what is inside it",
            resources: [path],
            evidence: [
                "PROPFIND \(path) with Depth \(analysis.context.depth.map { "\($0)" } ?? "1") answered \(analysis.head?.statusLine ?? "500")",
                "the same PROPFIND with Depth: 0 answers 207: the collection is there, and listing its members fails (the server's account may not open the directory, or one member cannot be read)",
            ],
            fixes: diskAccess(path), status: analysis.status)
    }

    static func diskAccess(_ path: String) -> [Fix] {
        [
            Fix(
                "Give the server's own account (www-data, nginx, the rclone or WsgiDAV process owner) read and search permission on the directory behind \(path): ls -ld it, then chown/chmod/setfacl that directory only",
                .medium),
            Fix("The server's error log names the file it could not open (nginx: opendir() failed (13: Permission denied))", .easy),
        ]
    }

    static func isDirectParent(_ parent: String, of path: String) -> Bool {
        URLPath.withoutTrailingSlash(parent) == URLPath.withoutTrailingSlash(URLPath.parent(of: URLPath.withoutTrailingSlash(path)))
    }
}
