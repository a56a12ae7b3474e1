import DAVCore
import Foundation
import Testing

@testable import DAVServer

/// The stores' JSON form of an element reads back, through ``StoredElementReader``, as the element that was
/// stored and as Foundation's `JSONDecoder` reads it; what is not that form is an error, never a crash.
struct StoredElementReaderTests {
    private static func stored(_ element: XMLElement) throws -> String {
        String(decoding: try JSONEncoder().encode(StoredElement(element)), as: UTF8.self)
    }

    private static func decodedByFoundation(_ json: String) throws -> XMLElement {
        try JSONDecoder().decode(StoredElement.self, from: Data(json.utf8)).element
    }

    /// Values as clients set them: Windows' attributes, text that JSON must escape, markup in several
    /// namespaces, attributes, characters outside the Basic Multilingual Plane, empty elements and texts.
    static let elements: [XMLElement] = [
        XMLElement(QualifiedName("urn:schemas-microsoft-com:", "Win32FileAttributes"), children: [.text("00000020")]),
        XMLElement(QualifiedName("http://example.com/ns/", "quote"), children: [.text(#"say "hi" \ back\slash / and / slash"#)]),
        XMLElement(QualifiedName("urn:x", "controls"), children: [.text("tab\tnew\nline\rreturn \u{01}\u{1F} end")]),
        XMLElement(QualifiedName("urn:x", "unicode"), children: [.text("naïve café 😀 𝄞 日本語 \u{FEFF}")]),
        XMLElement(QualifiedName("", "no-namespace")),
        XMLElement(QualifiedName("urn:x", "empty-text"), children: [.text("")]),
        XMLElement(
            QualifiedName("urn:y", "tags"),
            attributes: [XMLAttribute(QualifiedName("", "n"), "1"), XMLAttribute(QualifiedName("urn:z", "kind"), "a \"b\" & <c>")],
            children: [
                .text("before "),
                .element(XMLElement(QualifiedName("urn:y", "tag"), attributes: [XMLAttribute(QualifiedName("", "n"), "2")], children: [.text("x")])),
                .element(XMLElement(QualifiedName("DAV:", "href"), children: [.text("/a%20b/")])),
                .text(" after"),
            ]),
    ]

    @Test func storedElementsReadBackAsStored() throws {
        for element in Self.elements {
            let json = try Self.stored(element)
            #expect(try StoredElementReader.element(json) == element, "\(json)")
            #expect(try StoredElementReader.element(json) == Self.decodedByFoundation(json), "\(json)")
        }
    }

    /// Random trees from a fixed seed (a failure replays): names, namespaces, attribute values and texts
    /// from an alphabet of what JSON and XML escape, control characters and characters beyond the BMP.
    static func randomTrees(_ count: Int, seed: UInt64) -> [XMLElement] {
        var random = SeededGenerator(seed: seed)
        let alphabet = Array("aZ0 \"\\/\n\t\r\u{7F}é😀<&>{}[],:") + ["\u{01}", "\u{1F}", "\u{2028}"]
        func text() -> String {
            String((0..<Int.random(in: 0..<12, using: &random)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
        }
        func tree(_ depth: Int) -> XMLElement {
            let attributes = (0..<Int.random(in: 0..<3, using: &random)).map { _ in XMLAttribute(QualifiedName(text(), text()), text()) }
            let children: [XMLNode] =
                depth > 3
                ? []
                : (0..<Int.random(in: 0..<4, using: &random)).map { _ in
                    Int.random(in: 0..<2, using: &random) == 0 ? .text(text()) : .element(tree(depth + 1))
                }
            return XMLElement(QualifiedName(text(), text()), attributes: attributes, children: children)
        }
        return (0..<count).map { _ in tree(0) }
    }

    @Test func randomTreesReadBackAsStored() throws {
        for element in Self.randomTrees(300, seed: 0x5EED) {
            let json = try Self.stored(element)
            #expect(try StoredElementReader.element(json) == element, "\(json)")
        }
    }

    /// JSON that an encoder other than today's could write: keys in another order, spaces, `null` for an
    /// absent list, `\u` escapes (a surrogate pair among them), an unknown key of every kind.
    @Test func otherSpellingsOfTheSameFormRead() throws {
        let json = #"""
            { "c" : [ {"t": {"_0": "\u00e9\ud83d\ude00\/\"\n"}}, {"e": {"_0": {"n": "inner", "ns": "", "a": null, "c": null}}} ],
              "extra": {"x": [1, -2.5e3, true, false, null, "s", {}]}, "n": "outer", "a": [["", "id", "7"], ["too", "short"]],
              "ns": "urn:x" }
            """#
        let element = try StoredElementReader.element(json)
        #expect(element.name == QualifiedName("urn:x", "outer"))
        #expect(element.attributes == [XMLAttribute(QualifiedName("", "id"), "7")])
        #expect(element.children == [.text("é😀/\"\n"), .element(XMLElement(QualifiedName("", "inner")))])
        #expect(element == (try Self.decodedByFoundation(json)))
    }

    @Test(arguments: [
        "", "{", #"{"n": "x"}"#, #"{"ns": "", "n": 3}"#, #"{"ns": "", "n": "x""#, #"{"ns": "", "n": "x"} tail"#,
        #"{"ns": "", "n": "x", "c": [{"q": {}}]}"#, #"{"ns": "", "n": "x", "c": [{"t": {"_0": 5}}]}"#, #"{"ns": "", "n": "\ud83d"}"#,
        #"{"ns": "", "n": "\ude00"}"#, #"{"ns": "", "n": "\u12"}"#, #"{"ns": "", "n": "\x"}"#, "{\"ns\": \"\", \"n\": \"a\u{01}b\"}",
        #"{"ns": "", "n": "x", "a": [[1, 2, 3]]}"#, #"{"ns": "", "n": "x", "z": nope}"#, #"{"ns": "", "n": "x", "z": 01}"#,
        #"{"ns": "", "n": "x", "z": 1.}"#, #"{"ns": "", "n": "x", "z": -}"#, #"[]"#,
    ])
    func whatIsNotTheFormIsAnError(_ json: String) {
        #expect(throws: StoredElementReader.Failure.self, "\(json)") { try StoredElementReader.element(json) }
    }

    /// A value nested past any element the XML parser accepts (a hand-edited store) fails instead of
    /// exhausting the stack, through elements and through an unknown key alike.
    @Test func deepNestingIsAnError() {
        let depth = StoredElementReader.maximumDepth + 10
        let elements =
            String(repeating: #"{"ns": "", "n": "x", "c": [{"e": {"_0": "#, count: depth) + #"{"ns": "", "n": "x"}"#
            + String(repeating: "}}]}", count: depth)
        #expect(throws: StoredElementReader.Failure.self) { try StoredElementReader.element(elements) }
        let unknown = #"{"ns": "", "n": "x", "z": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        #expect(throws: StoredElementReader.Failure.self) { try StoredElementReader.element(unknown) }
    }
}
