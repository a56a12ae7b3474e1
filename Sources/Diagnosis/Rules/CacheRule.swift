import DAVCore

/// Signs of stale metadata: a listing or an error served from a shared cache. A cache hit on a GET of a
/// file is what caches are for and no fault; a PROPFIND or REPORT answer changes with every write anywhere
/// in the collection, and an error kept by a cache outlives the fault, so those are findings. A miss
/// (`Age: 0`, one Varnish id) came from the server and says nothing about staleness.
enum CacheRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let head = input.head, let hit = cacheHit(head) else { return [] }
        let method = input.context.method
        let listing = method == "PROPFIND" || method == "REPORT"
        guard listing || head.status >= 400 else { return [] }
        let what = listing ? "the \(method) answer" : "the \(head.status) error"
        return [
            Finding(
                cause: .cache, likelihood: .high, title: "\(what) came from a shared cache, not from the server",
                resources: [input.context.requestPath],
                evidence: hit + [
                    listing
                        ? "a listing changes with every write in the collection; a cached one hides new, changed and deleted members until it expires"
                        : "a cached error keeps answering after the fault is gone (a file created since still looks missing)"
                ],
                fixes: [
                    Fix(
                        "Do not cache WebDAV methods: pass PROPFIND, REPORT and the other DAV methods to the backend (Varnish: return (pass) in vcl_recv; nginx: no proxy_cache for them, or proxy_cache_bypass; a CDN: bypass the DAV path)",
                        .medium),
                    Fix("Send Cache-Control: no-store (or private, no-cache) on DAV answers from the server", .easy),
                ],
                status: head.status)
        ]
    }

    /// The headers that show the answer was a cache hit, or nil for a miss or no cache at all.
    static func cacheHit(_ head: ResponseHead) -> [String]? {
        let headers = cacheHitHeaders(head)
        return headers.isEmpty ? nil : headers.map(\.line)
    }

    /// The same headers as signs (`cache-hit`: the header and its value), for findings that cite them.
    static func cacheHitSigns(_ head: ResponseHead) -> [Sign] {
        cacheHitHeaders(head).map { Sign("cache-hit", subject: $0.name, value: $0.value) }
    }

    /// Each header that shows a cache hit, with the evidence line that says so.
    private static func cacheHitHeaders(_ head: ResponseHead) -> [(name: String, value: String, line: String)] {
        var found = ["X-Cache", "X-Cache-Status", "CF-Cache-Status", "X-Proxy-Cache"].compactMap { name in
            head.headers[name].flatMap { $0.lowercased().contains("hit") || $0.lowercased().contains("stale") ? (name, $0, "\(name): \($0)") : nil }
        }
        if let age = head.headers["Age"], let seconds = Int(age.trimmingASCIIWhitespace()), seconds > 0 {
            found.append(("Age", age, "Age: \(age) — the answer had been kept \(age) s before it was sent"))
        }
        // Varnish names the request and, on a hit, the request that filled the cache: two ids.
        if let ids = head.headers["X-Varnish"], ids.split(separator: " ").count >= 2 {
            found.append(("X-Varnish", ids, "X-Varnish: \(ids) — two ids: a hit on an object cached by an earlier request"))
        }
        return found
    }
}
