/// RFC 4918 §14.24 and §14.28: the shape of a `<D:response>` and its status lines.
enum ShapeChecks {
    static func check(_ response: Response, at location: String, into linter: inout Linter) {
        if response.hrefs.isEmpty {
            linter.report(LintRules.missingHref, "response #\(response.index) has no <D:href>", at: location)
        }
        if response.status != nil && !response.propstats.isEmpty {
            linter.report(LintRules.statusAndPropstat, "\(location) has both <D:status> and <D:propstat>", at: location)
        }
        if response.status == nil && response.propstats.isEmpty {
            linter.report(LintRules.missingStatus, "\(location) has neither <D:status> nor <D:propstat>", at: location)
        }
        if !response.propstats.isEmpty && response.hrefs.count > 1 {
            linter.report(LintRules.hrefsWithPropstat, "\(location) lists \(response.hrefs.count) hrefs beside its propstats", at: location)
        }
        if let status = response.status, !status.isWellFormed {
            linter.report(LintRules.statusLine, "\"\(status.description)\" is not an HTTP/1.x status line", at: location)
        }
        for propstat in response.propstats {
            if let status = propstat.status {
                if !status.isWellFormed {
                    linter.report(LintRules.statusLine, "\"\(status.description)\" is not an HTTP/1.x status line", at: location)
                }
            } else {
                linter.report(LintRules.missingStatus, "a <D:propstat> of \(location) has no <D:status>", at: location)
            }
        }
    }
}
