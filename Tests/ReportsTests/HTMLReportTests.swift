import DAVCore
import DAVTesting
import Diagnosis
import Foundation
import Reports
import Testing

/// The HTML report, opened in a real browser: headless Chromium (Debian's `chromium`) loads the page,
/// and the DOM it built is checked for what a reader must see; a screenshot proves it renders.
struct HTMLReportTests {
    static func analyze(_ relative: String, method: String = "PROPFIND", url: String, depth: String? = "1") throws -> AnalysisResult {
        var reader = try CaptureReader(path: Fixtures.url(relative).path)
        defer { reader.close() }
        return try Analysis.run(reader: &reader, request: RequestOverrides(method: method, url: url, depth: depth))
    }

    /// Writes `html` to a temporary file and runs Chromium on it with `arguments`; returns stdout.
    static func chromium(_ html: String, _ arguments: [String]) throws -> (output: String, file: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("report.html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Need.executable("chromium"))
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
            ] + arguments + [file.absoluteString]
        process.currentDirectoryURL = folder
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), folder)
    }

    @Test(.needs(.chromium)) func analyzeReportRendersFindingsTreeAndLint() throws {
        let result = try Self.analyze(
            "lighttpd/proppatch-protected.http", method: "PROPPATCH", url: "http://127.0.0.1:18083/docs/plain.txt", depth: nil)
        let html = HTMLReport.render(result)
        #expect(!html.contains("http://") || !html.contains("<link"), "no network resources")
        #expect(!html.contains("<script src"))
        let (dom, folder) = try Self.chromium(html, ["--dump-dom"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(dom.contains("<h1>PROPPATCH http://127.0.0.1:18083/docs/plain.txt</h1>"))
        #expect(dom.contains("data-cause=\"permission\""))
        #expect(dom.contains("{DAV:}getetag"))
        #expect(dom.contains("id=\"lint\""))
    }

    @Test(.needs(.chromium)) func treeFoldsWithoutScript() throws {
        let result = try Self.analyze("apache-2.4/propfind-big-depth1.http", url: "http://127.0.0.1:18081/big/")
        let html = HTMLReport.render(result)
        #expect(html.contains("<details open><summary><code>/big/</code>"))
        #expect(html.components(separatedBy: "class=\"leaf s-ok\"").count - 1 == 1500)
        let (_, folder) = try Self.chromium(html, ["--screenshot", "--window-size=1200,900"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = try Data(contentsOf: folder.appendingPathComponent("screenshot.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 10_000)
    }

    @Test(.needs(.chromium)) func tenThousandResourcesRender() throws {
        var body = #"<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:">"#
        for index in 0..<10_000 {
            let status = index % 97 == 0 ? "403 Forbidden" : "200 OK"
            body += "<D:response><D:href>/big/dir\(index / 1000)/file-\(index).txt</D:href><D:status>HTTP/1.1 \(status)</D:status></D:response>"
        }
        body += "</D:multistatus>"
        var reader = CaptureReader(bytes: Array(body.utf8))
        let result = try Analysis.run(reader: &reader, request: RequestOverrides(url: "http://127.0.0.1:8080/big/", depth: "infinity"))
        let (dom, folder) = try Self.chromium(HTMLReport.render(result), ["--dump-dom"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(dom.contains("data-cause=\"permission\""))
        #expect(dom.components(separatedBy: "class=\"leaf ").count - 1 == 10_000)
    }

    @Test(.needs(.chromium)) func diffReport() throws {
        var before = try CaptureReader(path: Fixtures.url("captures/diff-before.http").path)
        var after = try CaptureReader(path: Fixtures.url("captures/diff-regressed.http").path)
        let old = try ResourceStates(reader: &before, request: RequestOverrides(url: "http://127.0.0.1:8080/docs/"))
        let new = try ResourceStates(reader: &after, request: RequestOverrides(url: "http://127.0.0.1:8080/docs/"))
        let diff = ResultDiff(before: old, after: new)
        let html = HTMLReport.render(
            diff: diff, before: DiffReport.side(old, source: "before.http"), after: DiffReport.side(new, source: "after.http"))
        let (dom, folder) = try Self.chromium(html, ["--dump-dom"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(dom.contains("<tr class=\"c-regressed\"><td><code>/docs/a.txt</code></td>"))
        #expect(dom.contains("<tr class=\"c-fixed\"><td><code>/docs/private</code></td>"))
    }

    @Test func textIsEscaped() {
        let finding = Finding(cause: .path, title: "<script>alert(1)</script>", resources: ["/a&b<c>"])
        var reader = CaptureReader(bytes: Array("HTTP/1.1 404 Not Found\r\n\r\n".utf8))
        var result = try! Analysis.run(reader: &reader, request: RequestOverrides(url: "http://x/<y>"))
        result.findings = [finding]
        let html = HTMLReport.render(result)
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("/a&amp;b&lt;c&gt;"))
    }
}
