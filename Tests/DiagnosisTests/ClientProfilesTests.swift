import DAVCore
import Diagnosis
import Testing

/// The client requirement table and its judges, on evidence built by hand.
struct ClientProfilesTests {
    @Test func everyNeedHasAnIDASourceAndAFix() {
        let ids = ClientRequirement.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for client in Client.allCases {
            #expect(ClientRequirement.all.filter { $0.client == client }.count >= 2, "\(client) has too few needs")
        }
        for requirement in ClientRequirement.all {
            #expect(requirement.source.hasPrefix("catalog:"), "\(requirement.id)")
            #expect(!requirement.fixes(for: .nginx).isEmpty && !requirement.fixes(for: .unknown).isEmpty, "\(requirement.id)")
        }
    }

    func head(_ status: Int, _ headers: [(String, String)]) -> ResponseHead {
        var fields = HTTPFields()
        for (name, value) in headers { fields.add(name, value) }
        return ResponseHead(status: status, headers: fields)
    }

    func verdicts(_ evidence: ClientEvidence, _ clients: [Client] = Client.allCases) -> [String: ClientRequirement.Verdict] {
        Dictionary(
            uniqueKeysWithValues: ClientProfiles.evaluate(clients, evidence: evidence, server: .apache).outcomes.map { ($0.requirement, $0.verdict) })
    }

    @Test func classOneServerWithBasicOverHTTPFailsWindowsAndOffice() {
        var evidence = ClientEvidence(url: "http://dav.example.com/docs/", depth: "1")
        evidence.options = head(200, [("DAV", "1"), ("Allow", "OPTIONS, GET, PUT, PROPFIND")])
        evidence.anonymousOptionsStatus = 401
        evidence.authenticationSchemes = ["Basic"]
        evidence.missingPathStatus = 403
        let result = verdicts(evidence)
        for id in [
            "windows-options-anonymous", "windows-404-for-missing", "windows-lock-and-proppatch", "windows-basic-over-https",
            "finder-class-2", "office-ms-author-via", "office-exclusive-lock", "office-basic-over-https", "davfs2-locks",
        ] {
            guard case .unmet = result[id] else {
                Issue.record("\(id): \(String(describing: result[id]))")
                continue
            }
        }
        guard case .notChecked = result["finder-mkcol-without-slash"] else {
            Issue.record("MKCOL needs --allow-writes")
            return
        }
        guard case .met = result["davfs2-put-allowed"] else {
            Issue.record("PUT is in Allow")
            return
        }
    }

    @Test func payloadNeedsReadTheLint() {
        var evidence = ClientEvidence(url: "https://dav.example.com/docs/", depth: "1")
        evidence.hasMultistatus = true
        evidence.lintRules = ["status-line", "getlastmodified-format", "href-not-encoded"]
        evidence.foreignOrigins = ["http://backend:8080"]
        evidence.itemsWithMissingPropstats = 3
        evidence.bodyBytes = 2_500_000
        let result = verdicts(evidence)
        for id in [
            "davx5-status-lines", "davx5-gmt-dates", "rclone-rfc1123-dates", "winscp-encoded-hrefs", "rclone-same-host-hrefs",
            "rclone-no-404-propstats", "windows-listing-size",
        ] {
            guard case .unmet = result[id] else {
                Issue.record("\(id): \(String(describing: result[id]))")
                continue
            }
        }
        guard case .met = result["davfs2-strict-xml"] else {
            Issue.record("no entity problem in the lint")
            return
        }
    }

    @Test func unmetNeedsBecomeClientFindings() {
        var evidence = ClientEvidence(url: "http://127.0.0.1/docs/")
        evidence.options = head(200, [("DAV", "1, 2"), ("Allow", "OPTIONS, PROPFIND, LOCK, UNLOCK")])
        evidence.rootOptions = head(405, [])
        let (findings, outcomes) = ClientProfiles.evaluate([.office, .gvfs], evidence: evidence, server: .nginx)
        #expect(Set(outcomes.map(\.client)) == [.office, .gvfs])
        let needs = findings.compactMap { $0.sign("client-need-unmet")?.value }
        #expect(needs.contains("office-ms-author-via"))
        #expect(needs.contains("gvfs-root-options"))
        #expect(findings.allSatisfy { $0.cause == .client && $0.resources == ["/docs/"] })
        let office = ClientRequirement.all.first { $0.id == "office-ms-author-via" }
        #expect(findings.first { $0.sign("client-need-unmet")?.value == "office-ms-author-via" }?.fixes == office?.fixes(for: .nginx))
    }
}

/// Calendar and contacts clients: discovery and change markers, on evidence built by hand.
struct CalendarClientNeedsTests {
    func verdicts(_ evidence: ClientEvidence) -> [String: ClientRequirement.Verdict] {
        Dictionary(
            uniqueKeysWithValues: ClientProfiles.evaluate([.davx5, .thunderbird, .apple], evidence: evidence, server: .unknown).outcomes.map {
                ($0.requirement, $0.verdict)
            })
    }

    func isUnmet(_ verdict: ClientRequirement.Verdict?) -> Bool { if case .unmet = verdict { true } else { false } }
    func isMet(_ verdict: ClientRequirement.Verdict?) -> Bool { if case .met = verdict { true } else { false } }

    @Test func aWellKnownRedirectToTheBackendFailsAppleAndACollectionWithoutMarkersFailsEveryone() {
        var evidence = ClientEvidence(url: "https://cal.example.com/dav/calendars/alice/work/", depth: "0")
        evidence.wellKnown = ["/.well-known/caldav": (302, "http://10.0.0.5:5232/dav/"), "/.well-known/carddav": (302, "/dav/")]
        evidence.calendarView = .init(principal: nil, homeSets: [], isCalendarOrAddressBook: true, offersSync: false, hasCTag: false)
        let result = verdicts(evidence)
        #expect(isUnmet(result["apple-well-known"]))
        #expect(isMet(result["davx5-discovery"]))
        for id in ["davx5-change-markers", "thunderbird-change-markers", "apple-change-markers"] { #expect(isUnmet(result[id]), "\(id)") }
    }

    @Test func aPrincipalURLIsEnoughForDiscoveryAndASyncTokenForChanges() {
        var evidence = ClientEvidence(url: "https://cal.example.com/dav/", depth: "0")
        evidence.wellKnown = ["/.well-known/caldav": (404, nil), "/.well-known/carddav": (404, nil)]
        evidence.calendarView = .init(
            principal: "/dav/principals/alice/", homeSets: ["/dav/calendars/alice/"], isCalendarOrAddressBook: false, offersSync: true, hasCTag: false
        )
        let result = verdicts(evidence)
        #expect(isMet(result["davx5-discovery"]) && isMet(result["thunderbird-discovery"]))
        #expect(isUnmet(result["apple-well-known"]))
        if case .notChecked = result["davx5-change-markers"] {} else { Issue.record("a principal has no change markers to judge") }
    }
}
