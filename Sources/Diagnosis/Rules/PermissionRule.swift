import DAVCore

/// 401 and 403 on resources or properties: refused by authentication or by access rules.
enum PermissionRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return [] }
        var findings: [Finding] = []
        for code in [401, 403] {
            let records = input.failing([code]).filter { !$0.conditions.contains(DAV.propfindFiniteDepth.description) }
            guard !records.isEmpty else { continue }
            let subtrees = SubtreeCollapse.collapse(records, membersPerCollection: collector.membersPerCollection)
            let total = collector.byStatus[code] ?? records.count
            var evidence = ["\(Wording.resources(total)) answered \(Wording.status(code)) inside the 207"]
            if subtrees.count < records.count {
                evidence.append("collapsed into \(subtrees.count) subtree(s): every member of each failed the same way")
            }
            if code == 401 {
                evidence.append("401 per resource means the credentials sent are not accepted there (authentication), not a missing rule")
            } else {
                evidence.append("403 per resource inside a 207 is an access rule or ACL on those resources; the rest of the request succeeded")
            }
            if let e = input.server.evidence { evidence.append(e) }
            findings.append(
                Finding(
                    cause: .permission, title: "\(Wording.resources(total)) refused with \(Wording.status(code))",
                    resources: Array(subtrees.prefix(Finding.resourcesListed)), resourceCount: total, evidence: evidence,
                    fixes: FixBook.permission(subtrees, status: code, server: input.server.kind), status: code))
        }
        for (key, failure) in collector.failedProperties.sorted(by: { $0.key.name < $1.key.name }) where key.status == 401 || key.status == 403 {
            if failure.conditions.contains(DAV.cannotModifyProtectedProperty.description) || ServerConfigRule.isProtected(key.name) {
                findings.append(Self.protectedProperty(key, failure))
            } else if input.context.method == "PROPPATCH", !key.name.isDAV, failure.conditions.isEmpty, key.status == 403 {
                // A dead property (outside DAV:) refused while the resource is writable: the server keeps none.
                findings.append(
                    Finding(
                        cause: .serverConfig, likelihood: .high,
                        title: "the server does not store the dead property \(key.name) (403)",
                        resources: failure.listed, resourceCount: failure.count,
                        evidence: [
                            "PROPPATCH of \(key.name), a property no RFC defines (a client's own, such as Windows' Win32 times), came back 403 with no precondition: the server has no dead-property storage, or refuses this namespace",
                            "Windows and Office set such properties on every save; a server that refuses them makes those saves fail",
                        ],
                        fixes: [
                            Fix(
                                "Use a server (or a configuration) that stores dead properties: Apache DavLockDB/mod_dav_fs keeps them; rclone, Xandikos and nginx do not",
                                .medium)
                        ],
                        status: key.status))
            } else {
                findings.append(
                    Finding(
                        cause: .permission, likelihood: .medium,
                        title: "the property \(key.name) is refused (\(Wording.status(key.status))) on \(Wording.resources(failure.count))",
                        resources: failure.listed, resourceCount: failure.count,
                        evidence: ["a propstat with \(Wording.status(key.status)) holds \(key.name): the resource is readable, this property is not"],
                        fixes: [Fix("Ask without \(key.name), or grant read-acl/property access for it to this user", .medium)],
                        status: key.status))
            }
        }
        return findings
    }

    /// A live property (RFC 4918 §15) the client tried to change: whatever status the server chose for it
    /// (403 as §16 asks, or 409 and 500 as some servers answer), the fix is the client's.
    static func protectedProperty(_ key: PropertyTally.FailureKey, _ failure: PropertyTally.Failure) -> Finding {
        let said = failure.conditions.contains(DAV.cannotModifyProtectedProperty.description)
        let unsaid = key.status == 403 ? ", and the server does not say <D:cannot-modify-protected-property> as §16 asks" : ""
        return Finding(
            cause: .permission, likelihood: .high,
            title: "\(key.name) is protected: the server will not let it be changed",
            resources: failure.listed, resourceCount: failure.count,
            evidence: [
                said
                    ? "\(key.name) came back \(Wording.status(key.status)) with <D:cannot-modify-protected-property> (RFC 4918 §16)"
                    : "\(key.name) came back \(Wording.status(key.status)); it is a live property the server computes (RFC 4918 §15)\(unsaid)"
            ],
            fixes: [Fix("Do not PROPPATCH live properties such as \(key.name.name); change the resource itself (PUT) instead", .easy)],
            status: key.status)
    }
}
