import DAVCore

/// Whether a PROPPATCH that answered 207 with every property 200 really stored them: a read of the same
/// properties (PROPFIND Depth 0) right after it. SabreDAV 1.8 answers 200 for a property whose storage file it
/// could not write (its short write on a full disk goes unchecked); a read shows the property missing. Why it
/// was not kept is then told by the free space of the collection (the quota probe that every write gets).
enum PropertyEffect {
    /// One property the PROPPATCH set (with the text it set, when its value is text) or removed.
    struct Change: Equatable {
        var name: QualifiedName
        var value: String?
        var removed: Bool
    }

    /// The changes a PROPPATCH body asks for, in order; empty when the body is not a propertyupdate.
    static func changes(_ body: [UInt8]?) -> [Change] {
        guard let body, let root = try? XMLTreeParser.parse(body, limits: .requestBody, strict: false).root, root.name == DAV.propertyupdate else {
            return []
        }
        var changes: [Change] = []
        for operation in root.elements where operation.name == DAV.set || operation.name == DAV.remove {
            for prop in operation.children(named: DAV.prop) {
                for property in prop.elements {
                    let simple = property.elements.isEmpty
                    changes.append(
                        Change(
                            name: property.name, value: simple ? property.text.trimmingASCIIWhitespace() : nil, removed: operation.name == DAV.remove)
                    )
                }
            }
        }
        return changes
    }

    /// The PROPFIND body naming the properties, each declared with its own namespace.
    static func readBack(_ changes: [Change]) -> [UInt8] {
        var names = ""
        for (index, change) in changes.prefix(20).enumerated() {
            let namespace = change.name.namespace.replacing("&", with: "&amp;").replacing("\"", with: "&quot;").replacing("<", with: "&lt;")
            names += namespace.isEmpty ? "<\(change.name.name) xmlns=\"\"/>" : "<p\(index):\(change.name.name) xmlns:p\(index)=\"\(namespace)\"/>"
        }
        return Array(#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>\#(names)</D:prop></D:propfind>"#.utf8)
    }

    /// Whether the PROPPATCH said every change took: a 207 with nothing failing.
    static func claimedSuccess(_ analysis: AnalysisResult) -> Bool {
        guard analysis.context.method == "PROPPATCH", analysis.status == 207, let collector = analysis.collector else { return false }
        return collector.responseCount > 0 && collector.failingCount == 0 && collector.failedProperties.isEmpty
    }

    /// A finding when the read shows a change the server said it made, but did not. `space`: the quota probe's outcome.
    static func finding(_ analysis: AnalysisResult, readBack outcome: ProbeOutcome, space: ProbeOutcome?) -> Finding? {
        guard claimedSuccess(analysis), let response = outcome.multistatus?.responses.first else { return nil }
        let path = analysis.context.requestPath
        var lost: [String] = []
        for change in changes(analysis.context.request.body).prefix(20) {
            var status: Int?
            var text: String?
            for propstat in response.propstats {
                if let property = propstat.properties.first(where: { $0.name == change.name }) {
                    status = propstat.status?.code
                    text = property.text.trimmingASCIIWhitespace()
                }
            }
            guard let status else { continue }
            if change.removed {
                if (200..<300).contains(status) { lost.append("\(change.name) is still there") }
            } else if status == 404 {
                lost.append("\(change.name) is not there (404)")
            } else if (200..<300).contains(status), let value = change.value, let text, text != value {
                lost.append("\(change.name) reads \"\(text.prefix(60))\", not the \"\(value.prefix(60))\" set")
            }
        }
        guard !lost.isEmpty else { return nil }
        let signs = [Sign("proppatch-not-stored", subject: path, value: String(lost.count))]
        var evidence = [
            "the PROPPATCH answered 207 with every property 200, yet a PROPFIND of them right after says " + Wording.list(lost)
                + ": the server did not keep what it said it stored"
        ]
        let available = space?.multistatus?.responses.first?.value(of: DAV.quotaAvailableBytes)?.text.trimmingASCIIWhitespace()
        if let available, let bytes = Int64(available), bytes < 4096, let collection = space.map({ Href($0.probe.url).displayPath }) {
            evidence.append(
                "\(collection) reports quota-available-bytes \(bytes): no room for the file that holds the properties (a server that checks its writes answers 507 Insufficient Storage)"
            )
            var finding = Finding(
                cause: .storage, likelihood: .high, signs: signs,
                title: "the properties of \(path) were not stored: no room left (\(bytes) bytes free)",
                resources: [path], evidence: evidence, fixes: FixBook.storage(server: analysis.server.kind), status: 207)
            finding.because = evidence[1]
            return finding
        }
        evidence.append(
            available.map { "the collection still reports \($0) bytes free: room is not what failed" }
                ?? "the server reports no free space to compare with")
        return Finding(
            cause: .permission, likelihood: .medium, signs: signs,
            title: "the properties of \(path) were not stored, though the server said so",
            resources: [path],
            evidence: evidence + [
                "a property store the server cannot write (a read-only mount, a folder its user may not write) fails this silently on servers that do not check their writes"
            ],
            fixes: FixBook.unwritableStorage(path: URLPath.parent(of: URLPath.withoutTrailingSlash(path)), server: analysis.server.kind), status: 207)
    }
}
