import DAVCore
import Diagnosis

/// Renders a report as one self-contained HTML page: no network resources, no script needed for the
/// essentials (the tree folds with `<details>`, which keyboards and screen readers handle), readable in print.
public enum HTMLReport {
    /// A finding lists this many of its resources; the rest are counted.
    static let resourcesShown = 20

    public static func render(_ result: AnalysisResult, title: String = "davdoctor report") -> String {
        analysisPage(result, title: title).finish()
    }

    /// A live check: the analysis, then every probe sent (and as whom), then the client needs when asked.
    public static func render(check result: CheckResult) -> String {
        var page = analysisPage(result.analysis, title: "davdoctor check")
        let probes = result.probes.map { outcome -> [String] in
            let who = outcome.probe.identity == .user ? "you" : outcome.probe.identity == .anonymous ? "anonymous" : "second user"
            let answer = outcome.head.map { "\($0.status) \(HTTPStatus.reason(for: $0.status))" } ?? "failed: \(outcome.failure ?? "?")"
            return [outcome.probe.method, outcome.probe.url, who, answer, "\(outcome.milliseconds)", outcome.probe.purpose]
        }
        if !probes.isEmpty {
            let heading = result.probes.allSatisfy(\.probe.isSafe) ? "Probes (read-only)" : "Probes (writes only inside a scratch collection)"
            page.table(id: "probes", heading: heading, columns: ["method", "URL", "as", "answer", "ms", "why"], rows: probes)
        }
        if !result.clientOutcomes.isEmpty {
            let rows = CheckReport.needs(result).map { need -> [String] in
                [Client(rawValue: need.client)?.displayName ?? need.client, need.need, need.verdict, need.detail, need.source]
            }
            page.table(id: "clients", heading: "Client needs", columns: ["client", "need", "verdict", "why", "source"], rows: rows)
        }
        return page.finish()
    }

    /// A transcript (HAR, rclone log): one part per WebDAV exchange, in order.
    public static func render(transcript: TranscriptAnalysis, source: String) -> String {
        var page = HTMLPage(title: "davdoctor report")
        page.header(heading: "\(source) (\(transcript.format.rawValue))", lines: TextReport.transcriptSummary(transcript) + transcript.notes)
        for item in transcript.items {
            let request = item.result.context.request
            page.beginExchange(
                id: "entry-\(item.entry)",
                heading: "Entry \(item.entry): \(request.method) \(request.url.isEmpty ? "(URL not given)" : request.url)",
                lines: summaryLines(item.result))
            exchangeSections(item.result, into: &page)
            page.endExchange()
        }
        return page.finish()
    }

    static func analysisPage(_ result: AnalysisResult, title: String) -> HTMLPage {
        var page = HTMLPage(title: title)
        let request = result.context.request
        page.header(
            heading: "\(request.method) \(request.url.isEmpty ? "(URL not given)" : request.url)",
            lines: summaryLines(result))
        exchangeSections(result, into: &page)
        return page
    }

    /// Findings, the resource tree and lint of one answer.
    static func exchangeSections(_ result: AnalysisResult, into page: inout HTMLPage) {
        page.findings(result.findings, notes: result.notes)
        if let collector = result.collector {
            page.tree(collector: collector, root: result.context.urlKnown ? result.context.requestPath : nil)
        }
        if !result.lint.isEmpty { page.lint(result.lint) }
    }

    public static func render(diff: ResultDiff, before: DiffReport.Side, after: DiffReport.Side) -> String {
        var page = HTMLPage(title: "davdoctor diff")
        page.header(
            heading: "\(after.method) \(after.url.isEmpty ? before.url : after.url)",
            lines: [
                "before: \(before.source) — \(before.status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"), \(before.resources) resources",
                "after: \(after.source) — \(after.status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"), \(after.resources) resources",
            ])
        page.diff(diff)
        return page.finish()
    }

    static func summaryLines(_ result: AnalysisResult) -> [String] {
        var lines: [String] = []
        if let head = result.head { lines.append(head.statusLine) }
        if result.server.kind != .unknown {
            lines.append("\(result.server.kind.displayName)\(result.server.evidence.map { " (\($0))" } ?? "")")
        }
        if let collector = result.collector {
            let counts = collector.byStatus.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key == 0 ? "no status" : Wording.status($0.key))" }
            lines.append("\(collector.responseCount) response\(collector.responseCount == 1 ? "" : "s"): " + counts.joined(separator: ", "))
        }
        return lines
    }
}

/// Builds the page piece by piece; every text goes through ``escape(_:)``.
struct HTMLPage {
    private var body = ""
    let title: String
    /// Put before every id, so that several exchanges' sections can share one page.
    var idPrefix = ""

    init(title: String) { self.title = title }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func statusClass(_ code: Int?) -> String {
        guard let code else { return "s-none" }
        switch code {
        case 200..<300: return "s-ok"
        case 300..<400, 424: return "s-warn"
        default: return "s-fail"
        }
    }

    static func badge(_ code: Int?) -> String {
        let text = code.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"
        return "<span class=\"badge \(statusClass(code))\">\(escape(text))</span>"
    }

    mutating func header(heading: String, lines: [String]) {
        body += "<header><h1>\(Self.escape(heading))</h1>"
        for line in lines { body += "<p class=\"summary\">\(Self.escape(line))</p>" }
        body += "</header>\n"
    }

    mutating func findings(_ findings: [Finding], notes: [String]) {
        body += "<section id=\"\(idPrefix)findings\" aria-labelledby=\"\(idPrefix)findings-h\"><h2 id=\"\(idPrefix)findings-h\">Findings</h2>\n"
        if findings.isEmpty {
            body += "<p class=\"clean\">No findings: every resource answered as it should.</p>\n"
        } else {
            body += "<ol class=\"findings\">\n"
            for finding in findings {
                body += "<li class=\"finding l-\(finding.likelihood.rawValue)\" data-cause=\"\(finding.cause.rawValue)\">"
                body +=
                    "<h3><span class=\"cause\">\(finding.cause.rawValue)</span> <span class=\"likelihood\">\(finding.likelihood.rawValue)</span> \(Self.escape(finding.title))</h3>"
                if !finding.resources.isEmpty {
                    let shown = finding.resources.prefix(HTMLReport.resourcesShown).map { "<code>\(Self.escape($0))</code>" }.joined(separator: ", ")
                    let listed = min(HTMLReport.resourcesShown, finding.resources.count)
                    let more = finding.resourceCount > listed ? " (\(finding.resourceCount) in all)" : ""
                    body += "<p class=\"resources\">Resources: \(shown)\(more)</p>"
                }
                if !finding.evidence.isEmpty {
                    body += "<h4>Evidence</h4><ul class=\"evidence\">" + finding.evidence.map { "<li>\(Self.escape($0))</li>" }.joined() + "</ul>"
                }
                if !finding.fixes.isEmpty {
                    body +=
                        "<h4>Fixes</h4><ul class=\"fixes\">"
                        + finding.fixes.map {
                            "<li><span class=\"difficulty d-\($0.difficulty.rawValue)\">\($0.difficulty.rawValue)</span> \(Self.escape($0.action))</li>"
                        }.joined() + "</ul>"
                }
                body += "</li>\n"
            }
            body += "</ol>\n"
        }
        for note in notes { body += "<p class=\"note\">Note: \(Self.escape(note))</p>\n" }
        body += "</section>\n"
    }

    /// A plain table section; every cell is escaped text.
    mutating func table(id: String, heading: String, columns: [String], rows: [[String]]) {
        body +=
            "<section id=\"\(idPrefix)\(id)\" aria-labelledby=\"\(idPrefix)\(id)-h\"><h2 id=\"\(idPrefix)\(id)-h\">\(Self.escape(heading))</h2><table><thead><tr>"
        body += columns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows {
            body += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n"
        }
        body += "</tbody></table></section>\n"
    }

    mutating func lint(_ lint: [LintFinding]) {
        body +=
            "<section id=\"\(idPrefix)lint\" aria-labelledby=\"\(idPrefix)lint-h\"><h2 id=\"\(idPrefix)lint-h\">RFC lint</h2><table><thead><tr><th>rule</th><th>section</th><th>count</th><th>first</th><th>breaks</th></tr></thead><tbody>\n"
        for item in lint {
            body +=
                "<tr><td><code>\(Self.escape(item.rule.id))</code></td><td>\(Self.escape(item.rule.section))</td><td>\(item.count)</td><td>\(Self.escape(item.message))</td><td>\(Self.escape(item.rule.breaks))</td></tr>\n"
        }
        body += "</tbody></table></section>\n"
    }

    mutating func tree(collector: ResponseCollector, root: String?) {
        let records = collector.responseCount <= TreeRecords.limit ? collector.records : collector.failing
        body += "<section id=\"\(idPrefix)tree\" aria-labelledby=\"\(idPrefix)tree-h\"><h2 id=\"\(idPrefix)tree-h\">Resources</h2>\n"
        if records.count < collector.responseCount {
            body += "<p class=\"note\">\(collector.responseCount - records.count) healthy resources are not listed: the answer is large.</p>\n"
        }
        let tree = ResourceTree(records: records, hidden: 0, root: root)
        body += "<ul class=\"tree\">"
        renderNode(tree.root, label: tree.rootPath, depth: 0)
        body += "</ul></section>\n"
    }

    private mutating func renderNode(_ node: ResourceTree.Node, label: String, depth: Int) {
        let record = node.record
        var line = "<code>\(Self.escape(label))</code> " + (record.map { Self.badge($0.status) } ?? "")
        if let record {
            let failed = record.properties.filter { ($0.status ?? 0) != 404 && !(200..<300).contains($0.status ?? 0) }
            if !failed.isEmpty {
                line +=
                    " <span class=\"props\">" + failed.prefix(8).map { "\(Self.escape($0.name)) \(Self.badge($0.status))" }.joined(separator: " ")
                    + "</span>"
            }
            if !record.conditions.isEmpty {
                line += " <span class=\"cond\">" + record.conditions.map(Self.escape).joined(separator: ", ") + "</span>"
            }
            let absent = record.properties.filter { $0.status == 404 }
            if !absent.isEmpty {
                line +=
                    " <span class=\"absent\" title=\"404 propstat: the property is absent, not the resource\">absent: "
                    + absent.prefix(6).map { Self.escape($0.name) }.joined(separator: ", ") + "</span>"
            }
        }
        let children = node.order.sorted().compactMap { node.children[$0] }
        if children.isEmpty {
            body += "<li class=\"leaf \(HTMLPage.statusClass(record?.status))\">\(line)</li>"
            return
        }
        let open = depth < 1 || node.hasFailure ? " open" : ""
        body +=
            "<li class=\"node \(HTMLPage.statusClass(record?.status))\"><details\(open)><summary>\(line) <span class=\"count\">\(children.count) member\(children.count == 1 ? "" : "s")</span></summary><ul>"
        for child in children { renderNode(child, label: child.name, depth: depth + 1) }
        body += "</ul></details></li>"
    }

    mutating func diff(_ diff: ResultDiff) {
        body +=
            "<section id=\"\(idPrefix)diff\" aria-labelledby=\"\(idPrefix)diff-h\"><h2 id=\"\(idPrefix)diff-h\">Before and after</h2><p class=\"summary\">"
        body += ResultDiff.Change.allCases.map { "<span class=\"chg c-\($0.rawValue)\">\(diff.count($0)) \($0.rawValue)</span>" }.joined(
            separator: " · ")
        body += "</p><table class=\"diff\"><thead><tr><th>resource</th><th>before</th><th>after</th><th>change</th></tr></thead><tbody>\n"
        for entry in diff.entries where entry.change != .unchanged {
            body += "<tr class=\"c-\(entry.change.rawValue)\"><td><code>\(Self.escape(entry.path))</code></td>"
            body += "<td>\(entry.before.map { Self.escape($0.summary) } ?? "—")</td><td>\(entry.after.map { Self.escape($0.summary) } ?? "—")</td>"
            body += "<td>\(entry.change.rawValue)</td></tr>\n"
        }
        body += "</tbody></table>"
        let unchanged = diff.entries.filter { $0.change == .unchanged }
        if !unchanged.isEmpty {
            body +=
                "<details><summary>\(unchanged.count) unchanged</summary><ul>"
                + unchanged.prefix(2000).map { "<li><code>\(Self.escape($0.path))</code> \(Self.escape($0.after?.summary ?? ""))</li>" }.joined()
                + "</ul></details>"
        }
        body += "</section>\n"
    }

    /// Opens one exchange's part of a page that holds several (a HAR session).
    mutating func beginExchange(id: String, heading: String, lines: [String]) {
        idPrefix = id + "-"
        body += "<article id=\"\(id)\" class=\"exchange\">"
        header(heading: heading, lines: lines)
    }

    mutating func endExchange() {
        body += "</article>\n"
        idPrefix = ""
    }

    func finish() -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Self.escape(title))</title>
        <style>\(Self.style)</style></head>
        <body><main>
        \(body)</main>
        <footer><p>Written by davdoctor \(DavDoctorVersion.number). Fold and unfold collections with Enter or Space on their line.</p></footer>
        <script>addEventListener('beforeprint',()=>document.querySelectorAll('details').forEach(d=>d.open=true))</script>
        </body></html>

        """
    }

    static let style = """
        :root{--ok:#1a7f37;--warn:#9a6700;--fail:#cf222e;--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0}
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0}
        main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
        h1{font-size:1.35rem;margin:.5rem 0;word-break:break-all}h2{font-size:1.15rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:1.6rem}
        h3{font-size:1rem;margin:.2rem 0}h4{font-size:.85rem;margin:.5rem 0 .1rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        .summary{margin:.15rem 0;color:var(--muted)}code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
        .findings{padding-left:1.4rem}.finding{margin:.8rem 0;padding:.6rem .8rem;border:1px solid var(--line);border-left:4px solid var(--muted);border-radius:6px}
        .l-high{border-left-color:var(--fail)}.l-medium{border-left-color:var(--warn)}.l-low{border-left-color:var(--muted)}
        .cause,.likelihood,.difficulty,.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:0 .45em;border-radius:1em;border:1px solid currentColor;vertical-align:1px}
        .cause{color:#0550ae}.likelihood{color:var(--muted)}.l-high .likelihood{color:var(--fail)}.l-medium .likelihood{color:var(--warn)}
        .d-easy{color:var(--ok)}.d-medium{color:var(--warn)}.d-hard{color:var(--fail)}
        .s-ok .badge,.badge.s-ok{color:var(--ok)}.badge.s-warn{color:var(--warn)}.badge.s-fail{color:var(--fail)}.badge.s-none{color:var(--muted)}
        .tree,.tree ul{list-style:none;padding-left:1.1rem;margin:0}.tree li{margin:.1rem 0}summary{cursor:pointer}
        summary:focus-visible{outline:2px solid #0969da;outline-offset:2px}.count,.absent{color:var(--muted);font-size:.8rem}.cond{color:var(--fail);font-size:.8rem}
        .props{font-size:.8rem}.clean{color:var(--ok);font-weight:600}.note{color:var(--muted)}
        table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border-bottom:1px solid var(--line);padding:.25rem .4rem;text-align:left;vertical-align:top}
        tr.c-fixed td:last-child,.c-fixed{color:var(--ok)}tr.c-regressed td:last-child,.c-regressed{color:var(--fail)}tr.c-still-failing td:last-child,.c-still-failing{color:var(--warn)}
        footer{max-width:72rem;margin:1rem auto;padding:0 1.5rem;color:var(--muted);font-size:.8rem}
        @media print{body{font-size:11pt}main{max-width:none}.finding{break-inside:avoid}footer{display:none}}
        @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--line:#3d444d;--ok:#3fb950;--warn:#d29922;--fail:#f85149}.cause{color:#58a6ff}}
        """
}
