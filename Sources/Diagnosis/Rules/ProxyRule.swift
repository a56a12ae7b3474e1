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
            if other.scheme != request.scheme { differs.append("scheme (\(other.scheme ?? "?") instead of \(request.scheme ?? "?"))") }
            let host = { (a: String?) in a.map { String($0.split(separator: ":").first ?? "") } }
            if host(other.normalizedAuthority) != host(request.normalizedAuthority) { differs.append("host (\(host(other.authority) ?? "?") instead of \(host(request.authority) ?? "?"))") }
            else if other.normalizedAuthority != request.normalizedAuthority { differs.append("port") }
            findings.append(Finding(
                cause: .proxy, likelihood: .high,
                title: "\(Wording.resources(entry.count)) named with \(origin), not \(requestOrigin)",
                resources: entry.examples.map { Href($0).displayPath }, resourceCount: entry.count,
                evidence: ["the hrefs differ in \(differs.joined(separator: " and ")): the backend builds absolute URLs from its own address, which a proxy in front does not rewrite",
                           "rclone ≥ 1.74 drops such items; other clients follow them past the proxy"] + proxyHeaders(input.head),
                fixes: FixBook.proxyHrefs(prefix: nil, extra: nil, foreignOrigin: origin)))
        }
        if let mapping = prefixMapping(input) {
            let title = mapping.missing.map { "hrefs lack the \($0) prefix of the URL asked for" } ?? "hrefs carry an extra \(mapping.extra ?? "") prefix"
            findings.append(Finding(
                cause: .proxy, likelihood: .high, title: title,
                resources: topmost(collector.outOfScope), resourceCount: collector.outOfScopeCount,
                evidence: ["asked for \(input.context.requestPath), the answer names \(collector.outOfScope.first ?? "?")",
                           "the path prefix is stripped or added between client and backend, so the next request goes outside the proxied location"] + proxyHeaders(input.head),
                fixes: FixBook.proxyHrefs(prefix: mapping.missing, extra: mapping.extra, foreignOrigin: nil)))
        }
        let gateway = input.failing([502])
        if !gateway.isEmpty {
            let destination = input.context.request.headers["Destination"]
            findings.append(Finding(
                cause: .proxy, likelihood: destination != nil ? .high : .medium,
                title: "\(Wording.resources(gateway.count)) answered 502 Bad Gateway",
                resources: gateway.map(\.path),
                evidence: [destination.map { "Destination: \($0) — the server calls it another server; behind a TLS-terminating proxy its scheme or host no longer matches" } ?? "502 per resource: the server refused to act on another server"],
                fixes: FixBook.proxyDestination(server: input.server.kind), status: 502))
        }
        return findings
    }

    /// The paths not inside another path of the list: a collection stands for its members.
    static func topmost(_ paths: [String]) -> [String] {
        paths.filter { path in !paths.contains { $0 != path && $0.hasSuffix("/") && URLPath.isWithin(path, $0) } }
    }

    /// Proxy fingerprints in the response headers.
    static func proxyHeaders(_ head: ResponseHead?) -> [String] {
        guard let head else { return [] }
        return ["Via", "Forwarded", "X-Forwarded-For", "X-Cache", "Age", "CF-Ray", "X-Served-By"].compactMap { name in
            head.headers[name].map { "\(name): \($0)" }
        }
    }

    /// When hrefs fall outside the request path, whether a prefix explains it: `missing` when the request
    /// path is the hrefs' path with a prefix added (`/dav/docs/` asked, `/docs/` answered).
    static func prefixMapping(_ input: RuleInput) -> (missing: String?, extra: String?)? {
        guard let collector = input.collector, collector.outOfScopeCount > 0, input.context.urlKnown else { return nil }
        let request = URLPath.withoutTrailingSlash(input.context.requestPath)
        let shallowest = collector.outOfScope.min { $0.split(separator: "/").count < $1.split(separator: "/").count } ?? ""
        let answer = URLPath.withoutTrailingSlash(shallowest)
        if answer.count < request.count, request.hasSuffix(answer), answer != "/" || request.hasPrefix("/") {
            let prefix = String(request.dropLast(answer == "/" ? 0 : answer.count))
            if !prefix.isEmpty && prefix != "/" { return (URLPath.withoutTrailingSlash(prefix), nil) }
        }
        if answer.count > request.count, answer.hasSuffix(request) || answer.contains(request + "/") {
            if let range = answer.firstRange(of: request == "/" ? "" : request) {
                let extra = String(answer[..<range.lowerBound])
                if !extra.isEmpty { return (nil, extra) }
            }
        }
        return nil
    }
}
