import DAVCore
import Diagnosis

/// The resources of an answer as an indented tree under the request path, failures always shown,
/// healthy members of large collections counted rather than listed.
struct ResourceTree {
    final class Node {
        var name: String
        var record: ResourceRecord?
        var children: [String: Node] = [:]
        var order: [String] = []
        init(name: String) { self.name = name }

        func child(_ name: String) -> Node {
            if let existing = children[name] { return existing }
            let node = Node(name: name)
            children[name] = node
            order.append(name)
            return node
        }

        var hasFailure: Bool {
            if let status = record?.status, !(200..<300).contains(status) { return true }
            return children.values.contains { $0.hasFailure }
        }
    }

    let root: Node
    let rootPath: String
    let hiddenHealthy: Int

    init(collector: ResponseCollector, root requestPath: String?) {
        let records = collector.responseCount <= TreeRecords.limit ? collector.records : collector.failing
        self.init(records: records, hidden: collector.responseCount - records.count, root: requestPath)
    }

    init(records: [ResourceRecord], hidden: Int, root requestPath: String?) {
        hiddenHealthy = hidden
        let base =
            requestPath.flatMap { path in records.allSatisfy { URLPath.isWithin($0.path, path) } ? path : nil }
            ?? Self.commonAncestor(records.map(\.path))
        let single =
            records.count == 1 && !records[0].isCollection && URLPath.withoutTrailingSlash(records[0].path) == URLPath.withoutTrailingSlash(base)
        rootPath = single ? records[0].path : (URLPath.withoutTrailingSlash(base) == "/" ? "/" : URLPath.withoutTrailingSlash(base) + "/")
        root = Node(name: rootPath)
        for record in records {
            let trimmed = URLPath.withoutTrailingSlash(record.path)
            if trimmed == URLPath.withoutTrailingSlash(rootPath) {
                root.record = record
                continue
            }
            let relative = rootPath == "/" ? String(trimmed.dropFirst()) : String(trimmed.dropFirst(min(trimmed.count, rootPath.count)))
            var node = root
            let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
            for (index, part) in parts.enumerated() {
                node = node.child(String(part) + (index < parts.count - 1 || record.isCollection ? "/" : ""))
            }
            node.record = record
        }
    }

    static func commonAncestor(_ paths: [String]) -> String {
        guard var prefix = paths.first.map({ URLPath.withoutTrailingSlash($0) }) else { return "/" }
        for path in paths.dropFirst() {
            while !URLPath.isWithin(path, prefix) { prefix = URLPath.withoutTrailingSlash(URLPath.parent(of: prefix)) }
        }
        return prefix
    }

    func render(healthyPerCollection: Int, paint: (String, Int?) -> String) -> [String] {
        var lines: [String] = []
        let rootLabel = root.record.map { "\(rootPath)  " + statusText($0, paint) } ?? rootPath
        lines.append(rootLabel)
        walk(root, prefix: "", limit: healthyPerCollection, paint: paint, into: &lines)
        if hiddenHealthy > 0 { lines.append("(\(hiddenHealthy) healthy resources not listed: the answer is large)") }
        return lines
    }

    private func walk(_ node: Node, prefix: String, limit: Int, paint: (String, Int?) -> String, into lines: inout [String]) {
        var shown: [Node] = []
        var hidden = 0
        var healthyShown = 0
        for name in node.order.sorted() {
            let child = node.children[name]!
            if child.hasFailure || healthyShown < limit {
                shown.append(child)
                if !child.hasFailure { healthyShown += 1 }
            } else {
                hidden += 1
            }
        }
        for (index, child) in shown.enumerated() {
            let last = index == shown.count - 1 && hidden == 0
            let label = child.record.map { "\(child.name)  " + statusText($0, paint) } ?? child.name
            lines.append(prefix + (last ? "└── " : "├── ") + label)
            walk(child, prefix: prefix + (last ? "    " : "│   "), limit: limit, paint: paint, into: &lines)
        }
        if hidden > 0 { lines.append(prefix + "└── … \(hidden) more, all 2xx") }
    }

    private func statusText(_ record: ResourceRecord, _ paint: (String, Int?) -> String) -> String {
        guard let status = record.status else { return paint("no status", 0) }
        var text = paint(Wording.status(status), status)
        let failedProps = record.properties.filter { ($0.status ?? 0) != 404 && !(200..<300).contains($0.status ?? 0) }
        if !failedProps.isEmpty {
            text += "  (" + failedProps.prefix(4).map { "\($0.name) \($0.status ?? 0)" }.joined(separator: ", ") + ")"
        }
        if !record.conditions.isEmpty {
            text += "  [" + record.conditions.joined(separator: ", ") + "]"
        }
        return text
    }
}
