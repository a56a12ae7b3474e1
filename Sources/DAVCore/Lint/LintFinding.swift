/// What the lint found for one rule: how often, and where (the first few hrefs).
public struct LintFinding: Sendable, Hashable {
    public var rule: LintRule
    /// A message for the first occurrence, with the concrete value (`"HTTP/0.0 200 OK"`).
    public var message: String
    public var count: Int
    /// Up to ``Linter/exampleLimit`` hrefs where it occurs (decoded paths).
    public var examples: [String]
    /// For a fault the XML reader found, its account of the first occurrence (what, at which byte): the
    /// message's values as data.
    public var problem: XMLProblem? = nil
}
