import DAVCore

/// Reads the permission probes: the request repeated without credentials, and repeated as the second
/// user (`--as`). The first tells authentication (401) from authorisation (403); the second names the
/// smallest subtrees one user may read and the other may not.
enum PermissionProbes {
    /// Who asked: the names the report uses for the two accounts.
    struct Accounts {
        var user: String
        var second: String

        init(user: String?, second: String?) {
            self.user = user ?? "this account"
            self.second = second ?? "the second user"
        }
    }

    /// The status the user was refused with: the answer's own, or the first 401/403 inside the 207.
    static func refusal(_ analysis: AnalysisResult) -> Int? {
        if let top = analysis.head?.status, top == 401 || top == 403 { return top }
        return analysis.collector?.failing.compactMap(\.status).first { $0 == 401 || $0 == 403 }
    }

    /// What the anonymous repeat says about the user's refusal.
    static func anonymousRepeat(_ analysis: AnalysisResult, anonymous: Int) -> String {
        let refused = refusal(analysis)
        let user = refused.map(String.init) ?? String(analysis.head?.status ?? 207)
        switch (anonymous, refused) {
        case (401, 401):
            return
                "without credentials the same request answers 401, and with them 401 too: the refusal is authentication — the server does not accept this account here (a wrong password, or a rule naming other users that answers 401 to the rest)"
        case (401, _):
            return
                "without credentials the same request answers 401, with them \(user): the account authenticates; the refusal is authorisation (a rule or ACL), not a bad password"
        case (403, 403):
            return
                "without credentials the same request answers 403 too: the server refuses before it asks who is there (a deny rule on the path); the refusal is authorisation"
        case (200..<300, _):
            return "without credentials the same request answers \(anonymous): anonymous access sees more than this account"
        default:
            return "without credentials the same request answers \(anonymous), with credentials \(user)"
        }
    }

    /// ``anonymousRepeat(_:anonymous:)`` as data: which kind of refusal it shows (value: the anonymous status).
    static func refusalKind(_ analysis: AnalysisResult, anonymous: Int) -> Sign? {
        let kind: String? =
            switch (anonymous, refusal(analysis)) {
            case (401, 401): "refusal-is-authentication"
            case (401, _): "refusal-is-authorisation"
            case (403, 403): "refused-before-login"
            case (200..<300, _): "anonymous-sees-more"
            default: nil
            }
        return kind.map { Sign($0, subject: analysis.context.requestPath, value: String(anonymous)) }
    }

    /// OPTIONS when no credentials were sent and the request got 401: does the server want a login for
    /// everything, or only for the request?
    static func anonymousOptions(_ analysis: AnalysisResult, options head: ResponseHead) -> String {
        if head.status == 401 {
            return
                "OPTIONS answers 401 too\(head.headers["WWW-Authenticate"].map { " (WWW-Authenticate: \($0))" } ?? ""): the server wants a login before anything, and none was sent"
        }
        return
            "OPTIONS answers \(head.status)\(head.headers["DAV"].map { " with DAV: \($0)" } ?? ""): the server is there and lets clients discover it; \(analysis.context.method) needs a login, and none was sent"
    }

    /// What the second user's repeat found: the evidence, and the subtrees one account may read and the other may not.
    struct Comparison {
        var evidence: [String] = []
        /// One per subtree: `subtree-refused-authorisation` (403), `-authentication` (401) or `subtree-hidden`; value: who may read it.
        var signs: [Sign] = []
        var subtrees: [String] = []
        var refusal: Int?
    }

    /// What the second user's repeat says: the smallest subtrees each of the two may read and the other
    /// may not (refused, or left out of the listing), collapsed the way the permission rule collapses
    /// refusals, with the refusal's status.
    static func secondUserRepeat(_ analysis: AnalysisResult, other head: ResponseHead, listing: MultiStatus?, accounts: Accounts) -> Comparison {
        let requestPath = analysis.context.requestPath
        let refusedTop = refusal(analysis).flatMap { code in analysis.head?.status == code ? code : nil }
        var comparison = Comparison()
        /// What `reader` may read and `refused` may not, one sentence per kind of refusal (403, 401, hidden).
        func compare(reader: String, refused: String, readable: ResponseCollector, refusing: ResponseCollector) {
            let records = onlyReadableIn(readable, not: refusing)
            let statuses = Dictionary(refusing.failing.map { (URLPath.withoutTrailingSlash($0.path), $0.status) }, uniquingKeysWith: { a, _ in a })
            let groups = Dictionary(grouping: records) { record -> Int? in
                let status = statuses[URLPath.withoutTrailingSlash(record.path)] ?? nil
                return status == 401 || status == 403 ? status : nil
            }
            for status in [403, 401, nil] as [Int?] {
                guard let group = groups[status] else { continue }
                let subtrees = SubtreeCollapse.collapse(group, membersPerCollection: readable.membersPerCollection)
                comparison.subtrees += subtrees
                comparison.refusal = comparison.refusal ?? status
                comparison.evidence.append(differs(reader: reader, refused: refused, subtrees, status: status))
                comparison.signs += subtrees.map { differsSign(reader: reader, $0, status: status) }
            }
        }

        // The second user's answer, read like the first one, so both sides collapse the same way.
        var otherCollector: ResponseCollector?
        if let listing {
            var collector = ResponseCollector(context: analysis.context)
            for response in listing.responses { collector.add(response) }
            collector.finish()
            otherCollector = collector
        }
        if let refusedTop {
            if (200..<300).contains(head.status) {
                comparison.subtrees = [requestPath]
                comparison.refusal = refusedTop
                comparison.evidence.append(differs(reader: accounts.second, refused: accounts.user, [requestPath], status: refusedTop))
                comparison.signs.append(differsSign(reader: accounts.second, requestPath, status: refusedTop))
            }
        } else if let mine = analysis.collector, let theirs = otherCollector {
            compare(reader: accounts.second, refused: accounts.user, readable: theirs, refusing: mine)
            compare(reader: accounts.user, refused: accounts.second, readable: mine, refusing: theirs)
        } else if analysis.collector != nil, head.status == 401 || head.status == 403 {
            comparison.subtrees = [requestPath]
            comparison.refusal = head.status
            comparison.evidence.append(differs(reader: accounts.user, refused: accounts.second, [requestPath], status: head.status))
            comparison.signs.append(differsSign(reader: accounts.user, requestPath, status: head.status))
        }

        if comparison.evidence.isEmpty {
            if let code = otherCollector?.failing.first(where: { $0.status == 401 || $0.status == 403 })?.status {
                comparison.evidence.append("\(accounts.second) is refused the same resources (\(code)): the rule is not about one account")
            } else if head.status == 401 || head.status == 403 {
                comparison.evidence.append("\(accounts.second) gets \(head.status) for the same request too: the rule is not about one account")
            } else {
                comparison.evidence.append(
                    "\(accounts.second) gets \(head.status) for the same request, and the two accounts may read the same resources")
            }
        }
        return comparison
    }

    /// Resources `one` may read that `other` was refused or did not list at all (a server may hide them).
    static func onlyReadableIn(_ one: ResponseCollector, not other: ResponseCollector) -> [ResourceRecord] {
        // Past the tree limit the records are no longer complete, so absence proves nothing.
        guard other.records.count == other.responseCount else { return [] }
        let otherReadable = Set(other.records.filter { ($0.status ?? 0) / 100 == 2 }.map { URLPath.withoutTrailingSlash($0.path) })
        return one.records.filter { ($0.status ?? 0) / 100 == 2 && !otherReadable.contains(URLPath.withoutTrailingSlash($0.path)) }
    }

    static func differsSign(reader: String, _ subtree: String, status: Int?) -> Sign {
        let kind = status == 401 ? "subtree-refused-authentication" : status == 403 ? "subtree-refused-authorisation" : "subtree-hidden"
        return Sign(kind, subject: subtree, value: reader)
    }

    static func differs(reader: String, refused: String, _ subtrees: [String], status: Int?) -> String {
        let what =
            switch status {
            case 401: "which \(refused) is refused (401, authentication: the server does not accept \(refused) there)"
            case 403: "which \(refused) is refused (403, authorisation: a rule or ACL names users or groups)"
            default: "which \(refused)'s answer leaves out (hidden, neither 401 nor 403: the server omits what an account may not read)"
            }
        return
            "\(subtrees.count == 1 ? "the smallest subtree that differs" : "the smallest subtrees that differ"): \(reader) may read \(Wording.list(subtrees, limit: 5)), \(what)"
    }
}
