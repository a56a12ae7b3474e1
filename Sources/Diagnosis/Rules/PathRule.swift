import DAVCore

/// 404 and 409, near misses in case, encoding, Unicode normalisation or a trailing slash, and hrefs
/// outside the request's scope or deeper than its Depth.
enum PathRule: Rule {
    /// Names clients probe for on their own; their 404s are noise, not faults (catalog PATH-11).
    static let probeNames: Set<String> = [".DS_Store", "._.", "._.DS_Store", "desktop.ini", "Desktop.ini", "Thumbs.db", "folder.jpg", ".hidden"]

    static func findings(_ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return [] }
        var findings: [Finding] = []
        let missing = input.failing([404])
        if !missing.isEmpty {
            let probes = missing.filter { isProbe($0.path) }
            let real = missing.filter { !isProbe($0.path) }
            if !real.isEmpty {
                var evidence = ["\(Wording.resources(real.count)) answered \(Wording.status(404))"]
                let index = NearMatchIndex(collector.knownPaths)
                let misses = ReportRule.multigetMisses(real, input)
                // A multiget's own reason for a case slip says what the near match would.
                let caseSlips = Set(misses.filter { if case .caseDiffers = $0.miss { true } else { false } }.map(\.path))
                let hints = real.prefix(ResponseCollector.examplesKept).filter { !caseSlips.contains($0.path) }
                    .compactMap { index.near($0.path) }
                evidence += hints.map(NearMatchIndex.hint)
                let reasons = ReportRule.explain(misses, input)
                evidence += reasons
                if real.contains(where: { $0.properties.contains { $0.status == 404 } && !$0.properties.contains { ($0.status ?? 0) / 100 == 2 } }) {
                    evidence.append("every requested property came back 404: the resource itself is missing, not just a property")
                }
                var finding = Finding(
                    cause: .path, likelihood: .high,
                    title: "\(Wording.resources(real.count)) not found (404)", resources: real.prefix(Finding.resourcesListed).map(\.path),
                    resourceCount: real.count, evidence: evidence,
                    fixes: reasons.isEmpty
                        ? FixBook.notFound(server: input.server.kind)
                        : FixBook.multigetMissing(
                            collection: input.context.requestPath,
                            elsewhere: misses.contains { $0.miss == .otherCollection || $0.miss == .collection }),
                    status: 404)
                finding.signs = misses.map { $0.miss.sign($0.path) } + hints
                findings.append(finding)
            }
            if !probes.isEmpty {
                findings.append(
                    Finding(
                        cause: .path, likelihood: .low, title: "\(Wording.resources(probes.count)) that clients probe for do not exist (harmless)",
                        resources: probes.map(\.path),
                        evidence: ["Finder and Windows look for .DS_Store, ._*, desktop.ini on their own; a 404 is the right answer"],
                        fixes: [Fix("Nothing to fix; filter these names out of logs and alerts", .easy)], status: 404))
            }
        }
        let conflicts = input.failing([409])
        if !conflicts.isEmpty {
            let parents = Array(Set(conflicts.map { URLPath.parent(of: $0.path) })).sorted()
            findings.append(
                Finding(
                    cause: .path, title: "\(Wording.resources(conflicts.count)) refused with 409 Conflict (missing parent collection)",
                    resources: conflicts.prefix(Finding.resourcesListed).map(\.path), resourceCount: conflicts.count,
                    evidence: ["409 on a member usually means its parent does not exist: \(Wording.list(parents))"],
                    fixes: FixBook.missingParent(parents.first ?? "/", server: input.server.kind), status: 409))
        }
        let moved = input.failing([301, 302, 307, 308])
        if !moved.isEmpty {
            findings.append(
                Finding(
                    cause: .path, likelihood: .medium, title: "\(Wording.resources(moved.count)) moved (3xx inside the 207)",
                    resources: moved.map(\.path), evidence: moved.prefix(5).map { "\($0.path) answered \(Wording.status($0.status ?? 0))" },
                    fixes: [Fix("Use the new location the server gives (<D:location>)", .easy)]))
        }
        if collector.tooDeepCount > 0, let depth = input.context.depth {
            findings.append(
                Finding(
                    cause: .path, likelihood: .medium,
                    title: "\(Wording.resources(collector.tooDeepCount)) deeper than the Depth: \(depth) that was asked",
                    resources: collector.tooDeep, resourceCount: collector.tooDeepCount,
                    evidence: [
                        "a Depth: \(depth) PROPFIND of \(input.context.requestPath) may list only \(depth == .zero ? "the resource itself" : "it and its direct members")"
                    ],
                    fixes: [Fix("Check that the Depth header reaches the server (a proxy may drop it), and that the server honours it", .medium)]))
        }
        if !collector.collectionsWithoutSlash.isEmpty {
            findings.append(
                Finding(
                    cause: .path, likelihood: .medium,
                    title: "collections named without their trailing slash",
                    resources: collector.collectionsWithoutSlash.map { Href($0).displayPath },
                    evidence: [
                        "\(collector.collectionsWithoutSlash.first ?? "") is a collection but its href does not end in /",
                        "clients that match the self entry or join names by string miss it or build wrong URLs (catalog PATH-04, PATH-10)",
                    ],
                    fixes: [Fix("Ask for collections with a trailing slash; the server should name them with one", .easy)]))
        }
        if collector.outOfScopeCount > 0, ProxyRule.prefixMapping(input) == nil {
            findings.append(
                Finding(
                    cause: .path, likelihood: .medium,
                    title: "\(Wording.resources(collector.outOfScopeCount)) outside the requested collection \(input.context.requestPath)",
                    resources: collector.outOfScope, resourceCount: collector.outOfScopeCount,
                    evidence: ["hrefs should lie at or under the Request-URI \(input.context.requestPath)"],
                    fixes: [Fix("Check the URL asked for (a typo or a stale bookmark), and the server's base path configuration", .easy)]))
        }
        return findings
    }

    static func isProbe(_ path: String) -> Bool {
        let name = URLPath.lastSegment(of: path)
        return probeNames.contains(name) || name.hasPrefix("._")
    }

}

/// Known paths indexed the ways a wrong path usually differs from a right one: case, Unicode
/// normalisation, percent-encoding and a trailing slash. Built once, then each lookup is a hash probe.
struct NearMatchIndex {
    private var bySlashless: [String: [String]] = [:]
    private var byLowercase: [String: String] = [:]
    private var byDecoded: [String: String] = [:]

    init(_ known: Set<String>) {
        for path in known {
            let key = URLPath.withoutTrailingSlash(path)
            bySlashless[key, default: []].append(path)
            let lowercased = key.lowercased()
            if byLowercase[lowercased] == nil { byLowercase[lowercased] = path }
            if key.utf8ContainsByte(0x25), let decoded = URLPath.decode(key) { byDecoded[decoded] = path }
        }
    }

    /// The wording of a near match (``near(_:)``) in evidence.
    func nearMatch(for path: String) -> String? { near(path).map(Self.hint) }

    static func hint(_ near: Sign) -> String {
        let how =
            [
                "name-differs-in-normalisation": "same name in another Unicode normalisation, NFC vs NFD",
                "name-differs-by-trailing-slash": "differs by a trailing slash",
                "name-differs-in-case": "differs in case", "name-encoded-differently": "encoded once too often or too rarely",
            ][near.kind] ?? near.kind
        return "did you mean \(near.value ?? "")? (\(how))"
    }

    /// The known path `path` was probably meant as: kind `name-differs-in-case` (and so on), subject the path asked, value the known one.
    func near(_ path: String) -> Sign? {
        let target = URLPath.withoutTrailingSlash(path)
        func sign(_ kind: String, _ candidate: String) -> Sign { Sign(kind, subject: path, value: candidate) }
        if let candidates = bySlashless[target] {
            for candidate in candidates where Array(candidate.utf8) != Array(path.utf8) {
                if Array(URLPath.withoutTrailingSlash(candidate).unicodeScalars) != Array(target.unicodeScalars) {
                    return sign("name-differs-in-normalisation", candidate)
                }
                return sign("name-differs-by-trailing-slash", candidate)
            }
        }
        if let candidate = byLowercase[target.lowercased()], URLPath.withoutTrailingSlash(candidate) != target {
            return sign("name-differs-in-case", candidate)
        }
        if let candidate = byDecoded[target] {
            return sign("name-encoded-differently", candidate)
        }
        if let decoded = URLPath.decode(target), decoded != target, let candidate = bySlashless[decoded]?.first {
            return sign("name-encoded-differently", candidate)
        }
        return nil
    }
}
