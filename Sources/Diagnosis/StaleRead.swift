import DAVCore

/// A GET or HEAD answered from a cache looks healthy: 200, a body, an ETag. Whether it is stale shows only
/// beside what the server holds now, and a PROPFIND reaches the server past every HTTP cache (Varnish,
/// nginx `proxy_cache`, mod_cache and CDNs keep GET and HEAD only). A resource the server no longer has,
/// or whose validators differ, was served from an old copy.
enum StaleRead {
    static let body = Array(
        #"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontentlength/><D:getlastmodified/><D:resourcetype/></D:prop></D:propfind>"#
            .utf8)

    static func finding(_ analysis: AnalysisResult, probe outcome: ProbeOutcome) -> Finding? {
        guard let read = analysis.head, let server = outcome.head else { return nil }
        let path = analysis.context.requestPath
        let method = analysis.context.method
        // Age, X-Cache, X-Cache-Status and X-Varnish are the cache's to cite (cacheHit), and only when they show a hit.
        let seen = (CacheRule.cacheHit(read) ?? []) + ProxyRule.proxyHeaders(read, except: ["Age", "X-Cache", "X-Cache-Status", "X-Varnish"])
        let hitSigns = CacheRule.cacheHitSigns(read)
        let fixes = [
            Fix(
                "Keep WebDAV paths out of the cache, or let every write through it purge the URL (Varnish: return (pass) for requests with Authorization or DAV methods and ban on PUT/DELETE/MOVE; nginx: proxy_cache_bypass and proxy_no_cache for the share; mod_cache: CacheDisable for the share)",
                .medium),
            Fix(
                "Send Cache-Control: no-cache (or a short max-age with must-revalidate) on the share's GET answers, so a cache revalidates before it serves",
                .easy),
        ]
        if server.status == 404 || server.status == 410 {
            return Finding(
                cause: .cache, likelihood: .high, signs: hitSigns,
                title: "the \(method) of \(path) was answered from a copy: the server no longer has it",
                resources: [path],
                evidence: [
                    "the \(method) answered \(read.statusLine), yet PROPFIND of the same URL answers \(Wording.status(server.status)); a PROPFIND reaches the server past HTTP caches, so the \(method)'s answer was kept from before the resource went away"
                ] + seen,
                fixes: fixes, status: read.status)
        }
        guard server.status == 207, let response = outcome.multistatus?.responses.first else { return nil }
        var differences: [String] = []
        if let etag = read.headers["ETag"], let now = response.value(of: DAV.getetag)?.text, now.hasNonWhitespace,
            ProbeInterpreter.normalizeETag(etag) != ProbeInterpreter.normalizeETag(now)
        {
            differences.append("ETag \(etag.trimmingASCIIWhitespace()), the server's getetag now \(now.trimmingASCIIWhitespace())")
        }
        // A compressed or partial body has another length by design.
        if read.status == 200, read.headers["Content-Encoding"] == nil,
            let length = read.headers["Content-Length"]?.trimmingASCIIWhitespace(),
            let now = response.value(of: DAV.getcontentlength)?.text.trimmingASCIIWhitespace(),
            !now.isEmpty, Int(length) != nil, Int(now) != nil, Int(length) != Int(now)
        {
            differences.append("Content-Length \(length), the server's getcontentlength now \(now)")
        }
        if let modified = read.headers["Last-Modified"]?.trimmingASCIIWhitespace(),
            let now = response.value(of: DAV.getlastmodified)?.text.trimmingASCIIWhitespace(),
            HTTPDate.isIMFFixdate(modified), HTTPDate.isIMFFixdate(now), modified != now
        {
            differences.append("Last-Modified \(modified), the server's getlastmodified now \(now)")
        }
        guard !differences.isEmpty else { return nil }
        // Without a sign of a cache, the server's own GET and PROPFIND may simply disagree (catalog CACHE-03).
        let cached = !hitSigns.isEmpty
        return Finding(
            cause: .cache, likelihood: cached ? .high : .medium, signs: hitSigns,
            title: cached
                ? "the \(method) of \(path) was answered from a stale copy" : "the \(method) of \(path) and the server's PROPFIND disagree about it",
            resources: [path],
            evidence: [
                "the \(method) was given " + Wording.list(differences) + "; a PROPFIND reaches the server past HTTP caches"
                    + (cached
                        ? ", so the \(method)'s answer was kept from before the last change"
                        : ": either something in between kept an old copy, or the server reports other validators in its PROPFIND than in its headers")
            ] + seen,
            fixes: fixes, status: read.status)
    }
}
