import DAVCore
import Foundation
import Testing

@testable import DAVServer

/// What ``StoredElementWriter`` writes is the JSON form `JSONDecoder` reads as the same ``StoredElement``,
/// and ``StoredElementReader`` as the same element, for chosen values and random trees; stores written by
/// `JSONEncoder` before stay readable (the reader's tests).
struct StoredElementWriterTests {
    private static func readBack(_ json: String) throws -> (byReader: XMLElement, byFoundation: XMLElement) {
        (try StoredElementReader.element(json), try JSONDecoder().decode(StoredElement.self, from: Data(json.utf8)).element)
    }

    @Test func writtenElementsReadBackAsWritten() throws {
        for element in StoredElementReaderTests.elements {
            let json = StoredElementWriter.json(element)
            let read = try Self.readBack(json)
            #expect(read.byReader == element, "\(json)")
            #expect(read.byFoundation == element, "\(json)")
        }
        // Every control character, escaped as JSON requires.
        let controls = XMLElement(QualifiedName("urn:x", "c"), children: [.text(String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }))])
        #expect(try Self.readBack(StoredElementWriter.json(controls)).byFoundation == controls)
        #expect(!StoredElementWriter.json(controls).utf8.contains { $0 < 0x20 })
    }

    @Test func randomTreesReadBackAsWritten() throws {
        for element in StoredElementReaderTests.randomTrees(300, seed: 0xC0DE) {
            let json = StoredElementWriter.json(element)
            let read = try Self.readBack(json)
            #expect(read.byReader == element, "\(json)")
            #expect(read.byFoundation == element, "\(json)")
        }
    }
}
