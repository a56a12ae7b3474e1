import DAVCore

/// Reads the OPTIONS probe against a refused method or body: whether the server says it allows the
/// method at all, and so whether a 405 comes from a rule for the path and a 413 from the body's size.
enum MethodProbes {
    /// Each line with its kind: `body-over-limit`, `options-without-allow`, `method-not-in-allow`, `method-refused-by-rule`.
    static func optionsEvidence(_ analysis: AnalysisResult, options head: ResponseHead) -> [(text: String, sign: Sign)] {
        let method = analysis.context.method
        let status = analysis.head?.status
        let server = analysis.server.kind
        let allow = head.headers["Allow"]
        let allowed = Set((allow ?? "").split(separator: ",").map { $0.trimmingASCIIWhitespace().uppercased() })
        if status == 413 {
            let size = analysis.context.request.body.map { "the \($0.count)-byte body" } ?? "the body"
            let said =
                allowed.contains(method)
                ? "OPTIONS lists \(method) in Allow: \(allow!), so \(method) itself is accepted here" : "OPTIONS answers \(head.status)"
            return [
                (
                    "\(said); \(size) is over the server's limit for \(analysis.context.requestPath) (\(FixBook.bodyLimitDirective(server: server)))",
                    Sign("body-over-limit", subject: analysis.context.requestPath, value: analysis.context.request.body.map { String($0.count) })
                )
            ]
        }
        guard let allow else {
            return status == 405 || status == 501
                ? [
                    (
                        "OPTIONS answered \(head.status) without an Allow header: the server does not say which methods it takes here",
                        Sign("options-without-allow", value: String(head.status))
                    )
                ] : []
        }
        if !allowed.contains(method) {
            return [("OPTIONS lists Allow: \(allow) — \(method) is not among them", Sign("method-not-in-allow", subject: method, value: allow))]
        }
        let refusedInside = (analysis.collector?.failing ?? []).contains { $0.status == 405 || $0.status == 501 }
        if status == 405 || status == 501 || refusedInside {
            return [
                (
                    "OPTIONS lists Allow: \(allow), \(method) among them, yet \(method) answered \(refusedInside ? "405 inside the 207" : String(status!)): "
                        + "the WebDAV module takes it, a rule for this path refuses it (\(FixBook.methodRuleDirective(server: server)))",
                    Sign("method-refused-by-rule", subject: method, value: allow)
                )
            ]
        }
        return []
    }
}
