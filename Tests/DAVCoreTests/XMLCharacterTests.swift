import DAVCore
import Testing

/// Characters XML 1.0 forbids and bytes that are not UTF-8: every strict client parser rejects such a body
/// as a whole, so the reader reports each (with its offset and resource) and reads on.
struct XMLCharacterTests {
    /// One nginx dav-ext (1.22.1, dav-ext 3.0.0) `<D:response>` as captured in Tests/Corpus/nginx: the file
    /// name percent-encoded in the href, raw in the displayname.
    static func nginxResponse(href: String, displayname: [UInt8]) -> [UInt8] {
        Array("<D:response>\n<D:href>\(href)</D:href>\n<D:propstat>\n<D:prop>\n<D:displayname>".utf8) + displayname
            + Array(
                """
                </D:displayname>
                <D:getcontentlength>5</D:getcontentlength>
                <D:getlastmodified>Fri, 04 Dec 2026 13:50:40 GMT</D:getlastmodified>
                <D:resourcetype></D:resourcetype>
                <D:lockdiscovery/>
                <D:supportedlock>
                <D:lockentry>
                <D:lockscope><D:exclusive/></D:lockscope>
                <D:locktype><D:write/></D:locktype>
                </D:lockentry>
                </D:supportedlock>
                </D:prop>
                <D:status>HTTP/1.1 200 OK</D:status>
                </D:propstat>
                </D:response>

                """.utf8)
    }

    static func nginxBody(_ responses: [UInt8], declaration: String = #"<?xml version="1.0" encoding="utf-8" ?>"#) -> [UInt8] {
        Array("\(declaration)\n<D:multistatus xmlns:D=\"DAV:\">\n".utf8)
            + nginxResponse(href: "/names/", displayname: Array("names".utf8))
            + responses
            + Array("</D:multistatus>\n".utf8)
    }

    /// Reads `body` in chunks of `chunk` bytes, as `davdoctor analyze` does (values kept only for a few
    /// properties, so a displayname is skipped unread), and lints it.
    static func lint(_ body: [UInt8], chunk: Int = 64 << 10, analysisParser: Bool = false) throws -> (problems: [XMLProblem], findings: [LintFinding])
    {
        var parser =
            analysisParser
            ? MultiStatusParser(keepingValueTrees: [DAV.resourcetype], keepingValuesOf: [DAV.resourcetype, DAV.getetag, DAV.getcontentlength])
            : MultiStatusParser()
        var linter = Linter()
        var count = 0
        var index = 0
        while index < body.count {
            let end = min(index + chunk, body.count)
            try parser.feed(Array(body[index..<end])) {
                linter.check($0)
                count += 1
            }
            index = end
        }
        try parser.finish {
            linter.check($0)
            count += 1
        }
        for problem in parser.problems { linter.check(problem) }
        linter.checkDocument(root: parser.rootName, responses: count, head: nil, method: "PROPFIND")
        linter.finishDuplicates()
        return (parser.problems, linter.results)
    }

    /// Problems of the tokenizer alone, fed `chunk` bytes at a time.
    struct Problems: XMLTokenHandler {
        var problems: [XMLProblem] = []
        var text: [UInt8] = []
        mutating func startElement(_ name: Int32, attributes: [XMLAttribute], names: XMLNameTable) throws {}
        mutating func endElement(_ name: Int32, names: XMLNameTable) throws {}
        mutating func characters(_ raw: UnsafeRawBufferPointer, isCDATA: Bool) throws { text.append(contentsOf: raw) }
        mutating func problem(_ problem: XMLProblem) { problems.append(problem) }
    }

    static func tokenize(_ body: [UInt8], chunk: Int = .max) throws -> Problems {
        var tokenizer = XMLTokenizer()
        var handler = Problems()
        var index = 0
        while index < body.count {
            let end = min(index + chunk, body.count)
            try tokenizer.feed(Array(body[index..<end]), into: &handler)
            index = end
        }
        try tokenizer.finish(into: &handler)
        return handler
    }

    static func tokenize(_ body: String, chunk: Int = .max) throws -> Problems {
        try tokenize(Array(body.utf8), chunk: chunk)
    }

    // MARK: - The two real cases

    @Test(arguments: [false, true])
    func nginxControlCharacterInADisplayname(analysisParser: Bool) throws {
        let body = Self.nginxBody(Self.nginxResponse(href: "/names/bell%01.txt", displayname: Array("bell".utf8) + [0x01] + Array(".txt".utf8)))
        let offset = try #require(body.firstIndex(of: 0x01))
        for chunk in [1 << 16, 7, 1] {
            let (problems, findings) = try Self.lint(body, chunk: chunk, analysisParser: analysisParser)
            #expect(problems == [XMLProblem(kind: .forbiddenCharacter, detail: "U+0001", offset: offset, href: "/names/bell%01.txt")])
            let finding = try #require(findings.first { $0.rule.id == "xml-forbidden-character" })
            #expect(finding.rule == LintRules.forbiddenCharacter)
            #expect(finding.rule.severity == .error)
            #expect(finding.count == 1)
            #expect(finding.examples == ["/names/bell\u{01}.txt"])
            #expect(finding.examples == [Href("/names/bell%01.txt").displayPath])
            #expect(finding.problem == problems.first)
        }
    }

    @Test(arguments: [false, true])
    func nginxLatin1NameInAUTF8Document(analysisParser: Bool) throws {
        let body = Self.nginxBody(Self.nginxResponse(href: "/latin1/caf%E9.txt", displayname: Array("caf".utf8) + [0xE9] + Array(".txt".utf8)))
        let offset = try #require(body.firstIndex(of: 0xE9))
        for chunk in [1 << 16, 5, 1] {
            let (problems, findings) = try Self.lint(body, chunk: chunk, analysisParser: analysisParser)
            #expect(problems == [XMLProblem(kind: .invalidUTF8, detail: "0xE9", offset: offset, href: "/latin1/caf%E9.txt")])
            let finding = try #require(findings.first { $0.rule.id == "xml-not-utf8" })
            #expect(finding.rule == LintRules.notUTF8)
            #expect(finding.rule.severity == .error)
            #expect(finding.count == 1)
            // %E9 does not decode to UTF-8, so the path is shown as written.
            #expect(finding.examples == ["/latin1/caf%E9.txt"])
            #expect(finding.problem == problems.first)
        }
    }

    @Test func bothRulesAreInTheCatalogue() {
        for rule in [LintRules.forbiddenCharacter, LintRules.notUTF8] {
            #expect(LintRules.all.contains(rule))
            #expect(rule.severity == .error)
            #expect(rule.breaks == LintRules.notWellFormedBreaks)
        }
        #expect(LintRules.forbiddenCharacter.id == "xml-forbidden-character")
        #expect(LintRules.notUTF8.id == "xml-not-utf8")
        #expect(Set(LintRules.all.map(\.id)).count == LintRules.all.count)
    }

    /// The href is read after the problem when the bad byte is in the href itself.
    @Test func aProblemInTheHrefCarriesThatHref() throws {
        let body =
            Array(#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a"#.utf8) + [0x02]
            + Array(
                "b</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response><D:response><D:href>/c</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>"
                    .utf8)
        let (problems, findings) = try Self.lint(body)
        #expect(
            problems == [XMLProblem(kind: .forbiddenCharacter, detail: "U+0002", offset: try #require(body.firstIndex(of: 0x02)), href: "/a\u{02}b")])
        #expect(findings.first { $0.rule.id == "xml-forbidden-character" }?.examples == ["/a\u{02}b"])
    }

    /// Outside any response (the top-level responsedescription) there is no resource to name.
    @Test func aProblemOutsideAResponseHasNoHref() throws {
        let body =
            Array(
                #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response><D:responsedescription>x"#
                    .utf8)
            + [0x07] + Array("</D:responsedescription></D:multistatus>".utf8)
        let (problems, findings) = try Self.lint(body)
        #expect(problems == [XMLProblem(kind: .forbiddenCharacter, detail: "U+0007", offset: try #require(body.firstIndex(of: 0x07)))])
        #expect(findings.first { $0.rule.id == "xml-forbidden-character" }?.examples == [])
    }

    // MARK: - UTF-8

    static let multibyte = "<a>é € 😀 ä€😀x😀😀 ünïcödé 文字 🇫🇷</a>"

    @Test func aCharacterSplitAcrossTwoFeedsIsNotFlagged() throws {
        for chunk in 1...9 {
            let read = try Self.tokenize(Self.multibyte, chunk: chunk)
            #expect(read.problems == [], "chunk \(chunk)")
            #expect(String(decoding: read.text, as: UTF8.self) == "é € 😀 ä€😀x😀😀 ünïcödé 文字 🇫🇷")
        }
    }

    @Test func aSequenceCutShortByTheNextFeedIsFlaggedOnce() throws {
        // 0xC3 ends one feed; the next starts with "(" instead of a continuation byte.
        var tokenizer = XMLTokenizer()
        var handler = Problems()
        try tokenizer.feed(Array("<a>x".utf8) + [0xC3], into: &handler)
        #expect(handler.problems == [])
        try tokenizer.feed(Array("(y</a>".utf8), into: &handler)
        try tokenizer.finish(into: &handler)
        #expect(handler.problems == [XMLProblem(kind: .invalidUTF8, detail: "0xC3", offset: 4)])
    }

    @Test func aSequenceCutShortByATagIsFlagged() throws {
        // "€" is E2 82 AC: its last byte is missing before the end tag, even when the tag comes in another feed.
        let body = Array("<a><b>".utf8) + [0xE2, 0x82] + Array("</b></a>".utf8)
        for chunk in [100, 8, 1] {
            #expect(try Self.tokenize(body, chunk: chunk).problems == [XMLProblem(kind: .invalidUTF8, detail: "0xE2 0x82", offset: 6)])
        }
    }

    @Test(
        arguments: [
            ([0x80], ["0x80"]),  // a continuation byte with no lead
            ([0xC0, 0xAF], ["0xC0", "0xAF"]),  // an overlong lead
            ([0xF5, 0x80], ["0xF5", "0x80"]),  // past U+10FFFF
            ([0xED, 0xA0, 0x80], ["0xED", "0xA0", "0x80"]),  // a surrogate
            ([0xE0, 0x80, 0x80], ["0xE0", "0x80", "0x80"]),  // overlong
            ([0xF0, 0x9F, 0x98], ["0xF0 0x9F 0x98"]),  // cut short
            ([0xFF], ["0xFF"]),
        ] as [([UInt8], [String])])
    func invalidSequencesAreNamedByTheirBytes(_ bytes: [UInt8], _ details: [String]) throws {
        for chunk in [100, 1] {
            let read = try Self.tokenize(Array("<a>x".utf8) + bytes + Array("y</a>".utf8), chunk: chunk)
            #expect(read.problems.map(\.kind) == Array(repeating: .invalidUTF8, count: details.count))
            #expect(read.problems.map(\.detail) == details, "\(bytes)")
            #expect(read.problems.first?.offset == 4)
        }
    }

    @Test(arguments: [
        #"<?xml version="1.0" encoding="ISO-8859-1"?>"#, #"<?xml version='1.0' encoding='iso-8859-1' ?>"#,
        #"<?xml version="1.0" encoding="latin1"?>"#,
    ])
    func aLatin1DeclaredDocumentIsNotFlagged(_ declaration: String) throws {
        let body = Self.nginxBody(
            Self.nginxResponse(href: "/latin1/caf%E9.txt", displayname: Array("caf".utf8) + [0xE9] + Array(".txt".utf8)),
            declaration: declaration)
        let (problems, findings) = try Self.lint(body)
        #expect(problems == [])
        #expect(!findings.contains { $0.rule.id == "xml-not-utf8" })
        // Its text is read as Latin-1.
        let (document, _) = try MultiStatusParser.parse(body)
        #expect(document.responses.last?.value(of: DAV.displayname)?.text == "café.txt")
        let attribute = try XMLTreeParser.parse(Array("\(declaration)<a t=\"caf".utf8) + [0xE9] + Array("\"/>".utf8)).root
        #expect(attribute.attributes.first?.value == "café")
    }

    @Test func aLatin1DocumentStillHasNoControlCharacters() throws {
        let body = Array(#"<?xml version="1.0" encoding="ISO-8859-1"?><a>caf"#.utf8) + [0xE9, 0x01] + Array("</a>".utf8)
        #expect(
            try Self.tokenize(body).problems == [
                XMLProblem(kind: .forbiddenCharacter, detail: "U+0001", offset: try #require(body.firstIndex(of: 0x01)))
            ])
    }

    @Test func anUndeclaredOrUTF8DeclaredDocumentIsChecked() throws {
        for declaration in ["", #"<?xml version="1.0"?>"#, #"<?xml version="1.0" encoding="UTF-8"?>"#] {
            let body = Array("\(declaration)<a>".utf8) + [0xE9] + Array("</a>".utf8)
            #expect(try Self.tokenize(body).problems.map(\.detail) == ["0xE9"], "\(declaration)")
        }
    }

    // MARK: - Control characters

    @Test func aCharacterReferenceToAControlIsFlagged() throws {
        let body = #"<a>bell&#1;.txt &#x1F; &#x1f; &#0; &#xFFFE; &#xD800; &#1114112;</a>"#
        for chunk in [100, 3, 1] {
            let read = try Self.tokenize(body, chunk: chunk)
            #expect(read.problems.map(\.kind) == Array(repeating: .forbiddenCharacter, count: 7))
            #expect(read.problems.map(\.detail) == ["U+0001", "U+001F", "U+001F", "U+0000", "U+FFFE", "U+D800", "U+110000"])
            #expect(read.problems.first?.offset == 7, "the offset of the reference's &")
        }
    }

    @Test func aCharacterReferenceInAnAttributeIsFlagged() throws {
        let body = Array(#"<a x="1" y="a&#2;b"/>"#.utf8)
        let read = try Self.tokenize(body)
        #expect(read.problems == [XMLProblem(kind: .forbiddenCharacter, detail: "U+0002", offset: 13)])
    }

    @Test func aRawControlInAnAttributeOrCDATAIsFlagged() throws {
        let body = Array(#"<a y="a"#.utf8) + [0x0B] + Array(#""><![CDATA[x"#.utf8) + [0x1B] + Array("&#1;]]></a>".utf8)
        let read = try Self.tokenize(body)
        #expect(
            read.problems == [
                XMLProblem(kind: .forbiddenCharacter, detail: "U+000B", offset: try #require(body.firstIndex(of: 0x0B))),
                XMLProblem(kind: .forbiddenCharacter, detail: "U+001B", offset: try #require(body.firstIndex(of: 0x1B))),
            ])
    }

    @Test func tabLineFeedAndCarriageReturnAreFine() throws {
        let body = "<a t=\"\t\n\r&#9;&#10;&#13;&#x9;&#xA;&#xD;\">\t\n\r x\r\n\t&#9;&#10;&#13;&#x9;&#xa;&#xd;<![CDATA[\t\n\r]]></a>"
        for chunk in [100, 1] {
            #expect(try Self.tokenize(body, chunk: chunk).problems == [])
        }
    }

    @Test func ordinaryReferencesAndEntitiesAreFine() throws {
        let body = #"<a>&amp;&lt;&gt;&quot;&apos;&#65;&#x41;&#xE9;&#233;&#x1F600;&#xFFFD;&#x10FFFF; & &# &#x; &#12a; &ocked;</a>"#
        let read = try Self.tokenize(body)
        #expect(read.problems.filter { $0.kind == .forbiddenCharacter || $0.kind == .invalidUTF8 } == [])
    }

    @Test func rawNoncharactersFFFEAndFFFFAreFlagged() throws {
        let body = Array("<a>".utf8) + [0xEF, 0xBF, 0xBE, 0x20, 0xEF, 0xBF, 0xBF, 0x20, 0xEF, 0xBF, 0xBD] + Array("</a>".utf8)
        #expect(
            try Self.tokenize(body, chunk: 4).problems == [
                XMLProblem(kind: .forbiddenCharacter, detail: "U+FFFE", offset: 3),
                XMLProblem(kind: .forbiddenCharacter, detail: "U+FFFF", offset: 7),
            ])
    }

    /// Every byte below 0x20 at every place of runs of 1 to 17 bytes, the run ending inside a fed chunk or
    /// at its end: the word-at-a-time path must not miss one, nor read one past the run.
    @Test func everyControlIsFoundWhereverItIs() throws {
        for length in 1...17 {
            for position in 0..<length {
                for byte in UInt8(0)..<0x20 {
                    var text = Array("abcdefghijklmnopq".utf8.prefix(length))
                    text[position] = byte
                    let body = Array("<a>".utf8) + text + Array("</a>".utf8)
                    for chunk in [Int.max, 3 + length, 1] {
                        let problems = try Self.tokenize(body, chunk: chunk).problems
                        if byte == 0x09 || byte == 0x0A || byte == 0x0D {
                            #expect(problems == [])
                        } else {
                            #expect(
                                problems == [XMLProblem(kind: .forbiddenCharacter, detail: String(codePointOf: byte), offset: 3 + position)],
                                "length \(length), position \(position), byte \(byte), chunk \(chunk)")
                        }
                    }
                }
            }
        }
    }

    /// The same for `&#1;` and a Latin-1 byte, and nothing for the bytes around 0x20 and 0x80 that are fine.
    @Test func referencesAndHighBytesAreFoundWhereverTheyAre() throws {
        for length in 4...20 {
            for position in 0...(length - 4) {
                var text = Array("abcdefghijklmnopqrst".utf8.prefix(length))
                text.replaceSubrange(position..<(position + 4), with: Array("&#1;".utf8))
                let body = Array("<a>".utf8) + text + Array("</a>".utf8)
                for chunk in [Int.max, 3 + length] {
                    #expect(
                        try Self.tokenize(body, chunk: chunk).problems == [
                            XMLProblem(kind: .forbiddenCharacter, detail: "U+0001", offset: 3 + position)
                        ])
                }
                var latin = Array("abcdefghijklmnopqrst".utf8.prefix(length))
                latin[position] = 0xE9
                let latinBody = Array("<a>".utf8) + latin + Array("</a>".utf8)
                #expect(try Self.tokenize(latinBody).problems == [XMLProblem(kind: .invalidUTF8, detail: "0xE9", offset: 3 + position)])
                var fine = Array("abcdefghijklmnopqrst".utf8.prefix(length))
                fine[position] = [0x20, 0x7F, 0x25, 0x27, 0x3B, 0x3E][position % 6]
                #expect(try Self.tokenize(Array("<a>".utf8) + fine + Array("</a>".utf8)).problems == [])
            }
        }
    }

    /// Text built of pieces whose problems are known, in many orders and cut into chunks of many sizes: the
    /// problems found are exactly those, at their offsets.
    @Test func mixedTextGivesExactlyTheKnownProblems() throws {
        let pieces: [(bytes: [UInt8], problem: (XMLProblem.Kind, String)?)] = [
            (Array("a".utf8), nil), (Array("href/".utf8), nil), (Array("Fri, 04 Dec 2026 13:50:40 GMT".utf8), nil),
            (Array("é".utf8), nil), (Array("€".utf8), nil), (Array("😀".utf8), nil), (Array("&amp;".utf8), nil),
            (Array("&#233;".utf8), nil), ([0x09], nil), ([0x0A], nil), ([0x0D], nil), ([0x20], nil),
            ([0x01], (.forbiddenCharacter, "U+0001")), ([0x1F], (.forbiddenCharacter, "U+001F")),
            (Array("&#1;".utf8), (.forbiddenCharacter, "U+0001")), (Array("&#x1b;".utf8), (.forbiddenCharacter, "U+001B")),
            ([0xE9], (.invalidUTF8, "0xE9")), ([0x80], (.invalidUTF8, "0x80")),
        ]
        var random = SplitMix(seed: 4918)
        for _ in 0..<400 {
            var text: [UInt8] = []
            var expected: [XMLProblem] = []
            for _ in 0..<Int(random.next() % 24) {
                var piece = pieces[Int(random.next() % UInt64(pieces.count))]
                // After 0xE9 a 0x80 would continue its sequence: a stray continuation byte follows something else.
                if piece.bytes == [0x80], text.last == 0xE9 { piece = pieces[0] }
                if let (kind, detail) = piece.problem { expected.append(XMLProblem(kind: kind, detail: detail, offset: 3 + text.count)) }
                text += piece.bytes
            }
            let body = Array("<a>".utf8) + text + Array("</a>".utf8)
            let chunk = [Int.max, 1, 2, 3, 5, 8, 13][Int(random.next() % 7)]
            #expect(try Self.tokenize(body, chunk: chunk).problems == expected, "\(body) in chunks of \(chunk)")
        }
    }

    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    // MARK: - Ordinary documents

    @Test func ordinaryDocumentsHaveNoProblem() throws {
        let body = Array(
            """
            <?xml version="1.0" encoding="utf-8"?>
            <D:multistatus xmlns:D="DAV:" xmlns:x="urn:x">\r
            \t<D:response>
            \t\t<D:href>/dav/R&amp;D/Caf%C3%A9%20menu.txt</D:href>
            \t\t<D:propstat><D:prop x:a="é &#233; &#x20AC;">
            \t\t\t<D:displayname>Café menu 😀 文字 &lt;1&gt; &#x1F600;</D:displayname>
            \t\t\t<D:getetag>"5f3-5e1"</D:getetag>
            \t\t\t<x:note><![CDATA[a < b & c ü]]></x:note>
            \t\t\t<D:getlastmodified>Fri, 04 Dec 2026 13:50:40 GMT</D:getlastmodified>
            \t\t</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
            \t</D:response>
            </D:multistatus>

            """.utf8)
        for chunk in [1 << 16, 13, 2, 1] {
            for analysisParser in [false, true] {
                let (problems, findings) = try Self.lint(body, chunk: chunk, analysisParser: analysisParser)
                #expect(problems == [])
                #expect(!findings.contains { $0.rule.id.hasPrefix("xml-") })
            }
        }
    }

    // MARK: - Request bodies

    @Test func aStrictTreeParserRefusesThem() throws {
        for body in [Array("<a>x".utf8) + [0x01] + Array("</a>".utf8), Array("<a>x".utf8) + [0xE9] + Array("</a>".utf8), Array("<a>&#1;</a>".utf8)] {
            #expect(throws: DAVCoreError.self) { try XMLTreeParser.parse(body) }
            do {
                _ = try XMLTreeParser.parse(body)
            } catch let error as DAVCoreError {
                #expect(error.code == .malformedXML)
                #expect(error.offset == 4 || error.offset == 3)
            }
            let lenient = try XMLTreeParser.parse(body, strict: false)
            #expect(lenient.problems.count == 1)
        }
    }
}

extension String {
    /// `U+0001` for a byte below 0x80.
    fileprivate init(codePointOf byte: UInt8) {
        let digits = String(byte, radix: 16, uppercase: true)
        self = "U+" + String(repeating: "0", count: 4 - digits.count) + digits
    }
}
