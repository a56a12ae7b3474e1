import DAVCore

/// A proxy, gateway or CDN between client and server: hrefs naming another origin, hrefs that lost or
/// gained a path prefix, Destination trouble (502), and the signs a proxy leaves in headers.
enum ProxyRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return [] }
        var findings: [Finding] = []
        let request = input.context.requestHref
        for (origin, entry) in collector.foreignOrigins.sorted(by: { $0.key < $1.key }) {
            let requestOrigin = "\(request.scheme ?? "?")://\(request.normalizedAuthority ?? "?")"
            let other = Href(origin + "/")
            var differs: [String] = []
            var signs = [Sign("hrefs-name-other-origin", subject: requestOrigin, value: origin)]
            if other.scheme != request.scheme { differs.append("scheme (\(other.scheme ?? "?") instead of \(request.scheme ?? "?"))") }
            if other.scheme != request.scheme { signs.append(Sign("href-scheme-differs", subject: request.scheme, value: other.scheme)) }
            let host = { (a: String?) in a.map { String($0.split(separator: ":").first ?? "") } }
            if host(other.normalizedAuthority) != host(request.normalizedAuthority) {
                differs.append("host (\(host(other.authority) ?? "?") instead of \(host(request.authority) ?? "?"))")
            }
            if host(other.normalizedAuthority) != host(request.normalizedAuthority) {
                signs.append(Sign("href-host-differs", subject: host(request.authority), value: host(other.authority)))
            } else if other.normalizedAuthority != request.normalizedAuthority {
                differs.append("port")
            }
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .high, signs: signs,
                    title: "\(Wording.resources(entry.count)) named with \(origin), not \(requestOrigin)",
                    resources: entry.examples.map { Href($0).displayPath }, resourceCount: entry.count,
                    evidence: [
                        "the hrefs differ in \(differs.joined(separator: " and ")): the backend builds absolute URLs from its own address, which a proxy in front does not rewrite",
                        "rclone ≥ 1.74 drops such items; other clients follow them past the proxy",
                    ], seen: proxyHeaders(input.head),
                    fixes: FixBook.proxyHrefs(prefix: nil, extra: nil, foreignOrigin: origin)))
        }
        if let mapping = prefixMapping(input) {
            let title: String
            var fixes: [Fix]
            let sign: Sign
            switch mapping {
            case .missing(let prefix):
                sign = Sign("hrefs-lack-prefix", value: prefix)
                title = "hrefs lack the \(prefix) prefix of the URL asked for"
                fixes = FixBook.proxyHrefs(prefix: prefix, extra: nil, foreignOrigin: nil)
            case .extra(let prefix):
                sign = Sign("hrefs-carry-extra-prefix", value: prefix)
                title = "hrefs carry an extra \(prefix) prefix"
                fixes = FixBook.proxyHrefs(prefix: nil, extra: prefix, foreignOrigin: nil)
            case .mapped(let asked, let named):
                sign = Sign("collection-mapped", subject: asked, value: named)
                title = "the server names the collection asked for \(named), not \(asked): something in between maps one path to the other"
                fixes = [
                    Fix(
                        "Map the proxy location to the same path on the backend (\(asked) → \(asked)), or have the proxy rewrite hrefs and Destination both ways (Apache ProxyPassReverse and ProxyHTMLURLMap; nginx sub_filter on every href, not once)",
                        .medium)
                ]
            }
            var evidence = [
                "asked for \(input.context.requestPath), the answer names \(collector.outOfScope.first ?? "?")",
                "the path prefix is stripped or added between client and backend, so the next request goes outside the proxied location",
            ]
            if collector.outOfScopeCount < collector.responseCount {
                evidence.append(
                    "\(collector.responseCount - collector.outOfScopeCount) of \(collector.responseCount) hrefs do carry the path asked for: the rewrite reaches only some of them (nginx sub_filter_once on, or a rule that matches the first occurrence)"
                )
            }
            findings.append(
                Finding(
                    cause: .proxy, likelihood: .high, signs: [sign], title: title,
                    resources: topmost(collector.outOfScope), resourceCount: collector.outOfScopeCount,
                    evidence: evidence, seen: proxyHeaders(input.head), fixes: fixes))
        }
        let gateway = input.failing([502])
        if !gateway.isEmpty {
            let destination = input.context.request.headers["Destination"]
            findings.append(
                Finding(
                    cause: .proxy, likelihood: destination != nil ? .high : .medium,
                    title: "\(Wording.resources(gateway.count)) answered 502 Bad Gateway",
                    resources: gateway.map(\.path),
                    evidence: [
                        destination.map {
                            "Destination: \($0) — the server calls it another server; behind a TLS-terminating proxy its scheme or host no longer matches"
                        } ?? "502 per resource: the server refused to act on another server"
                    ],
                    fixes: FixBook.proxyDestination(server: input.server.kind), status: 502))
        }
        return findings
    }

    /// The paths not inside another path of the list: a collection stands for its members.
    static func topmost(_ paths: [String]) -> [String] {
        paths.filter { path in !paths.contains { $0 != path && $0.hasSuffix("/") && URLPath.isWithin(path, $0) } }
    }

    /// Proxy fingerprints in the response headers, less the headers named in `except`.
    static func proxyHeaders(_ head: ResponseHead?, except: Set<String> = []) -> [String] {
        guard let head else { return [] }
        return ["Via", "Forwarded", "X-Forwarded-For", "X-Cache", "X-Cache-Status", "X-Varnish", "Age", "CF-Ray", "X-Served-By"].compactMap { name in
            except.contains(name) ? nil : head.headers[name].map { "\(name): \($0)" }
        }
    }

    /// How the hrefs' paths relate to the path asked, when a consistent rewrite explains every one outside it.
    enum PrefixMapping: Equatable {
        /// The hrefs lack leading segments of the request path (`/dav/docs/` asked, `/docs/` answered).
        case missing(String)
        /// The hrefs carry leading segments the request path has not (`/docs/` asked, `/backend/docs/` answered).
        case extra(String)
        /// The server names the resource asked for by another path altogether (`/dav/` asked, `/docs/` answered).
        case mapped(asked: String, named: String)
    }

    /// When hrefs fall outside the request path, the rewrite in between that explains all of them.
    static func prefixMapping(_ input: RuleInput) -> PrefixMapping? {
        guard let collector = input.collector, collector.outOfScopeCount > 0, input.context.urlKnown else { return nil }
        let request = URLPath.withoutTrailingSlash(input.context.requestPath)
        let sample = Array(collector.outOfScope.prefix(50))
        func inScope(_ path: String) -> Bool {
            let bare = URLPath.withoutTrailingSlash(path)
            return bare == request || URLPath.isWithin(bare, request + "/")
        }
        let segments = request.split(separator: "/").map(String.init)
        // Leading segments of the request path that the hrefs lack.
        for count in stride(from: segments.count - 1, through: 1, by: -1) where count < segments.count {
            let prefix = "/" + segments.prefix(count).joined(separator: "/")
            if sample.allSatisfy({ inScope(prefix + (URLPath.withoutTrailingSlash($0) == "/" ? "" : $0)) }) { return .missing(prefix) }
        }
        // Leading segments the hrefs carry beyond the request path.
        if let first = sample.first {
            let parts = first.split(separator: "/").map(String.init)
            for count in 1..<max(parts.count, 1) {
                let extra = "/" + parts.prefix(count).joined(separator: "/")
                if sample.allSatisfy({ $0.hasPrefix(extra + "/") && inScope(String($0.dropFirst(extra.count))) }) { return .extra(extra) }
            }
        }
        // The resource asked for, named by another path: its own response comes first and holds the others.
        if let own = collector.records.first.map(\.path), !inScope(own), input.context.depth != .zero || collector.responseCount == 1,
            sample.allSatisfy({
                URLPath.withoutTrailingSlash($0) == URLPath.withoutTrailingSlash(own) || URLPath.isWithin($0, own.hasSuffix("/") ? own : own + "/")
            }),
            // The same name in another case or normalisation is the server's own leniency (PathRule), not a rewrite.
            URLPath.withoutTrailingSlash(own).lowercased() != request.lowercased()
        {
            return .mapped(asked: input.context.requestPath, named: own)
        }
        return nil
    }
}
