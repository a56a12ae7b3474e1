import DAVCore

/// The tests behind ``ClientRequirement``: each reads the evidence and says met, unmet or not checked.
extension ClientRequirement {
    static func optionsWithoutAuthentication(_ evidence: ClientEvidence) -> Verdict {
        guard let status = evidence.anonymousOptionsStatus else { return .notChecked("OPTIONS did not answer") }
        return status == 401 || status == 403
            ? .unmet("OPTIONS without credentials answered \(status)")
            : .met("OPTIONS without credentials answered \(status)")
    }

    static func notFoundForMissing(_ evidence: ClientEvidence) -> Verdict {
        guard let status = evidence.missingPathStatus else { return .notChecked("the missing-name probe did not answer") }
        switch status {
        case 404: return .met("PROPFIND of a name that does not exist answered 404")
        case 401: return .notChecked("PROPFIND of a missing name answered 401 (give --user)")
        default: return .unmet("PROPFIND of a name that does not exist answered \(status), not 404")
        }
    }

    static func methods(_ evidence: ClientEvidence, _ needed: [String], class2: Bool) -> Verdict {
        guard let options = evidence.options else { return .notChecked("OPTIONS did not answer") }
        guard options.status < 400 else { return .notChecked("OPTIONS answered \(options.status)") }
        var missing: [String] = []
        if class2, !(evidence.davClasses ?? []).contains("2") {
            missing.append("class 2 (DAV: \(options.headers["DAV"] ?? "absent"))")
        }
        if let allowed = evidence.allowed {
            missing += needed.filter { !allowed.contains($0) }
        } else if !class2 {
            return .notChecked("OPTIONS lists no Allow header")
        }
        return missing.isEmpty
            ? .met("OPTIONS: DAV: \(options.headers["DAV"] ?? "-"), Allow includes \(needed.joined(separator: ", "))")
            : .unmet(
                "OPTIONS lacks \(missing.joined(separator: ", "))" + (evidence.allowed == nil ? "" : " (Allow: \(options.headers["Allow"] ?? ""))"))
    }

    static func basicOnlyOverHTTPS(_ evidence: ClientEvidence) -> Verdict {
        guard !evidence.authenticationSchemes.isEmpty else { return .met("no authentication was asked for") }
        if evidence.isHTTPS { return .met("the URL is https") }
        if evidence.authenticationSchemes == ["Basic"] {
            return .unmet("the server offers only Basic authentication, over plain http")
        }
        return .met("the server offers \(evidence.authenticationSchemes.sorted().joined(separator: ", "))")
    }

    static func listingSize(_ evidence: ClientEvidence) -> Verdict {
        guard evidence.method == "PROPFIND", evidence.depth == "1", let bytes = evidence.bodyBytes else {
            return .notChecked("needs a PROPFIND Depth 1 of a collection (the default check)")
        }
        return bytes > 1_000_000
            ? .unmet("the Depth 1 answer is \(bytes) bytes, over 1,000,000")
            : .met("the Depth 1 answer is \(bytes) bytes")
    }

    static func mkcolWithoutSlash(_ evidence: ClientEvidence) -> Verdict {
        guard let status = evidence.mkcolWithoutSlashStatus else {
            return .notChecked("needs a write: run with --allow-writes (MKCOL inside a scratch collection)")
        }
        return (200..<300).contains(status)
            ? .met("MKCOL without a trailing slash answered \(status)")
            : .unmet("MKCOL without a trailing slash answered \(status)")
    }

    static func authorVia(_ head: ResponseHead?, where place: String) -> Verdict {
        guard let head else { return .notChecked("OPTIONS of \(place) did not answer") }
        if head.status >= 400 { return .unmet("OPTIONS of \(place) answered \(head.status)") }
        let value = head.headers["MS-Author-Via"] ?? ""
        return value.uppercased().contains("DAV")
            ? .met("OPTIONS of \(place) says MS-Author-Via: \(value)")
            : .unmet("OPTIONS of \(place) has no MS-Author-Via: DAV")
    }

    static func davHeader(_ evidence: ClientEvidence) -> Verdict {
        guard let options = evidence.options else { return .notChecked("OPTIONS did not answer") }
        if let dav = options.headers["DAV"] { return .met("OPTIONS says DAV: \(dav)") }
        return options.status >= 400
            ? .notChecked("OPTIONS answered \(options.status)") : .unmet("OPTIONS answered \(options.status) without a DAV header")
    }

    static func lint(_ evidence: ClientEvidence, _ rules: [String], what: String) -> Verdict {
        guard evidence.hasMultistatus else { return .notChecked("the answer was not a multistatus") }
        let hits = rules.filter(evidence.lintRules.contains)
        return hits.isEmpty ? .met("the answer has no \(what)") : .unmet("the answer has \(what) (lint: \(hits.joined(separator: ", ")))")
    }

    static func sameHost(_ evidence: ClientEvidence) -> Verdict {
        guard evidence.hasMultistatus else { return .notChecked("the answer was not a multistatus") }
        return evidence.foreignOrigins.isEmpty
            ? .met("every href is on the host asked")
            : .unmet("hrefs name \(evidence.foreignOrigins.joined(separator: ", ")), not the host asked")
    }

    static func noMissingPropstats(_ evidence: ClientEvidence) -> Verdict {
        guard evidence.hasMultistatus else { return .notChecked("the answer was not a multistatus") }
        return evidence.itemsWithMissingPropstats == 0
            ? .met("no listed item carries a 404 propstat")
            : .unmet("\(evidence.itemsWithMissingPropstats) listed item(s) carry a 404 propstat")
    }

    static func rootAnswers(_ evidence: ClientEvidence) -> Verdict {
        guard let root = evidence.rootOptions else { return .notChecked("OPTIONS of / did not answer") }
        return [404, 405, 501].contains(root.status) || root.status >= 500
            ? .unmet("OPTIONS of / answered \(root.status)")
            : .met("OPTIONS of / answered \(root.status)")
    }

    static func quota(_ evidence: ClientEvidence) -> Verdict {
        guard let statuses = evidence.quotaStatuses else { return .notChecked("the quota probe did not answer") }
        if statuses.count == 1, statuses[0] == 401 { return .notChecked("the quota probe answered 401 (give --user)") }
        if statuses.isEmpty { return .unmet("the server left the quota properties out of its answer (not even a 404 propstat)") }
        let ok = statuses.filter { $0 == 200 }.count
        return ok >= 2
            ? .met("quota-available-bytes and quota-used-bytes answered 200")
            : .unmet("the quota properties answered \(statuses.map(String.init).joined(separator: ", "))")
    }
}
