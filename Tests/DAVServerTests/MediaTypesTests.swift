import Testing

@testable import DAVServer

/// Content types are looked up by the extension's bytes packed into a word (no string per listed file);
/// they are what the table says for the extension lowered to ASCII lower case, as before.
struct MediaTypesTests {
    /// The lookup as it was: the extension as a string, lowered when it holds an ASCII capital.
    private func byString(_ name: String) -> String {
        let utf8 = name.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")), dot != utf8.startIndex else { return "application/octet-stream" }
        let suffix = Substring(utf8[utf8.index(after: dot)...])
        let key = suffix.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? suffix.lowercased() : String(suffix)
        return MediaTypes.table[key] ?? "application/octet-stream"
    }

    @Test func typesAreTheTablesForEveryKindOfName() {
        var names = MediaTypes.table.keys.flatMap { ["a." + $0, "a." + $0.uppercased(), "x.y." + $0, "." + $0] }
        names += [
            "no-extension", "trailing.", "..", ".", "", "page.HTML", "Report.PdF", "a.tar.gz", "caf\u{E9}.txt", "x.t\u{E9}xt",
            "x.\u{212A}", "x.longextension", "x.docx1", "x.abcdefgh", "x.txt ", "x. txt", "emoji.😀", "x.TXT\u{301}", "x.\u{301}txt", "x.T\u{212A}",
        ]
        for name in names { #expect(MediaTypes.type(for: name) == byString(name), "\(name)") }
        #expect(MediaTypes.type(for: "page.HTML") == "text/html; charset=utf-8")
        #expect(MediaTypes.type(for: "x.t\u{E9}xt") == "application/octet-stream")
    }
}
