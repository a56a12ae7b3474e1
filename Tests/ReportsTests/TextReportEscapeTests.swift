import DAVCore
import DAVTesting
import Diagnosis
import Foundation
import Reports
import Testing

/// Names come from the server: a file named with ESC must not reach the user's terminal as a control sequence.
struct TextReportEscapeTests {
    @Test func controlCharactersFromTheAnswerAreShownNotSent() throws {
        // Real nginx dav-ext capture: files named "\u{1B}[1mbold.txt" and "scan\u{01}page.pdf", written raw.
        guard let item = try Corpus.cases().first(where: { $0.description == "nginx/propfind-control-char-names" }) else {
            Issue.record("the corpus case is missing")
            return
        }
        var reader = try CaptureReader(path: item.capture.path)
        defer { reader.close() }
        let result = try Analysis.run(
            reader: &reader, request: RequestOverrides(method: item.method, url: item.url, headers: item.requestHeaders), pieces: 1)
        for color in [false, true] {
            let text = TextReport(color: color).render(result)
            #expect(text.contains("\\x1b[1mbold.txt"))
            #expect(text.contains("scan\\x01page.pdf"))
            #expect(!text.unicodeScalars.contains { $0.value == 0x01 })
            // With colour, ESC appears only as the report's own colour codes.
            let escapes = text.components(separatedBy: "\u{1B}[").dropFirst()
            #expect(escapes.allSatisfy { $0.hasPrefix("0m") || $0.hasPrefix("1m") || $0.hasPrefix("3") }, "\(color)")
            #expect(color || !text.contains("\u{1B}"))
        }
    }
}
