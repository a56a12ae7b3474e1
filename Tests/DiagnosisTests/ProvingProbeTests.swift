import DAVCore
import DAVTesting
import Diagnosis
import Testing

/// The probes that settle what a bare answer cannot: a read served from a cache, a write refused by a
/// read-only or full directory, a path finding the parent listing contradicts, a listing the server
/// cannot read. Each starts from a real capture of the corpus; the probes' answers are the ones the
/// same servers gave when `scripts/corpus.sh --live` replayed them.
struct ProvingProbeTests {
    static func corpusCase(_ name: String) throws -> Corpus.Case {
        try #require(CorpusDiagnosisTests.cases.first { "\($0.setup)/\($0.id)" == name }, "\(name) is not in the corpus")
    }

    static func conclude(_ name: String, answers: (Probe) -> (Int, String)?) throws -> CheckResult {
        let initial = try CorpusDiagnosisTests.analyze(try corpusCase(name))
        var investigation = Investigation(initial: initial, options: .init())
        var action = investigation.start()
        while case .send(let probes) = action {
            action = investigation.receive(
                probes.map { probe in
                    guard let (status, body) = answers(probe) else {
                        return ProbeOutcome(probe: probe, head: nil, failure: "not answered in this test")
                    }
                    return ProbeOutcome(probe: probe, head: InvestigationTests.answer(status), body: Array(body.utf8))
                })
        }
        guard case .done(let result) = action else { return investigation.conclude() }
        return result
    }

    static func listing(_ entries: [(href: String, collection: Bool)], extra: String = "") -> String {
        let responses = entries.map { entry in
            "<D:response><D:href>\(entry.href)</D:href><D:propstat><D:prop><D:resourcetype>\(entry.collection ? "<D:collection/>" : "")</D:resourcetype>\(extra)</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
        }
        return #"<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:">"# + responses.joined() + "</D:multistatus>"
    }

    @Test func aReadTheServerNoLongerHasCameFromACache() throws {
        // Varnish served the GET of a file DELETEd through it; PROPFIND, which Varnish does not keep, says 404.
        let result = try Self.conclude("varnish/default-get-after-delete-200") { probe in
            probe.kind == .serverCopy ? (404, "") : nil
        }
        let top = try #require(result.analysis.findings.first)
        #expect(top.cause == .cache)
        #expect(top.likelihood == .high)
        #expect(top.sign("cache-hit")?.subject == "X-Varnish")
    }

    @Test func aReadWhoseValidatorsTheServerNoLongerReportsIsStale() throws {
        let item = try Self.corpusCase("nginx-proxy/cache-stale-get")
        let initial = try CorpusDiagnosisTests.analyze(item)
        let etag = try #require(initial.head?.headers["ETag"])
        let result = try Self.conclude("nginx-proxy/cache-stale-get") { probe in
            probe.kind == .serverCopy
                ? (207, Self.listing([(Href(item.url).path, false)], extra: "<D:getetag>\"changed-\(etag.count)\"</D:getetag>")) : nil
        }
        #expect(result.analysis.findings.first?.cause == .cache)
        // The same validators as the GET: nothing to say.
        let same = try Self.conclude("nginx-proxy/cache-stale-get") { probe in
            probe.kind == .serverCopy ? (207, Self.listing([(Href(item.url).path, false)], extra: "<D:getetag>\(etag)</D:getetag>")) : nil
        }
        #expect(same.analysis.findings.isEmpty)
    }

    @Test func aListingThatFailsWhereDepthZeroWorksIsTheDisk() throws {
        let result = try Self.conclude("nginx/propfind-unreadable-folder") { probe in
            probe.kind == .depthZero ? (207, Self.listing([("/hr/", true)])) : nil
        }
        #expect(result.probes.contains { $0.probe.kind == .depthZero && $0.probe.headers["Depth"] == "0" })
        #expect(result.analysis.findings.first?.cause == .permission)
    }

    @Test func aMissingLookingFileUnderAnUnreadableParentIsTheDisk() throws {
        let result = try Self.conclude("nginx/propfind-in-unreadable-folder") { probe in
            probe.kind == .parentListing ? (500, "") : nil
        }
        #expect(result.analysis.findings.first?.cause == .permission)
    }

    @Test func mkcolRefusedForANameTheParentLacksIsNotAlreadyExists() throws {
        let item = try Self.corpusCase("rclone/mkcol-readonly")
        let initial = try CorpusDiagnosisTests.analyze(item)
        // Offline, x/net/webdav's 405 to MKCOL is a refused mkdir (rclone answers 201 for one that exists); "exists" stays last.
        #expect(initial.findings.first?.cause == .permission)
        #expect(initial.findings.first { $0.cause == .path }?.likelihood == .low)
        let result = try Self.conclude("rclone/mkcol-readonly") { probe in
            probe.kind == .parentListing ? (207, Self.listing([("/docs/", true), ("/docs/plain.txt", false)])) : nil
        }
        let path = try #require(result.analysis.findings.first { $0.cause == .path })
        #expect(path.likelihood == .low)
        #expect(path.sign("parent-lacks-name") == Sign("parent-lacks-name", subject: "/docs/", value: "new"))
    }

    /// `--allow-writes`: a scratch MKCOL beside the refused write, answered like the write.
    func judged(_ name: String, create: Int, put: Int?) throws -> (ScratchWrites, Finding?) {
        let initial = try CorpusDiagnosisTests.analyze(try Self.corpusCase(name))
        let writes = try #require(ScratchWrites(for: initial.context.request, token: "t"))
        let outcomes = writes.steps.compactMap { probe -> ProbeOutcome? in
            switch probe.kind {
            case .scratchCreate: ProbeOutcome(probe: probe, head: InvestigationTests.answer(create))
            case .scratchPut: put.map { ProbeOutcome(probe: probe, head: InvestigationTests.answer($0)) }
            default: nil
            }
        }
        return (writes, writes.judge(initial, outcomes: outcomes))
    }

    @Test func aDirectoryThatTakesNoWriteIsReadOnly() throws {
        // nginx answers a MKCOL that mkdir refuses for access (EACCES) with 403, and a full disk with 507.
        let (_, verdict) = try judged("nginx/put-root-owned-folder", create: 403, put: nil)
        #expect(verdict?.cause == .permission)
        #expect(verdict?.likelihood == .high)
        // x/net/webdav (rclone) answers 405 to every failed mkdir but a missing parent: read-only or no inode left.
        let (writes, either) = try judged("rclone/delete-readonly", create: 405, put: nil)
        #expect(writes.scratchURL.hasSuffix("/docs/.davdoctor-scratch-t/"))
        #expect(either?.cause == .permission)
        #expect(either?.likelihood == .medium)
        // So does lighttpd with 403 (webdav_mkdir): its PUT 500 stays read first as a full disk.
        let (_, lighttpd) = try judged("lighttpd/put-no-inodes", create: 403, put: nil)
        #expect(lighttpd?.likelihood == .medium)
    }

    @Test func aCollectionButNoFileMeansNoRoom() throws {
        let (_, verdict) = try judged("nginx/put-full-tmpfs", create: 201, put: 500)
        #expect(verdict?.cause == .storage)
        #expect(verdict?.likelihood == .high)
        // Both went through: the directory is writable, and a small PUT says nothing against the large one's room.
        let (_, none) = try judged("nginx/put-full-tmpfs", create: 201, put: 201)
        #expect(none?.cause == .storage)
    }

    @Test func aCopyGoesBesideItsDestination() throws {
        let (writes, verdict) = try judged("rclone/copy-into-quota", create: 201, put: 201)
        #expect(Href(writes.scratchURL).path.hasPrefix("/quota/"))
        // x/net/webdav's COPY 500 already says the copy of the data failed (storage, high): nothing to add.
        #expect(verdict == nil)
    }

    @Test func aWriteAlreadyExplainedIsLeftAlone() throws {
        // A missing parent (409) is proven by the answer itself: the scratch writes add nothing.
        let (_, verdict) = try judged("wsgidav/put-missing-parent", create: 409, put: nil)
        #expect(verdict == nil)
    }

    @Test func aPutRefusedWith405OnTheURLOfACollectionIsAPathMistake() throws {
        // lighttpd answered 405 to a PUT of /docs/sub (no slash); its parent lists /docs/sub/ as a collection.
        let result = try Self.conclude("lighttpd/put-collection-no-slash") { probe in
            probe.kind == .parentListing ? (207, Self.listing([("/docs/", true), ("/docs/sub/", true), ("/docs/plain.txt", false)])) : nil
        }
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .path && first.likelihood == .high)
        // The listing also shows the nearest parent, and the collection named with the slash the PUT lacked.
        #expect(first.signs.map(\.kind) == ["put-on-collection", "nearest-parent", "name-differs-by-trailing-slash"])
        // A parent that lists no such collection leaves the 405 as it was.
        let plain = try Self.conclude("lighttpd/put-collection-no-slash") { probe in
            probe.kind == .parentListing ? (207, Self.listing([("/docs/", true), ("/docs/plain.txt", false)])) : nil
        }
        #expect(!plain.analysis.findings.contains { $0.signs.contains { $0.kind == "put-on-collection" } })
    }

    @Test func aMoveRefusedWhoseDestinationFolderIsMissingIsAPathMistake() throws {
        // rclone answered 403 to a MOVE into /old/, which does not exist; the listing of /old/ says 404.
        let item = try Self.corpusCase("rclone/move-missing-parent")
        let destination = try #require(item.requestHeaders.first { $0.0 == "Destination" }?.1)
        let parent = URLPath.parent(of: Href(destination).displayPath)
        let result = try Self.conclude("rclone/move-missing-parent") { probe in
            guard probe.kind == .parentListing else { return nil }
            return Href(probe.url).displayPath == parent ? (404, "") : (207, Self.listing([("/", true)]))
        }
        let first = try #require(result.analysis.findings.first)
        #expect(first.cause == .path && first.likelihood == .high)
        #expect(
            first.signs == [
                Sign("destination-parent-missing", subject: Href(destination).displayPath, value: parent),
                Sign("nearest-parent", subject: Href(destination).displayPath, value: "/"),
            ])
    }
}
