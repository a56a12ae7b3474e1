import DAVCore

/// Everything a rule may look at: the request, the response head, what the collector kept, the server.
public struct RuleInput: Sendable {
    public var context: AnalysisContext
    public var head: ResponseHead?
    public var server: ServerProfile
    public var collector: ResponseCollector?
    public var bodyInfo: CaptureReader.BodyInfo?
    /// A non-multistatus body's `<D:error>` element, when it had one.
    public var errorBody: XMLElement?
    /// The start of a non-multistatus body, as text (HTML error pages).
    public var bodyExcerpt: String

    /// The failing resources with these codes, from the collector.
    func failing(_ codes: Set<Int>) -> [ResourceRecord] {
        collector?.failing.filter { codes.contains($0.status ?? 0) } ?? []
    }

    func count(_ code: Int) -> Int { collector?.byStatus[code] ?? 0 }
}

/// A rule looks at one kind of evidence and returns findings; rules are pure and run in a fixed order.
protocol Rule {
    static func findings(_ input: RuleInput) -> [Finding]
}

/// Shared wording.
public enum Wording {
    public static func resources(_ count: Int) -> String { count == 1 ? "1 resource" : "\(count) resources" }

    public static func list(_ paths: [String], limit: Int = 3) -> String {
        let shown = paths.prefix(limit).joined(separator: ", ")
        return paths.count > limit ? "\(shown) and \(paths.count - limit) more" : shown
    }

    public static func status(_ code: Int) -> String { "\(code) \(HTTPStatus.reason(for: code))" }
}
