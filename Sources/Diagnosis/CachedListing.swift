import DAVCore

/// A PROPFIND or REPORT answered from a shared cache (Varnish, nginx `proxy_cache`, mod_cache, a CDN) is
/// only wrong when what it says is no longer so. `check` asks twice more: once as the user did, which the cache
/// answers again, and once with a query string no cache has seen (every HTTP cache keys on the whole URL;
/// WebDAV servers ignore the query of a PROPFIND) and Cache-Control: no-cache, which reaches the server. The
/// two listings compared say whether the cached one is stale (members added or gone, validators, locks or
/// properties changed) or still true: then caching listings is a risk for the next change, not a fault now.
enum CachedListing {
    /// The query that makes the URL one no cache holds.
    static func pastCacheURL(_ url: String, token: String) -> String {
        url + (url.contains("?") ? "&" : "?") + "davdoctor-nocache=" + token
    }

    /// Whether the answer is a cached listing worth asking past the cache.
    static func applies(_ analysis: AnalysisResult) -> Bool {
        guard ["PROPFIND", "REPORT"].contains(analysis.context.method), analysis.status == 207, let head = analysis.head else { return false }
        return CacheRule.cacheHit(head) != nil
    }

    /// What differs between the cached listing and the server's own, in words (empty: nothing).
    static func differences(cached: MultiStatus, fresh: MultiStatus) -> (changed: [String], paths: [String]) {
        func index(_ status: MultiStatus) -> [String: Response] {
            Dictionary(
                status.responses.compactMap { r in r.href.map { (URLPath.withoutTrailingSlash(Href($0).displayPath), r) } },
                uniquingKeysWith: { a, _ in a })
        }
        let old = index(cached)
        let now = index(fresh)
        var changed: [String] = []
        var paths: [String] = []
        for path in now.keys.sorted() where old[path] == nil {
            changed.append("the server lists \(path), which the cached answer lacks")
            paths.append(path)
        }
        for path in old.keys.sorted() where now[path] == nil {
            changed.append("the cached answer lists \(path), which the server no longer does")
            paths.append(path)
        }
        for path in old.keys.sorted() {
            guard let before = old[path], let after = now[path] else { continue }
            let a = values(before)
            let b = values(after)
            let names = Set(a.keys).union(b.keys).sorted { $0.description < $1.description }
            let differing = names.filter { a[$0] != b[$0] }
            if !differing.isEmpty {
                changed.append("\(path): \(differing.prefix(3).map(\.description).joined(separator: ", ")) differ\(differing.count == 1 ? "s" : "")")
                paths.append(path)
            }
        }
        return (changed, paths)
    }

    /// Each property's status and value, as compared: a lock by its token (its timeout counts down by itself),
    /// an ETag without its weak mark (Apache weakens the ETag of a file changed less than a second ago).
    static func values(_ response: Response) -> [QualifiedName: String] {
        var out: [QualifiedName: String] = [:]
        for propstat in response.propstats {
            let code = propstat.status?.code ?? 0
            for property in propstat.properties {
                guard (200..<300).contains(code) else {
                    out[property.name] = "status \(code)"
                    continue
                }
                switch property.name {
                case DAV.lockdiscovery:
                    out[property.name] = property.element.descendants(named: DAV.locktoken).flatMap { $0.descendants(named: DAV.href) }
                        .map { $0.text.trimmingASCIIWhitespace() }.sorted().joined(separator: " ")
                case DAV.getetag:
                    out[property.name] = ProbeInterpreter.normalizeETag(property.text)
                default:
                    out[property.name] = signature(property.element)
                }
            }
        }
        return out
    }

    static func signature(_ element: XMLElement) -> String {
        var out = ""
        for child in element.children {
            switch child {
            case .text(let text): out += text.trimmingASCIIWhitespace()
            case .element(let e): out += "<\(e.name)>" + signature(e) + "</>"
            }
        }
        return out
    }

    /// Folds the two probes into the findings: a stale listing proves the cache finding; a listing the
    /// server still gives word for word takes it back (a note says the cache is there).
    static func judge(
        _ analysis: AnalysisResult, cached: ProbeOutcome?, fresh: ProbeOutcome?, findings: inout [Finding], notes: inout [String],
        noteSigns: inout [Sign]
    ) {
        guard applies(analysis), let index = findings.firstIndex(where: { $0.cause == .cache }),
            let cachedListing = cached?.multistatus, let freshListing = fresh?.multistatus, let freshHead = fresh?.head
        else { return }
        // The answer to the query past the cache must itself be fresh, or the comparison says nothing.
        guard CacheRule.cacheHit(freshHead) == nil else { return }
        let (changed, paths) = differences(cached: cachedListing, fresh: freshListing)
        let path = analysis.context.requestPath
        // A repeat with no-cache that found changed validators is a stale listing too (CACHE-01).
        let provenElsewhere = findings.indices.contains { $0 != index && findings[$0].cause == .cache }
        if changed.isEmpty, !provenElsewhere {
            let hit = findings[index].evidence.first ?? "a cache hit"
            findings.remove(at: index)
            noteSigns.append(Sign("cached-listing-current", subject: path))
            notes.append(
                "the \(analysis.context.method) answer came from a shared cache (\(hit)), yet it matches what the server answers now, asked past the cache: nothing is stale today, but the next change to \(path) stays hidden until the cached copy expires (do not cache WebDAV listings)"
            )
            return
        }
        guard !changed.isEmpty else { return }
        findings[index].likelihood = .high
        findings[index].signs.append(Sign("cached-listing-stale", subject: path, value: String(changed.count)))
        let named = Set(findings[index].resources.map(URLPath.withoutTrailingSlash))
        for extra in paths where !named.contains(extra) && findings[index].resources.count < 20 {
            findings[index].resources.append(extra)
            findings[index].resourceCount += 1
        }
        findings[index].prove(
            "asked past the cache (a query string no cache holds, Cache-Control: no-cache), the server answers otherwise: " + Wording.list(changed))
    }
}
