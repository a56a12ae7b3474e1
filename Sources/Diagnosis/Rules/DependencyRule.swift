import DAVCore

/// 424 Failed Dependency is never a cause of its own: it points at the failure it waited on. This rule
/// finds that failure (a failing member inside the 424 collection, or a failing property of the same
/// response) and adds the 424s to its finding as evidence.
enum DependencyRule {
    static func attach(_ findings: [Finding], _ input: RuleInput) -> [Finding] {
        guard let collector = input.collector else { return findings }
        var findings = findings
        let dependents = collector.failing.filter { $0.status == 424 }
        let propertyDependents = collector.failedProperties.filter { $0.key.status == 424 }
        for record in dependents {
            let cause = collector.failing.first { $0.status != 424 && $0.path != record.path && URLPath.isWithin($0.path, record.path) }
            if let cause,
                let index = findings.firstIndex(where: {
                    $0.resources.contains(cause.path) || $0.resources.contains { URLPath.isWithin(cause.path, $0) }
                })
            {
                findings[index].evidence.append(
                    "\(record.path) answered 424 Failed Dependency because \(cause.path) answered \(Wording.status(cause.status ?? 0))")
                findings[index].signs.append(Sign("failed-dependency", subject: record.path, value: cause.path))
            } else {
                findings.append(unexplained(record.path, input))
            }
        }
        if !propertyDependents.isEmpty {
            let names = propertyDependents.keys.map(\.name.description).sorted()
            let count = propertyDependents.values.reduce(0) { $0 + $1.count }
            let failedOthers = collector.failedProperties.filter { $0.key.status != 424 }.keys.map { "\($0.name) (\($0.status))" }.sorted()
            if let index = findings.firstIndex(where: { $0.cause != .payload }), !failedOthers.isEmpty {
                findings[index].evidence.append(
                    "\(count) other propert\(count == 1 ? "y" : "ies") (\(Wording.list(names))) answered 424 Failed Dependency: PROPPATCH is all-or-nothing, and \(Wording.list(failedOthers)) failed"
                )
            } else {
                findings.append(unexplained(Wording.list(names), input))
            }
        }
        return findings
    }

    private static func unexplained(_ what: String, _ input: RuleInput) -> Finding {
        Finding(
            cause: .payload, likelihood: .low, title: "424 Failed Dependency with no failure to depend on",
            resources: [what],
            evidence: ["\(what) answered 424, but nothing else in the answer failed: the server does not say what the dependency was"],
            fixes: [Fix("Retry the operation alone on the failing resource to see its own status", .easy)], status: 424)
    }
}
