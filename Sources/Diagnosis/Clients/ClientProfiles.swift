import DAVCore

/// `check --client`: the read-only probes the client needs ask for, and the verdict per need. Each unmet
/// need becomes a `client` finding naming the client, what its user will see, and the server-side fix.
public enum ClientProfiles {
    /// One need and what the check made of it, for the report.
    public struct Outcome: Sendable, Hashable {
        public var requirement: String
        public var client: Client
        public var need: String
        public var verdict: ClientRequirement.Verdict
        public var source: String
    }

    /// OPTIONS of `/`, PROPFIND Depth 0 of a name that cannot exist beside the URL, and PROPFIND of the
    /// quota properties on the URL. All read-only.
    public static func probes(url: String, token: String, clients: [Client] = Client.allCases) -> [Probe] {
        let href = Href(url)
        guard let scheme = href.scheme, let authority = href.authority else { return [] }
        let origin = "\(scheme)://\(authority)"
        let collection = href.isCollectionForm ? href.path : URLPath.parent(of: href.path)
        let missing = (collection.hasSuffix("/") ? collection : collection + "/") + ".davdoctor-no-such-name-\(token)"
        var depthZero = HTTPFields()
        depthZero.set("Depth", "0")
        let quotaBody = Array(
            #"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/><D:quota-used-bytes/></D:prop></D:propfind>"#
                .utf8)
        return [
            Probe(
                id: 950, kind: .rootOptions, purpose: "OPTIONS of / (Office and gvfs ask the root first)", method: "OPTIONS",
                url: origin + "/", subject: "/"),
            Probe(
                id: 951, kind: .missingPath, purpose: "PROPFIND of a name that cannot exist: Windows needs 404", method: "PROPFIND",
                url: origin + URLPath.encode(missing), headers: depthZero, subject: missing),
            Probe(
                id: 952, kind: .quotaProperties, purpose: "PROPFIND of the RFC 4331 quota properties (gvfs shows free space)",
                method: "PROPFIND", url: url, headers: depthZero, body: quotaBody, subject: href.displayPath),
        ] + (clients.contains(where: \.isCalendarClient) ? calendarProbes(url: url, origin: origin, href: href) : [])
    }

    /// What calendar and contacts clients ask first: the URL's principal, home sets and change markers, and
    /// RFC 6764 discovery (not followed).
    static func calendarProbes(url: String, origin: String, href: Href) -> [Probe] {
        var depthZero = HTTPFields()
        depthZero.set("Depth", "0")
        return [
            Probe(
                id: 953, kind: .reportTarget,
                purpose: "PROPFIND current-user-principal, home sets, sync-token and getctag (what DAVx5, Thunderbird and Apple read first)",
                method: "PROPFIND", url: url, headers: depthZero, body: ReportProbes.targetBody, subject: href.displayPath),
            Probe(
                id: 954, kind: .wellKnown, purpose: "GET /.well-known/caldav, not followed (RFC 6764 discovery)", method: "GET",
                url: origin + "/.well-known/caldav", subject: "/.well-known/caldav"),
            Probe(
                id: 955, kind: .wellKnown, purpose: "GET /.well-known/carddav, not followed (RFC 6764 discovery)", method: "GET",
                url: origin + "/.well-known/carddav", subject: "/.well-known/carddav"),
        ]
    }

    /// Judges every need of `clients` and turns the unmet ones into findings.
    public static func evaluate(_ clients: [Client], evidence: ClientEvidence, server: ServerKind) -> (findings: [Finding], outcomes: [Outcome]) {
        var findings: [Finding] = []
        var outcomes: [Outcome] = []
        for requirement in ClientRequirement.all where clients.contains(requirement.client) {
            let verdict = requirement.evaluate(evidence)
            outcomes.append(
                Outcome(requirement: requirement.id, client: requirement.client, need: requirement.need, verdict: verdict, source: requirement.source)
            )
            guard case .unmet(let why) = verdict else { continue }
            findings.append(
                Finding(
                    cause: .client, likelihood: .high,
                    signs: [Sign("client-need-unmet", subject: requirement.client.rawValue, value: requirement.id)],
                    title: "\(requirement.client.displayName) needs \(requirement.need)",
                    resources: [Href(evidence.url).displayPath],
                    evidence: [why, "in \(requirement.client.displayName): \(requirement.symptom)", "source: \(requirement.source)"],
                    fixes: requirement.fixes(for: server)))
        }
        return (findings, outcomes)
    }
}
