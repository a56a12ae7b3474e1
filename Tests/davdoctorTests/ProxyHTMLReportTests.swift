import DAVTesting
import Foundation
import Testing

/// `davdoctor proxy --format html` opened in headless Chromium (Debian's `chromium`), as the analyze, check
/// and diff reports are: the page (both sides of the comparison, the proxy finding with its mapping, the
/// tree of what came through the proxy) is pinned by a snapshot, and it must render.
struct ProxyHTMLReportTests {
    /// Runs Chromium on `html` with `arguments`; returns what it printed and its folder (remove it after).
    func chromium(_ html: String, _ arguments: [String]) throws -> (output: String, folder: String) {
        let folder = try Processes.temporaryDirectory("proxy-html")
        try html.write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
        let output = try Processes.run(
            try Need.executable("chromium"),
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=\(folder)/profile",
            ] + arguments + ["file://\(folder)/report.html"])
        return (output, folder)
    }

    @Test(.needs(.chromium)) func strippedPrefixPageShowsBothSidesAndTheMapping() throws {
        let lab = try ProxyCommandTests.LabRun("proxy-prefix-stripped")
        defer { lab.stop() }
        try #require(!lab.via.isEmpty && !lab.direct.isEmpty, "the lab printed no URLs")
        let run = try DavDoctorBinary.run([
            "proxy", "--direct", lab.direct + "docs/", "--via", lab.via + "docs/", "--user", "alice:alice-pw", "--format", "html",
        ])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(!run.stdout.contains("<script src") && !run.stdout.contains("<link"), "no network resources")

        // The wording, with what changes on every run named instead: the lab's ports, and the body's size
        // (its ETags and dates are the fresh tree's).
        let page = run.stdout.replacingOccurrences(of: lab.via, with: "http://VIA/").replacingOccurrences(of: lab.direct, with: "http://DIRECT/")
            .replacingOccurrences(of: #", [0-9]+ bytes"#, with: ", N bytes", options: .regularExpression)
        try AnalyzeCommandTests.expectSnapshot(page, "proxy-command-prefix-stripped.html")

        let (dom, folder) = try chromium(run.stdout, ["--dump-dom"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(dom.components(separatedBy: "data-cause=\"proxy\"").count - 1 >= 1, "the browser built no proxy finding")
        #expect(dom.contains("<summary><code>/docs/</code>"), "the browser built no tree")

        let (_, shot) = try chromium(run.stdout, ["--screenshot=\(folder)/proxy.png", "--window-size=1200,900"])
        defer { try? FileManager.default.removeItem(atPath: shot) }
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/proxy.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(png.count > 10_000)
    }
}
