import DAVCore

/// Finite-depth refusals, 405/501 per resource, and 409/500 on properties a server will not take.
enum ServerConfigRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return [] }
        var findings: [Finding] = []
        let finite = collector.failing.filter { $0.conditions.contains(DAV.propfindFiniteDepth.description) }
        if !finite.isEmpty {
            findings.append(
                Finding(
                    cause: .serverConfig, likelihood: .high, title: "the server refuses Depth: infinity",
                    resources: finite.map(\.path),
                    evidence: ["<D:propfind-finite-depth> (RFC 4918 §9.1): the server lists at most one level per request"],
                    fixes: FixBook.depthInfinity(server: input.server.kind), status: 403))
        }
        let notAllowed = input.failing([405, 501])
        if !notAllowed.isEmpty {
            findings.append(
                Finding(
                    cause: .serverConfig, title: "\(input.context.method) is not allowed on \(Wording.resources(notAllowed.count))",
                    resources: notAllowed.prefix(Finding.resourcesListed).map(\.path), resourceCount: notAllowed.count,
                    evidence: notAllowed.prefix(3).map { "\($0.path) answered \(Wording.status($0.status ?? 0))" },
                    fixes: FixBook.methodNotAllowed(input.context.method, allow: nil, server: input.server.kind)))
        }
        let serverErrors = input.failing([500, 503])
        if !serverErrors.isEmpty {
            findings.append(
                Finding(
                    cause: .serverConfig, likelihood: .medium,
                    title: "\(Wording.resources(serverErrors.count)) failed inside the server (\(Wording.status(serverErrors[0].status ?? 500)))",
                    resources: serverErrors.prefix(Finding.resourcesListed).map(\.path), resourceCount: serverErrors.count,
                    evidence: ["a 5xx per resource is the server's own failure; its error log says why"]
                        + serverErrors.compactMap(\.description).prefix(2),
                    fixes: [
                        Fix(
                            "Read the server's error log at the time of the request (davdoctor logs); a lock database or file system error is common",
                            .medium)
                    ]))
        }
        for (key, failure) in collector.failedProperties.sorted(by: { $0.key.name < $1.key.name })
        where (key.status == 409 || key.status == 500) && !ServerMessageRule.explains(failure) {
            if failure.conditions.contains(DAV.cannotModifyProtectedProperty.description) || isProtected(key.name) {
                findings.append(PermissionRule.protectedProperty(key, failure))
            } else {
                findings.append(
                    Finding(
                        cause: .serverConfig, likelihood: .medium,
                        title: "the server would not take \(key.name) (\(Wording.status(key.status)))",
                        resources: failure.listed, resourceCount: failure.count,
                        evidence: ["a propstat with \(Wording.status(key.status)) for \(key.name)"],
                        fixes: [Fix("Check that the server stores dead properties (a property database must be configured and writable)", .medium)],
                        status: key.status))
            }
        }
        if input.context.method == "PROPFIND", input.context.depth == .infinity, collector.firstLevelCollections > 0, !collector.sawBelowFirstLevel,
            collector.failingCount == 0
        {
            findings.append(
                Finding(
                    cause: .serverConfig, likelihood: .medium,
                    title: "a Depth: infinity PROPFIND was answered as Depth: 1",
                    resources: [input.context.requestPath],
                    evidence: [
                        "\(collector.firstLevelCollections) collection(s) one level down came back, but nothing below them: the server lists one level and says nothing of the limit, where RFC 4918 §9.1 asks for the whole tree or a 403 with <D:propfind-finite-depth>",
                        "a client that asked for the whole tree believes those collections are empty",
                    ],
                    fixes: [Fix("Walk the tree with Depth: 1 requests, as clients must where infinity is not supported", .easy)]))
        }
        if input.context.method == "PROPFIND", !input.context.request.depthWasSent, collector.responseCount == 1,
            let only = collector.records.first, only.isCollection
        {
            findings.append(
                Finding(
                    cause: .serverConfig, likelihood: .medium,
                    title: "a PROPFIND without Depth was answered as Depth: 0",
                    resources: [only.path],
                    evidence: [
                        "no Depth header means infinity (RFC 4918 §9.1), yet only the collection itself came back: the server lists no members",
                        "clients that omit Depth see an empty folder (catalog SC-09)",
                    ],
                    fixes: [Fix("Always send Depth: 1 (or 0) explicitly", .easy)] + FixBook.depthInfinity(server: input.server.kind).dropFirst()))
        }
        return findings
    }

    /// Live properties RFC 4918 §15 makes protected.
    static func isProtected(_ name: QualifiedName) -> Bool {
        name.isDAV
            && [
                "getetag", "getcontentlength", "getlastmodified", "creationdate", "lockdiscovery", "supportedlock", "resourcetype",
                "quota-available-bytes", "quota-used-bytes",
            ].contains(name.name)
    }
}
