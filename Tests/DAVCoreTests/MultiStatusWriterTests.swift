import DAVCore
import DAVTesting
import Testing

/// The writer emits conformant, namespace-correct XML and refuses malformed responses (RFC 4918 §14.24).
struct MultiStatusWriterTests {
    @Test func roundTripKeepsEverything() throws {
        let original = try MultiStatusParser.parse(MultiStatusParserTests.apacheShaped)
        let written = try MultiStatusWriter.document(original)
        let (reread, problems) = try MultiStatusParser.parse(written)
        #expect(problems.isEmpty)
        #expect(reread == original)
    }

    /// Every real multistatus in the fixtures survives parse → write → parse unchanged.
    @Test func roundTripOfRealCaptures() throws {
        var checked = 0
        for row in try Fixtures.rows() where row.file.hasSuffix(".xml") || row.notes.hasPrefix("207") {
            var reader = try CaptureReader(path: Fixtures.url(row.path).path)
            _ = try reader.readHead()
            let body = try reader.readWholeBody().0
            guard let (original, _) = try? MultiStatusParser.parse(body) else { continue }
            let reread = try MultiStatusParser.parse(try MultiStatusWriter.document(original)).0
            #expect(reread == original, "\(row)")
            checked += 1
        }
        #expect(checked > 40)
    }

    @Test func foreignNamespacesAreDeclaredWhereUsed() throws {
        let property = Property(
            XMLElement(
                QualifiedName("urn:x", "color"), attributes: [XMLAttribute(QualifiedName(xmlNamespace, "lang"), "en")],
                children: [.element(XMLElement(QualifiedName("urn:y", "shade"), children: [.text("dark & <red>")]))]))
        let response = Response(hrefs: ["/a"], propstats: [PropStat(properties: [property], status: StatusLine(code: 200))], index: 1)
        let bytes = try MultiStatusWriter.document(MultiStatus(responses: [response]))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(
            text.contains(#"<ns0:color xmlns:ns0="urn:x" xml:lang="en"><ns1:shade xmlns:ns1="urn:y">dark &amp; &lt;red&gt;</ns1:shade></ns0:color>"#))
        let (reread, problems) = try MultiStatusParser.parse(bytes)
        #expect(problems.isEmpty)
        #expect(reread.responses == [response])
    }

    /// A namespace is declared once per element subtree that uses it, again on a sibling property (each
    /// property is its own scope), and never for DAV: (bound on the root) or attributes without a namespace.
    @Test func namespaceScopesFollowTheTree() throws {
        let inner = XMLElement(QualifiedName("urn:x", "b"), attributes: [XMLAttribute(QualifiedName("", "plain"), "1 \"q\"")])
        let first = Property(
            XMLElement(QualifiedName("urn:x", "a"), children: [.element(inner), .element(XMLElement(DAV.href, children: [.text("/x")]))]))
        let second = Property(QualifiedName("urn:x", "c"), text: "")
        let response = Response(hrefs: ["/a"], propstats: [PropStat(properties: [first, second], status: StatusLine(code: 200))], index: 1)
        let text = String(decoding: try MultiStatusWriter.document(MultiStatus(responses: [response])), as: UTF8.self)
        #expect(text.contains(#"<ns0:a xmlns:ns0="urn:x"><ns0:b plain="1 &quot;q&quot;"/><D:href>/x</D:href></ns0:a><ns0:c xmlns:ns0="urn:x"/>"#))
        #expect(try MultiStatusParser.parse(Array(text.utf8)).0.responses == [response])
    }

    /// A constant property is written byte for byte as its tree would be, and equals it; one with a
    /// foreign namespace stays a tree (its prefix depends on the document).
    @Test func constantPropertiesWriteAsTheirTree() throws {
        let lockEntry = XMLElement(
            DAV.lockentry,
            children: [
                .element(XMLElement(DAV.lockscope, children: [.element(XMLElement(DAV.exclusive))])),
                .element(XMLElement(DAV.locktype, children: [.element(XMLElement(DAV.write))])),
            ])
        let element = XMLElement(DAV.supportedlock, children: [.element(lockEntry), .text("a & b")])
        let constant = Property.constant(element)
        #expect(constant == Property(element))
        #expect(constant.hashValue == Property(element).hashValue)
        func written(_ property: Property) throws -> String {
            let response = Response(hrefs: ["/a"], propstats: [PropStat(properties: [property], status: StatusLine(code: 200))])
            return String(decoding: try MultiStatusWriter.document(MultiStatus(responses: [response])), as: UTF8.self)
        }
        #expect(try written(constant) == written(Property(element)))
        #expect(try written(constant).contains("<D:supportedlock><D:lockentry><D:lockscope><D:exclusive/></D:lockscope>"))
        let foreign = Property.constant(XMLElement(QualifiedName("urn:x", "v"), children: [.text("1")]))
        #expect(try written(foreign).contains(#"<ns0:v xmlns:ns0="urn:x">1</ns0:v>"#))
    }

    @Test func customReasonPhrasesAreKept() throws {
        let response = Response(hrefs: ["/a"], status: StatusLine(code: 423, reason: "Locked & Loaded"))
        let text = String(decoding: try MultiStatusWriter.document(MultiStatus(responses: [response])), as: UTF8.self)
        #expect(text.contains("<D:status>HTTP/1.1 423 Locked &amp; Loaded</D:status>"))
    }

    @Test func statusLinesAreAlwaysHTTP11() throws {
        let response = Response(hrefs: ["/a"], status: StatusLine(raw: "HTTP/0.0 404 Not Found"))
        let text = String(decoding: try MultiStatusWriter.document(MultiStatus(responses: [response])), as: UTF8.self)
        #expect(text.contains("<D:status>HTTP/1.1 404 Not Found</D:status>"))
    }

    @Test(arguments: [
        Response(hrefs: []),
        Response(hrefs: ["/a"]),
        Response(hrefs: ["/a"], status: StatusLine(code: 200), propstats: [PropStat(properties: [], status: StatusLine(code: 200))]),
        Response(hrefs: ["/a", "/b"], propstats: [PropStat(properties: [], status: StatusLine(code: 200))]),
        Response(hrefs: ["/a"], propstats: [PropStat(properties: [], status: nil)]),
    ])
    func malformedResponsesAreRefused(_ response: Response) {
        var writer = MultiStatusWriter()
        writer.begin()
        #expect(throws: DAVCoreError.self) { try writer.write(response) }
        #expect(!String(decoding: writer.take(), as: UTF8.self).contains("<D:response>"))
    }

    @Test func streamsInChunks() throws {
        var writer = MultiStatusWriter()
        writer.begin()
        var total: [UInt8] = writer.take()
        for i in 0..<1000 {
            try writer.write(Response(hrefs: ["/f\(i)"], status: StatusLine(code: 200)))
            if writer.pendingBytes > 4096 { total += writer.take() }
        }
        writer.end()
        total += writer.take()
        #expect(try MultiStatusParser.parse(total).0.responses.count == 1000)
    }
}
