import DAVCore
import Testing

/// Each lint rule, on the smallest body that breaks it (and its section and clients are named).
struct LintTests {
    static func lint(_ responses: String, head: ResponseHead? = nil) throws -> [String] {
        let body = #"<D:multistatus xmlns:D="DAV:">"# + responses + "</D:multistatus>"
        var parser = MultiStatusParser()
        var linter = Linter()
        var count = 0
        try parser.feed(Array(body.utf8)) {
            linter.check($0)
            count += 1
        }
        try parser.finish {
            linter.check($0)
            count += 1
        }
        for problem in parser.problems { linter.check(problem) }
        linter.checkDocument(root: parser.rootName, responses: count, head: head, method: "PROPFIND")
        linter.finishDuplicates()
        return linter.results.map(\.rule.id)
    }

    static let ok = "<D:status>HTTP/1.1 200 OK</D:status>"

    @Test(arguments: [
        ("<D:response>\(ok)</D:response>", "missing-href"),
        ("<D:response><D:href>/a</D:href>\(ok)<D:propstat><D:prop/>\(ok)</D:propstat></D:response>", "status-and-propstat"),
        ("<D:response><D:href>/a</D:href></D:response>", "missing-status"),
        ("<D:response><D:href>/a</D:href><D:propstat><D:prop><D:getetag/></D:prop></D:propstat></D:response>", "missing-status"),
        ("<D:response><D:href>/a</D:href><D:href>/b</D:href><D:propstat><D:prop/>\(ok)</D:propstat></D:response>", "several-hrefs-with-propstat"),
        ("<D:response><D:href>/a</D:href><D:status>HTTP/0.0 200 OK</D:status></D:response>", "status-line"),
        ("<D:response><D:href>/a b.txt</D:href>\(ok)</D:response>", "href-not-encoded"),
        ("<D:response><D:href>/Café.txt</D:href>\(ok)</D:response>", "href-not-encoded"),
        ("<D:response><D:href>/docs/a%2520b.txt</D:href>\(ok)</D:response>", "href-double-encoded"),
        ("<D:response><D:href>http://h/Caf%25C3%25A9.txt</D:href>\(ok)</D:response>", "href-double-encoded"),
        ("<D:response><D:href>/a</D:href>\(ok)</D:response><D:response><D:href>http://other/b</D:href>\(ok)</D:response>", "href-mixed-origins"),
        ("<D:response><D:href>/dav//a</D:href>\(ok)</D:response>", "href-double-slash"),
        ("<D:response><D:href>/dav/.</D:href>\(ok)</D:response>", "href-dot-segment"),
        ("<D:response><D:href>/a</D:href>\(ok)</D:response><D:response><D:href>/a</D:href>\(ok)</D:response>", "duplicate-href"),
        (
            "<D:response><D:href>/a</D:href><D:propstat><D:prop><D:getlastmodified>Wed, 21 Feb 2024 21:03:42 +0000</D:getlastmodified></D:prop>\(ok)</D:propstat></D:response>",
            "getlastmodified-format"
        ),
        (
            "<D:response><D:href>/a</D:href><D:propstat><D:prop><D:creationdate>21.02.2024</D:creationdate></D:prop>\(ok)</D:propstat></D:response>",
            "creationdate-format"
        ),
        (
            "<D:response><D:href>/c/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype><D:getcontentlength>4096</D:getcontentlength></D:prop>\(ok)</D:propstat></D:response>",
            "getcontentlength-on-collection"
        ),
        (
            "<D:response><D:href>/a</D:href><D:propstat><D:prop><D:getcontentlength>-1</D:getcontentlength></D:prop>\(ok)</D:propstat></D:response>",
            "getcontentlength-value"
        ),
        ("<D:response><D:href>/a</D:href><D:propstat><D:prop><x:lastmodified/></D:prop>\(ok)</D:propstat></D:response>", "unbound-prefix"),
        ("<D:response><D:href>/&Atilde;</D:href>\(ok)</D:response>", "undefined-entity"),
        ("", "empty-multistatus"),
    ])
    func ruleFires(_ responses: String, _ rule: String) throws {
        #expect(try Self.lint(responses).contains(rule))
    }

    /// The size check reads bytes in place; it must judge every value as `Int64(value)` without a `-` does.
    @Test(arguments: [
        "12", " 42 ", "+5", "007", "9223372036854775807", "00000000000000000000001", "", "  ",
        "-1", "-0", "+", "1 2", "9223372036854775808", "99999999999999999999", "1e3", "0x10", "４２",
    ])
    func contentLengthIsJudgedAsInt64Would(_ value: String) throws {
        let body =
            "<D:response><D:href>/a</D:href><D:propstat><D:prop><D:getcontentlength>\(value)</D:getcontentlength></D:prop>\(Self.ok)</D:propstat></D:response>"
        let trimmed = value.trimmingASCIIWhitespace()
        let valid = trimmed.isEmpty || (Int64(trimmed) != nil && !trimmed.hasPrefix("-"))
        #expect(try Self.lint(body).contains("getcontentlength-value") == !valid)
    }

    @Test func parsedPropertiesKnowTheirLiveName() throws {
        let body =
            #"<D:multistatus xmlns:D="DAV:" xmlns:X="urn:x"><D:response><D:href>/a</D:href><D:propstat><D:prop>"#
            + "<D:getetag>\"1\"</D:getetag><D:resourcetype/><X:getetag/><D:displayname>a</D:displayname>"
            + "</D:prop>\(Self.ok)</D:propstat></D:response></D:multistatus>"
        let (document, _) = try MultiStatusParser.parse(Array(body.utf8))
        let properties = try #require(document.responses.first?.propstats.first?.properties)
        #expect(properties.map(\.live) == [.getetag, .resourcetype, nil, nil])
        var renamed = properties[2]
        renamed.name = DAV.getlastmodified
        #expect(renamed.live == .getlastmodified)
    }

    @Test func wellFormedAnswerIsClean() throws {
        let body = """
            <D:response><D:href>/docs/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype>
            <D:getlastmodified>Sun, 06 Nov 1994 08:49:37 GMT</D:getlastmodified><D:creationdate>1994-11-06T08:49:37Z</D:creationdate>
            </D:prop>\(Self.ok)</D:propstat></D:response>
            <D:response><D:href>/docs/a%20b.txt</D:href><D:propstat><D:prop><D:getcontentlength>12</D:getcontentlength></D:prop>\(Self.ok)</D:propstat>
            <D:propstat><D:prop><D:quota-used-bytes/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>
            """
        #expect(try Self.lint(body, head: ResponseHead(status: 207, headers: HTTPFields([("Content-Type", "application/xml; charset=utf-8")]))) == [])
    }

    /// Names with a literal percent sign, encoded once, are not taken for double encoding: "50%25 off.txt"
    /// is /50%2525%20off.txt (its raw space after one decoding shows the single encoding), "100%.txt" is
    /// /100%25.txt, and an unneeded escape of a safe character (%2541 → %41, "A") proves nothing.
    @Test(arguments: ["/pct/50%2525%20off.txt", "/pct/100%25.txt", "/pct/%2541.txt", "/a%252Fb"])
    func singleEncodedPercentNamesAreNotDoubleEncoded(_ href: String) throws {
        #expect(try Self.lint("<D:response><D:href>\(href)</D:href>\(Self.ok)</D:response>") == [])
    }

    @Test func contentTypeOfA207IsChecked() throws {
        let rules = try Self.lint(
            "<D:response><D:href>/a</D:href>\(Self.ok)</D:response>",
            head: ResponseHead(status: 207, headers: HTTPFields([("Content-Type", "text/html")])))
        #expect(rules == ["content-type"])
    }

    @Test func everyRuleNamesItsSectionAndClients() {
        for rule in LintRules.all {
            #expect(rule.section.contains("RFC") || rule.section.contains("XML"), "\(rule.id)")
            #expect(!rule.breaks.isEmpty)
        }
    }

    @Test func datesAreRecognisedExactly() {
        #expect(HTTPDate.isIMFFixdate("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(!HTTPDate.isIMFFixdate("Sun, 6 Nov 1994 08:49:37 GMT"))
        #expect(!HTTPDate.isIMFFixdate("Fri, 16 Oct 2020 11:08:07 UTC"))
        #expect(HTTPDate.isRFC3339("2024-02-21T21:03:42.123+01:00"))
        #expect(!HTTPDate.isRFC3339("2024-02-21 21:03"))
    }

    /// Repeats far apart in a listing larger than one block of hashes (65,536) are counted exactly: the
    /// blocks go to the spill file and come back for the final merge.
    @Test func farApartRepeatsInAHugeListingAreCounted() {
        var linter = Linter()
        let ok = [PropStat(properties: [], status: StatusLine(code: 200))]
        for i in 0..<200_000 {
            linter.check(Response(hrefs: ["/big/f\(i)"], propstats: ok, index: i + 1), path: "/big/f\(i)")
        }
        for i in [3, 70_000, 150_000] {
            linter.check(Response(hrefs: ["/big/f\(i)"], propstats: ok, index: 0), path: "/big/f\(i)")
        }
        linter.finishDuplicates()
        let finding = linter.results.first { $0.rule.id == "duplicate-href" }
        #expect(finding?.count == 3)
    }

    /// A reader of one piece of a split body merges its blocks into one run before the final merge; the
    /// count is the same, whether repeats fall in one run, across runs, or in the block still filling.
    @Test func compactedBlocksCountTheSameRepeats() {
        var linter = Linter()
        let ok = [PropStat(properties: [], status: StatusLine(code: 200))]
        func add(_ i: Int) { linter.check(Response(hrefs: ["/big/f\(i)"], propstats: ok, index: 0), path: "/big/f\(i)") }
        for i in 0..<150_000 { add(i) }
        for i in [3, 70_000] { add(i) }
        linter.compactDuplicates()
        for i in 150_000..<300_000 { add(i) }
        for i in [5, 140_000, 299_000] { add(i) }
        linter.compactDuplicates()
        for i in [7, 200_000] { add(i) }
        linter.finishDuplicates()
        #expect(linter.results.first { $0.rule.id == "duplicate-href" }?.count == 7)
    }
}
