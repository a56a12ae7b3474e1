import DAVCore

/// Reads the OPTIONS probe against a 404: Apache's mod_dav says in Allow whether the resource exists. Its
/// OPTIONS handler (modules/dav/main/mod_dav.c, `dav_method_options`) lists GET, DELETE, PROPFIND, COPY and
/// MOVE only for a resource that exists, and OPTIONS, MKCOL, PUT and LOCK for an unmapped URL. When the
/// same URL answered the request with 404 and OPTIONS with the methods of an existing resource, the 404 did
/// not come from this request reaching the resource: a cache kept an old 404, or something in between
/// changed the request (Varnish fetches a cache miss with GET unless the VCL keeps the method, and Apache
/// has no page for the GET of a collection without an index).
enum ExistenceProbes {
    /// Methods Apache lists only for a resource that exists.
    static let existingOnly: Set<String> = ["GET", "DELETE", "PROPFIND", "COPY", "MOVE"]
    /// Requests that answer 404 only when the resource is missing.
    static let needsResource: Set<String> = ["PROPFIND", "PROPPATCH", "GET", "HEAD", "DELETE", "COPY", "MOVE"]

    /// The finding when OPTIONS contradicts the 404, else nil. `findings`: a cache finding already made is
    /// proved instead of a new one added.
    static func contradiction(_ analysis: AnalysisResult, options head: ResponseHead, findings: inout [Finding]) -> Finding? {
        guard analysis.head?.status == 404, needsResource.contains(analysis.context.method), head.status == 200,
            ServerProfile.recognise(headers: head.headers).kind == .apache || analysis.server.kind == .apache,
            let allow = head.headers["Allow"]
        else { return nil }
        let allowed = Set(allow.split(separator: ",").map { $0.trimmingASCIIWhitespace().uppercased() })
        guard existingOnly.isSubset(of: allowed) else { return nil }
        let method = analysis.context.method
        let path = analysis.context.requestPath
        // Apache does not serve the GET of a collection without an index page (404): nothing contradicts that.
        if ["GET", "HEAD"].contains(method), !allowed.contains("PUT") { return nil }
        let proof =
            "OPTIONS \(path) answers Allow: \(allow): Apache's mod_dav lists GET, DELETE, PROPFIND, COPY and MOVE only for a resource that exists (an unmapped URL gets OPTIONS, MKCOL, PUT, LOCK)"
        let sign = Sign("exists-per-options", subject: path, value: allow)
        ProbeInterpreter.demote(.path, in: &findings)
        if let hit = analysis.head.flatMap(CacheRule.cacheHit) {
            if let index = findings.firstIndex(where: { $0.cause == .cache }) {
                findings[index].likelihood = .high
                findings[index].signs.append(sign)
                findings[index].prove(proof + ": the 404 was kept by the cache from before \(path) existed")
                return nil
            }
            return Finding(
                cause: .cache, likelihood: .high, signs: [sign], title: "the 404 for \(path) came from a cache: the server has it now",
                resources: [path], evidence: [proof, "the \(method) answered 404 from a cache (\(hit.joined(separator: "; ")))"],
                fixes: [Fix("Do not cache errors of WebDAV paths, or purge the URL on every write through the cache", .medium)], status: 404)
        }
        let relayed = ProxyRule.proxyHeaders(analysis.head)
        let varnish = analysis.head?.headers["X-Varnish"] != nil || (analysis.head?.headers["Via"]?.lowercased().contains("varnish") ?? false)
        var evidence = [proof, "yet the \(method) answered 404: what reached the server was not this \(method) of \(path)"]
        if varnish, method != "GET", method != "HEAD" {
            evidence.append(
                "Varnish fetches a cache miss from the backend with GET unless the VCL keeps the method, and Apache has no page for the GET of a collection without an index: a 404"
            )
        }
        var finding = Finding(
            cause: .proxy, likelihood: relayed.isEmpty ? .medium : .high, signs: [sign],
            title: "the server has \(path), yet the \(method) answered 404: the request was changed on its way",
            resources: [path], evidence: evidence, seen: relayed,
            fixes: varnish
                ? [
                    Fix(
                        "Varnish: pass WebDAV methods to the backend unchanged (in vcl_recv: if (req.method != \"GET\" && req.method != \"HEAD\") { return (pass); }), or keep the method of a cached one (in vcl_backend_fetch: set bereq.method = req.method)",
                        .medium)
                ]
                : [
                    Fix(
                        "Compare with the request sent straight to the server (davdoctor proxy --direct … --via …) and let the proxy pass the method and path unchanged",
                        .medium)
                ],
            status: 404)
        finding.because = evidence[1]
        return finding
    }
}
