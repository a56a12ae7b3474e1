import DAVCore
import Testing

/// The tokenizer reads the usual tags (`<name>`, `<name/>`, `</name>`) on a one-pass path and every other
/// tag on the general one: both must give the same events and the same errors.
struct XMLTokenizerTests {
    /// Records events as text, so two readings can be compared.
    struct Recorder: XMLTokenHandler {
        var events: [String] = []

        mutating func startElement(_ name: Int32, attributes: [XMLAttribute], names: XMLNameTable) throws {
            events.append("<\(names.name(name))\(attributes.map { " \($0.name)=\($0.value)" }.joined())>")
        }
        mutating func endElement(_ name: Int32, names: XMLNameTable) throws { events.append("</\(names.name(name))>") }
        /// One text node may arrive in pieces (where the chunks were cut): the pieces are joined.
        mutating func characters(_ raw: UnsafeRawBufferPointer, isCDATA: Bool) throws {
            let text = String(decoding: raw, as: UTF8.self)
            if let last = events.last, last.hasPrefix("text ") {
                events[events.count - 1] = last + text
            } else {
                events.append("text " + text)
            }
        }
        mutating func problem(_ problem: XMLProblem) { events.append("problem \(problem.kind) \(problem.detail) \(problem.offset)") }
    }

    static func read(_ body: String, chunk: Int = .max) throws -> [String] {
        var tokenizer = XMLTokenizer()
        var recorder = Recorder()
        let bytes = Array(body.utf8)
        var index = 0
        while index < bytes.count {
            let end = min(index + chunk, bytes.count)
            try tokenizer.feed(Array(bytes[index..<end]), into: &recorder)
            index = end
        }
        try tokenizer.finish(into: &recorder)
        return recorder.events
    }

    static func error(_ body: String) -> DAVCoreError? {
        do {
            _ = try read(body)
            return nil
        } catch {
            return error as? DAVCoreError
        }
    }

    @Test func usualTagsReadAsTheGeneralPathReadsThem() throws {
        let plain = #"<D:m xmlns:D="DAV:"><D:r><D:href>/a</D:href><D:c/><x:u/></D:r></D:m>"#
        // Spaces before `>` send every tag down the general path.
        let spaced = #"<D:m xmlns:D="DAV:" ><D:r ><D:href >/a</D:href ><D:c /><x:u /></D:r ></D:m >"#
        let expected = try Self.read(spaced)
        #expect(try Self.read(plain).filter { !$0.hasPrefix("problem") } == expected.filter { !$0.hasPrefix("problem") })
        #expect(expected.contains("<{DAV:}c>"))
        for chunk in [1, 2, 5] {
            #expect(try Self.read(plain, chunk: chunk) == Self.read(plain), "chunk size \(chunk)")
        }
    }

    @Test(arguments: [
        ("<a></b>", "malformed XML: </b> closes <a>"),
        ("<a></ab>", "malformed XML: </ab> closes <a>"),
        ("<ab></a>", "malformed XML: </a> closes <ab>"),
        (#"<a"b">"#, "malformed XML: a character not allowed in a name"),
        ("<a/><b/>", "malformed XML: a second root element"),
        ("<1a/>", #"malformed XML: an element name may not start with "1""#),
    ])
    func faultsOnTheUsualPathAreTheGeneralPathsFaults(_ body: String, _ message: String) {
        let error = Self.error(body)
        #expect(error?.code == .malformedXML)
        #expect(error?.message == message, "\(body) → \(String(describing: error))")
    }

    @Test func limitsHoldOnTheUsualPath() {
        var limits = XMLLimits()
        limits.maxNameBytes = 8
        var tokenizer = XMLTokenizer(limits: limits)
        var recorder = Recorder()
        #expect(throws: DAVCoreError.self) { try tokenizer.feed(Array("<abcdefghij>".utf8), into: &recorder) }
    }
}
