import DAVCore
import DAVTesting
import Foundation
import Testing

@testable import Diagnosis

/// What `davdoctor check` kept (`--save`) when `scripts/corpus/corpus.py capture --live-results …
/// --save-exchanges …` replayed a corpus case against its real setup: the answer to the request and the real
/// answers to every probe (Tests/Corpus/probes/SOURCE.md). The investigation runs again on those bytes, so a
/// rule that reads probes is tested on what real servers answered, not on answers written for the test.
struct SavedCheck {
    struct Exchange {
        var number: Int
        var method: String
        var url: String
        var response: URL
    }

    let item: Corpus.Case
    let folder: URL
    let exchanges: [Exchange]

    /// `name`: a corpus case (`varnish/naive-collection-404`), or a check saved by hand against a setup's
    /// servers, whose folder holds its request as a `case.json` row (`varnish/manual-cached-listing-unchanged`).
    init(_ name: String) throws {
        let manual = Corpus.root.appendingPathComponent("probes").appendingPathComponent(name).appendingPathComponent("case.json")
        if let row = try? Data(contentsOf: manual) {
            item = try JSONDecoder().decode(Corpus.Case.self, from: row)
        } else {
            item = try ProvingProbeTests.corpusCase(name)
        }
        let base = Corpus.root.appendingPathComponent("probes").appendingPathComponent(item.setup).appendingPathComponent(item.id)
        folder = base
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathComponent("exchanges.json"))) as? [String: Any]
        let rows = index?["exchanges"] as? [[String: Any]] ?? []
        exchanges = rows.compactMap { row in
            guard let number = row["number"] as? Int, let method = row["method"] as? String, let url = row["url"] as? String,
                let file = row["responseFile"] as? String
            else { return nil }
            return Exchange(number: number, method: method, url: url, response: base.appendingPathComponent(file))
        }.sorted { $0.number < $1.number }
    }

    static func read(_ url: URL) throws -> (ResponseHead, [UInt8]) {
        var reader = try CaptureReader(path: url.path)
        defer { reader.close() }
        let head = try #require(try reader.readHead().response)
        var body: [UInt8] = []
        _ = try reader.readBody { body.append(contentsOf: $0) }
        return (head, body)
    }

    /// The analysis of the first exchange: the request as the corpus case sent it, the answer check got.
    func initial() throws -> AnalysisResult {
        let first = try #require(exchanges.first)
        let body = try item.bodyURL.map { Array(try Data(contentsOf: $0)) }
        var overrides = RequestOverrides(method: item.method, url: item.url, headers: item.requestHeaders, body: body)
        overrides.signedIn = item.user != nil
        var reader = try CaptureReader(path: first.response.path)
        defer { reader.close() }
        return try Analysis.run(reader: &reader, request: overrides, pieces: 1)
    }

    /// The saved answer to a probe: the first unused exchange with its method and URL (a URL made unique
    /// with a random token, as the probe past a cache is, is matched without its query).
    func answer(_ probe: Probe, used: inout Set<Int>) throws -> ProbeOutcome {
        // The saved run listened on other ports than the corpus capture: URLs are compared by path and query.
        func target(_ url: String) -> String { Href(url).path + (url.firstIndex(of: "?").map { String(url[$0...]) } ?? "") }
        func bare(_ url: String) -> String { Href(url).path }
        let unique = probe.url.contains("davdoctor-nocache=")
        guard
            let match = exchanges.dropFirst().first(where: { exchange in
                !used.contains(exchange.number) && exchange.method == probe.method
                    && (unique
                        ? exchange.url.contains("davdoctor-nocache=") && bare(exchange.url) == bare(probe.url)
                        : target(exchange.url) == target(probe.url))
            })
        else {
            return ProbeOutcome(probe: probe, head: nil, failure: "not sent when this check was saved")
        }
        used.insert(match.number)
        let (head, body) = try Self.read(match.response)
        return ProbeOutcome(probe: probe, head: head, body: body)
    }

    /// The investigation run again on the saved answers.
    func conclude() throws -> CheckResult {
        var investigation = Investigation(initial: try initial(), options: .init(hasCredentials: item.user != nil, userName: item.user))
        var used: Set<Int> = []
        var action = investigation.start()
        while case .send(let probes) = action {
            action = investigation.receive(try probes.map { try answer($0, used: &used) })
        }
        guard case .done(let result) = action else { return investigation.conclude() }
        return result
    }

    /// With `--allow-writes`: the scratch writes as they were answered (matched by method, in order), folded
    /// into the check as `davdoctor check` folds them.
    func concludeWithWrites() throws -> CheckResult {
        var result = try conclude()
        let writes = try #require(ScratchWrites(for: result.analysis.context.request, token: "saved"))
        let investigated = Set(result.probes.count > 0 ? (1...(result.probes.count + 1)) : (1...1))
        var used = investigated
        var outcomes: [ProbeOutcome] = []
        // The scratch name's token differs from the saved run's: compare URLs with it set aside.
        func shape(_ url: String) -> String {
            url.replacing(/\.davdoctor-scratch-[a-z0-9]+/, with: ".davdoctor-scratch-T").replacing(/^https?:\/\/[^\/]+/, with: "")
        }
        for step in writes.steps + writes.fileSteps {
            guard let match = exchanges.first(where: { !used.contains($0.number) && $0.method == step.method && shape($0.url) == shape(step.url) })
            else { continue }
            used.insert(match.number)
            let (head, body) = try Self.read(match.response)
            outcomes.append(ProbeOutcome(probe: step, head: head, body: body))
        }
        result.fold(writes, outcomes: outcomes)
        return result
    }
}

struct SavedCheckTests {
    /// Varnish (VCL dav-cache) kept Apache's 403 to a Depth: infinity PROPFIND; check's own request was a hit
    /// (X-Varnish with two ids), so no rule read the refusal: the Depth 1 probe says what it was.
    @Test func aRefusalOfDepthInfinityKeptByACacheIsStillTheServersRefusal() throws {
        let saved = try SavedCheck("varnish/cached-depth-infinity-403")
        let initial = try saved.initial()
        #expect(initial.findings.first?.cause == .cache)
        let result = try saved.conclude()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .serverConfig)
        #expect(first.likelihood == .high)
        #expect(first.signs.contains(Sign("depth-infinity-refused", subject: "/docs/")))
        #expect(result.analysis.findings.first { $0.cause == .cache }?.likelihood == .medium)
    }

    /// nginx in front of Radicale with proxy_pass_request_body off: the calendar-query came back as an empty
    /// multistatus, which a query matching nothing also gives; the REPORT target's PROPFIND, naming its
    /// properties, came back as allprop, which proves the bodies never arrive.
    @Test func aPropfindAnsweredWithPropertiesNobodyAskedForProvesBodiesAreLost() throws {
        let saved = try SavedCheck("radicale-proxy/nobody-calendar-query")
        #expect(try saved.initial().findings.isEmpty)
        let result = try saved.conclude()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .proxy)
        #expect(first.likelihood == .high)
        #expect(first.signs.contains(Sign("request-body-lost", subject: "/radicale/alice/calendar/", value: "REPORT")))
        // Through the same nginx with X-Script-Name left out, bodies arrive: no such finding.
        let arrived = try SavedCheck("radicale-proxy/noscript-sync").conclude()
        #expect(!arrived.analysis.findings.contains { $0.signs.contains { $0.kind == "request-body-lost" } })
        #expect(arrived.analysis.findings.first?.cause == .proxy)
    }

    /// The naive VCL fetches a PROPFIND miss with GET: Apache has no page for the GET of /docs/sub/ (no index)
    /// and answers 404, while its OPTIONS lists the methods of an existing resource.
    @Test func aFourOhFourTheServersOwnOptionsContradictsWasAnotherRequest() throws {
        let saved = try SavedCheck("varnish/naive-collection-404")
        #expect(try saved.initial().findings.first?.cause == .path)
        let result = try saved.conclude()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .proxy)
        #expect(first.likelihood == .high)
        let sign = try #require(first.signs.first { $0.kind == "exists-per-options" })
        #expect(sign.subject == "/docs/sub/")
        #expect(sign.value?.contains("PROPFIND") == true && sign.value?.contains("DELETE") == true)
        #expect(result.analysis.findings.filter { $0.cause == .path }.allSatisfy { $0.likelihood == .low })
    }

    /// A 404 Apache's OPTIONS contradicts is not a proxy's doing when the cache kept it: Varnish's builtin VCL
    /// cached the 404 of a file bob created since.
    @Test func aCachedFourOhFourOfAFileThatExistsNowStaysTheCaches() throws {
        let saved = try SavedCheck("varnish/default-get-cached-404")
        let result = try saved.conclude()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .cache)
        #expect(first.signs.contains { $0.kind == "exists-per-options" })
    }

    /// A missing file's OPTIONS lists OPTIONS, MKCOL, PUT, LOCK: the 404 stands.
    @Test func aFourOhFourTheServersOptionsAgreesWithStaysAPath() throws {
        let result = try SavedCheck("apache/propfind-missing").conclude()
        #expect(result.analysis.findings.first?.cause == .path)
        #expect(!result.analysis.findings.contains { $0.signs.contains { $0.kind == "exists-per-options" } })
    }

    @Test(arguments: [
        "varnish/cached-getetag-stale", "varnish/cached-listing-names-deleted", "varnish/cached-lockdiscovery-stale",
        "varnish/cached-deadprop-stale", "varnish/cached-new-file-invisible",
    ])
    func aCachedListingTheServerNoLongerGivesIsStale(_ name: String) throws {
        let saved = try SavedCheck(name)
        let result = try saved.conclude()
        #expect(result.probes.contains { $0.probe.kind == .pastCache && $0.probe.url.contains("davdoctor-nocache=") })
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .cache)
        #expect(first.likelihood == .high)
        #expect(first.signs.contains { $0.kind == "cached-listing-stale" })
    }

    /// Varnish (VCL dav-cache) answered a Depth 1 PROPFIND of /docs/ from its cache; nothing changed on Apache
    /// since. Asked past the cache, Apache gives the same listing: a note, no finding.
    @Test func aCachedListingTheServerStillGivesWordForWordIsNoFault() throws {
        let saved = try SavedCheck("varnish/manual-cached-listing-unchanged")
        #expect(try saved.initial().findings.first?.cause == .cache)
        let result = try saved.conclude()
        #expect(result.analysis.findings.isEmpty, "\(result.analysis.findings.map(\.title))")
        #expect(result.probes.contains { $0.probe.kind == .pastCache && $0.head?.status == 207 })
        #expect(result.analysis.noteSigns.contains(Sign("cached-listing-current", subject: "/docs/")))
    }

    /// The same cached listing after a PUT straight to Apache: the server lists the new member, the cache does not.
    @Test func aCachedListingThatLacksANewMemberIsStale() throws {
        let result = try SavedCheck("varnish/manual-cached-listing-new-member").conclude()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .cache && first.likelihood == .high)
        #expect(first.signs.contains { $0.kind == "cached-listing-stale" && $0.subject == "/docs/" })
        #expect(first.resources.contains("/docs/added-later.txt"))
    }

    /// SabreDAV 1.8 on a tmpfs filled to the last byte: the PROPPATCH answers 207 with 200 and stores nothing.
    @Test func aPropertyTheServerSaidItStoredButDidNotIsNoRoomWhenNoneIsLeft() throws {
        let saved = try SavedCheck("sabredav/manual-proppatch-disk-full")
        #expect(try saved.initial().findings.isEmpty)
        let result = try saved.conclude()
        #expect(result.probes.contains { $0.probe.kind == .propertyEffect })
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .storage && first.likelihood == .high)
        #expect(first.signs == [Sign("proppatch-not-stored", subject: "/quota/filler.bin", value: "1")])
    }

    /// SabreDAV 1.8 on a read-only bind mount: the PROPPATCH answers 500; the scratch MKCOL says 201, yet a PUT
    /// into that collection finds none.
    @Test func aScratchCollectionTheServerSaidItMadeButDidNotIsAReadOnlyDirectory() throws {
        let saved = try SavedCheck("sabredav/manual-proppatch-readonly-mount")
        #expect(try saved.initial().findings.first?.cause == .serverConfig)
        let result = try saved.concludeWithWrites()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .permission)
        #expect(first.signs.map(\.kind) == ["scratch-collection-not-made"])
        #expect(first.signs.first?.value == "404")
    }

    /// Apache's mod_proxy relays /files/ to a backend Apache that has no /files/: the 404 and /files/'s OPTIONS
    /// come from the backend (Server: Apache/2.4.71 (Debian)), the front answers / itself without WebDAV
    /// (405, Server: … OpenSSL/3.0.19).
    @Test func aShareRelayedToAPathTheBackendLacksIsTheProxys() throws {
        let result = try SavedCheck("apache-proxy/wrongpath-propfind-files").conclude()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .proxy)
        #expect(first.signs == [Sign("relayed-share-root-missing", subject: "/files/", value: "Apache/2.4.71 (Debian)")])
        // Through the same proxy, a missing folder inside a share whose parent lists: the 404 stands.
        let missing = try SavedCheck("apache-proxy/ok-propfind-missing").conclude()
        #expect(missing.analysis.findings.first?.cause == .path)
    }

    /// SabreDAV 1.8 answers 201 to a PUT and to a MKCOL on its read-only bind mount: the read right after
    /// finds nothing there.
    @Test(arguments: [
        ("sabredav/manual-put-readonly-mount", "/ro/new-note.txt", Likelihood.high),
        ("sabredav/manual-mkcol-readonly-mount", "/ro/new-folder/", .medium),
    ])
    func aWriteTheServerSaidItMadeButDidNotIsAReadOnlyDirectory(_ name: String, _ path: String, _ likelihood: Likelihood) throws {
        let saved = try SavedCheck(name)
        #expect(try saved.initial().findings.isEmpty)
        let result = try saved.conclude()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .permission)
        #expect(first.likelihood == likelihood)
        #expect(first.signs == [Sign("write-not-kept", subject: path, value: "404")])
    }

    /// Apache 2.4 on /full/ (no byte or inode left): the PROPPATCH's property database could not be created;
    /// the scratch MKCOL beside it answered 507, which settles room over access.
    @Test func aScratchCollectionThatFindsNoRoomSettlesThePropertyDatabase() throws {
        let saved = try SavedCheck("apache/proppatch-full")
        #expect(try saved.initial().findings.first?.likelihood == .medium)
        let result = try saved.concludeWithWrites()
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .storage)
        #expect(first.likelihood == .high)
        #expect(result.analysis.findings.filter { $0.cause == .permission }.allSatisfy { $0.likelihood == .low })
    }

    /// Where the scratch collection is refused with the one status the server gives every failed mkdir, the
    /// small file put beside it tells no room (lighttpd's 500, rclone's 405 for a file made but not filled)
    /// from a read-only share (lighttpd's 403, rclone's 404 for a file that could not be made).
    @Test(arguments: [
        ("lighttpd/put-no-inodes", Cause.storage, "500"),
        ("rclone/mkcol-no-inodes", .storage, "405"),
        ("lighttpd/put-readonly", .permission, "403"),
        ("rclone/mkcol-readonly", .permission, "404"),
    ])
    func aSmallFileBesideARefusedCollectionTellsNoRoomFromReadOnly(_ name: String, _ cause: Cause, _ filePut: String) throws {
        let result = try SavedCheck(name).concludeWithWrites()
        #expect(result.probes.first { $0.probe.kind == .scratchFilePut }?.head?.status == Int(filePut))
        #expect(result.analysis.findings.first?.cause == cause)
        #expect(result.analysis.findings.first?.likelihood == .high)
        let fileSign = result.analysis.noteSigns.first { $0.kind.hasPrefix("scratch-file") }
        #expect(fileSign?.kind == (name == "rclone/mkcol-no-inodes" ? "scratch-file-removed" : "scratch-file-not-made"))
        #expect(fileSign?.value == filePut)
    }
}
