import DAVCore

/// Signs of stale metadata: answers served from a cache, and files without an ETag to detect change.
enum CacheRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        var findings: [Finding] = []
        if let head = input.head {
            let hits = ["X-Cache", "X-Cache-Status", "CF-Cache-Status", "X-Proxy-Cache"].compactMap { name in
                head.headers[name].flatMap { $0.lowercased().contains("hit") || $0.lowercased().contains("stale") ? "\(name): \($0)" : nil }
            }
            let age = head.headers["Age"]
            if !hits.isEmpty || age != nil {
                findings.append(Finding(
                    cause: .cache, likelihood: .high, title: "the answer came from a cache, not from the server",
                    resources: [input.context.requestPath], evidence: hits + (age.map { ["Age: \($0) — the answer is \($0) s old"] } ?? []),
                    fixes: [Fix("Bypass caches for WebDAV methods and paths (nginx proxy_cache_bypass / no cache for PROPFIND; CDN rule to bypass DAV)", .medium),
                            Fix("Send Cache-Control: no-store on DAV responses", .easy)]))
            }
        }
        return findings
    }
}
