/// RFC 4918 §14.24 and §14.28: the shape of a `<D:response>` and its status lines.
enum ShapeChecks {
    static func check(_ response: Response, at where_: String, into linter: inout Linter) {
        if response.hrefs.isEmpty {
            linter.report(LintRules.missingHref, "response #\(response.index) has no <D:href>", at: where_)
        }
        if response.status != nil && !response.propstats.isEmpty {
            linter.report(LintRules.statusAndPropstat, "\(where_) has both <D:status> and <D:propstat>", at: where_)
        }
        if response.status == nil && response.propstats.isEmpty {
            linter.report(LintRules.missingStatus, "\(where_) has neither <D:status> nor <D:propstat>", at: where_)
        }
        if !response.propstats.isEmpty && response.hrefs.count > 1 {
            linter.report(LintRules.hrefsWithPropstat, "\(where_) lists \(response.hrefs.count) hrefs beside its propstats", at: where_)
        }
        if let status = response.status, !status.isWellFormed {
            linter.report(LintRules.statusLine, "\"\(status.description)\" is not an HTTP/1.x status line", at: where_)
        }
        for propstat in response.propstats {
            if let status = propstat.status {
                if !status.isWellFormed {
                    linter.report(LintRules.statusLine, "\"\(status.description)\" is not an HTTP/1.x status line", at: where_)
                }
            } else {
                linter.report(LintRules.missingStatus, "a <D:propstat> of \(where_) has no <D:status>", at: where_)
            }
        }
    }
}
