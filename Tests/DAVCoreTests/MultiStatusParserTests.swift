import DAVCore
import Testing

/// RFC 4918 §14.16–§14.24 read through the streaming parser.
struct MultiStatusParserTests {
    static let apacheShaped = """
        <?xml version="1.0" encoding="utf-8"?>
        <D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">
        <D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
        <D:href>/docs/a%20b.txt</D:href>
        <D:propstat>
        <D:prop>
        <lp1:getcontentlength>12</lp1:getcontentlength>
        <lp1:resourcetype/>
        <D:supportedlock><D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry></D:supportedlock>
        </D:prop>
        <D:status>HTTP/1.1 200 OK</D:status>
        </D:propstat>
        <D:propstat><D:prop><x:author xmlns:x="urn:example"/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>
        </D:response>
        <D:response><D:href>/docs/locked/</D:href><D:status>HTTP/1.1 423 Locked</D:status>
        <D:error><D:lock-token-submitted><D:href>/docs/</D:href></D:lock-token-submitted></D:error>
        <D:responsedescription>member is locked</D:responsedescription></D:response>
        <D:responsedescription>partial failure</D:responsedescription>
        </D:multistatus>
        """

    /// A fault in the same piece as whole responses (junk after the root: the framing's last-chunk marker
    /// read as data) still hands those responses out before the error: the report shows what was read.
    @Test(arguments: [true, false])
    func responsesBeforeABreakInTheSamePieceAreHandedOut(_ breakAtFinish: Bool) throws {
        var parser = MultiStatusParser()
        var hrefs: [String] = []
        let body = Array((Self.apacheShaped + (breakAtFinish ? "" : "\r\n0\r\n\r\n")).utf8)
        let truncated = breakAtFinish ? Array(body.dropLast(40)) : body
        #expect(throws: DAVCoreError.self) {
            try parser.feed(truncated) { hrefs += $0.hrefs }
            try parser.finish { hrefs += $0.hrefs }
        }
        #expect(hrefs == ["/docs/a%20b.txt", "/docs/locked/"])
    }

    @Test func readsResponsesPropstatsAndErrors() throws {
        let (document, problems) = try MultiStatusParser.parse(Array(Self.apacheShaped.utf8))
        #expect(problems.isEmpty)
        #expect(document.responses.count == 2)
        #expect(document.responseDescription == "partial failure")
        let first = document.responses[0]
        #expect(first.hrefs == ["/docs/a%20b.txt"])
        #expect(first.propstats.count == 2)
        #expect(first.propstats[0].status?.code == 200)
        #expect(first.value(of: DAV.getcontentlength)?.text == "12")
        #expect(first.propstats[0].properties.map(\.name.description).contains("{DAV:}supportedlock"))
        #expect(first.propstats[1].properties[0].name == QualifiedName("urn:example", "author"))
        #expect(first.resourceStatus == 200)
        let second = document.responses[1]
        #expect(second.status?.code == 423)
        #expect(second.conditions == [DAV.lockTokenSubmitted])
        #expect(second.error?.descendants(named: DAV.href).first?.text == "/docs/")
        #expect(second.responseDescription == "member is locked")
    }

    @Test(arguments: [
        // any prefix
        #"<a:multistatus xmlns:a="DAV:"><a:response><a:href>/x</a:href><a:status>HTTP/1.1 200 OK</a:status></a:response></a:multistatus>"#,
        // default namespace
        #"<multistatus xmlns="DAV:"><response><href>/x</href><status>HTTP/1.1 200 OK</status></response></multistatus>"#,
        // redeclared on every element (rclone)
        #"<D:multistatus xmlns:D="DAV:"><D:response xmlns:D="DAV:"><D:href xmlns:D="DAV:">/x</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>"#,
    ])
    func namespacesResolveWhateverThePrefix(_ body: String) throws {
        let document = try MultiStatusParser.parse(body)
        #expect(document.responses.count == 1)
        #expect(document.responses[0].hrefs == ["/x"])
        #expect(document.responses[0].status?.code == 200)
    }

    @Test func sameResultWhateverTheChunkSize() throws {
        let bytes = Array(Self.apacheShaped.utf8)
        let whole = try MultiStatusParser.parse(bytes).0
        for size in [1, 2, 3, 7, 64] {
            var parser = MultiStatusParser()
            var responses: [Response] = []
            var index = 0
            while index < bytes.count {
                let end = min(index + size, bytes.count)
                try parser.feed(Array(bytes[index..<end])) { responses.append($0) }
                index = end
            }
            try parser.finish { responses.append($0) }
            #expect(responses == whole.responses, "chunk size \(size)")
        }
    }

    @Test func entitiesAndCDATAAreDecoded() throws {
        let body =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/R&amp;D/&#x43;af&#233;</D:href><D:propstat><D:prop><D:displayname><![CDATA[a<b]]></D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
        let response = try MultiStatusParser.parse(body).responses[0]
        #expect(response.hrefs == ["/R&D/Café"])
        #expect(response.value(of: DAV.displayname)?.text == "a<b")
    }

    @Test func unboundPrefixAndHTMLEntityAreReportedNotFatal() throws {
        let body =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/&Atilde;</D:href><D:propstat><D:prop><x:lastmodified/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>"#
        let (document, problems) = try MultiStatusParser.parse(Array(body.utf8))
        #expect(document.responses.count == 1)
        #expect(Set(problems.map(\.kind)) == [.unboundPrefix, .undefinedEntity])
    }

    @Test func lighttpdDAVPrefixIsReadAsTheDAVNamespace() throws {
        let body =
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:propstat><D:prop><DAV:getetag/></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat></D:response></D:multistatus>"#
        let (document, problems) = try MultiStatusParser.parse(Array(body.utf8))
        #expect(document.responses[0].propstats[0].properties[0].name == DAV.getetag)
        #expect(problems.map(\.kind) == [.unboundPrefix])
    }

    @Test func keepingValueTreesDropsOnlyTheTreesNotAsked() throws {
        var parser = MultiStatusParser(keepingValueTrees: [DAV.resourcetype])
        var responses: [Response] = []
        try parser.feed(
            Array(
                #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/c/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype><D:supportedlock><D:lockentry/></D:supportedlock><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
                    .utf8)
        ) { responses.append($0) }
        try parser.finish { responses.append($0) }
        #expect(responses[0].isCollection)
        #expect(responses[0].value(of: DAV.supportedlock)?.isEmpty == true)
        #expect(responses[0].value(of: DAV.getetag)?.text == "\"1\"")
    }

    @Test func keepingValuesOfReadsOnlyTheValuesAsked() throws {
        var parser = MultiStatusParser(keepingValuesOf: [DAV.getetag, QualifiedName("urn:later", "x")])
        var responses: [Response] = []
        try parser.feed(
            Array(
                #"<D:multistatus xmlns:D="DAV:" xmlns:L="urn:later"><D:response><D:href>/a</D:href><D:propstat><D:prop><D:displayname>a</D:displayname><D:getetag>"1"</D:getetag><L:x>kept</L:x><L:y>dropped</L:y></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
                    .utf8)
        ) { responses.append($0) }
        try parser.finish { responses.append($0) }
        #expect(responses[0].propstats[0].properties.map(\.name.name) == ["displayname", "getetag", "x", "y"])
        #expect(responses[0].value(of: DAV.displayname)?.text == "")
        #expect(responses[0].value(of: DAV.getetag)?.text == "\"1\"")
        #expect(responses[0].value(of: QualifiedName("urn:later", "x"))?.text == "kept")
        #expect(responses[0].value(of: QualifiedName("urn:later", "y"))?.text == "")
    }

    /// A listing whose responses vary in shape (one or two propstats, a bare status, an error), with
    /// statuses that alternate and repeat, and an entity in one status line that comes back twice.
    static func mixedListing(responses: Int) -> String {
        let statuses = [
            "HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found", "HTTP/1.1 403 Forbidden", "HTTP/1.1 423 Locked", "HTTP/1.1 507 Insufficient Storage",
        ]
        var body = #"<D:multistatus xmlns:D="DAV:">"# + "\n"
        for k in 0..<responses {
            body += "<D:response>\n<D:href>/d/f\(k)</D:href>\n"
            switch k % 4 {
            case 0:
                body += "<D:propstat>\n<D:prop>\n<D:getetag>\"\(k)\"</D:getetag>\n<D:displayname> </D:displayname>\n</D:prop>\n"
                body += "<D:status>\(statuses[0])</D:status>\n</D:propstat>\n"
                body += "<D:propstat><D:prop><D:getcontentlength/></D:prop><D:status>\(statuses[1])</D:status></D:propstat>\n"
            case 1:
                body += "<D:status>\(statuses[2 + k % 3])</D:status>\n"
            case 2:
                body += "<D:status>HTTP/1.1 423 L&ocked;</D:status><D:error><D:lock-token-submitted/></D:error>\n"
            default:
                body +=
                    "<D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>\(statuses[k % 5])</D:status></D:propstat>\n"
            }
            body += "</D:response>\n"
        }
        return body + "</D:multistatus>\n"
    }

    /// Status lines are remembered between responses, and arrays recycled: neither may change what is read,
    /// even for a caller that keeps every response it is handed.
    @Test(arguments: [false, true])
    func rememberedStatusesAndRecycledResponsesReadTheSame(recycling: Bool) throws {
        let body = Array(Self.mixedListing(responses: 2_000).utf8)
        var parser = MultiStatusParser(recyclingResponses: recycling)
        var responses: [Response] = []
        var from = 0
        while from < body.count {
            let to = min(from + 1_000, body.count)
            try parser.feed(Array(body[from..<to])) { responses.append($0) }
            from = to
        }
        try parser.finish { responses.append($0) }
        #expect(responses.count == 2_000)
        for (k, response) in responses.enumerated() {
            #expect(response.hrefs == ["/d/f\(k)"])
            switch k % 4 {
            case 0:
                #expect(response.propstats.map { $0.status?.raw } == ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"])
                #expect(response.propstats[0].properties.map(\.text) == ["\"\(k)\"", " "])
            case 1:
                #expect(response.status?.code == [403, 423, 507][k % 3])
                #expect(response.propstats.isEmpty)
            case 2:
                #expect(response.status?.raw == "HTTP/1.1 423 L&ocked;")
                #expect(response.conditions == [DAV.lockTokenSubmitted])
            default:
                #expect(response.status == nil)
                #expect(response.propstats.count == 1)
                #expect(response.propstats[0].status?.code == [200, 404, 403, 423, 507][k % 5])
                #expect(response.isCollection == (k % 5 == 0))  // only a 2xx propstat tells
            }
        }
        // The entity is reported for each of the 500 lines that carry it, not only the first.
        #expect(parser.problemCount == 500)
        #expect(parser.problems.allSatisfy { $0.kind == .undefinedEntity && $0.detail == "&ocked;" })
    }

    /// White space between structural tags is not handed to the handler, but still counts against the
    /// text limit; inside a value it is kept.
    @Test func whiteSpaceBetweenTagsStillMeetsTheTextLimit() throws {
        var limits = XMLLimits()
        limits.maxTextBytes = 64
        let spaces = String(repeating: " ", count: 100)
        let body = #"<D:multistatus xmlns:D="DAV:"><D:response>"# + spaces + "<D:href>/a</D:href></D:response></D:multistatus>"
        #expect(throws: DAVCoreError.self) { try MultiStatusParser.parse(Array(body.utf8), limits: limits) }
        let kept = try MultiStatusParser.parse(
            #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:propstat><D:prop><D:displayname>  </D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"#
        )
        #expect(kept.responses[0].value(of: DAV.displayname)?.text == "  ")
    }
}
