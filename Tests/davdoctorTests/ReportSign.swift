/// A sign as the JSON report carries it (`signs` of a finding, `noteSigns`): what these tests read
/// instead of the report's words, which the snapshot tests pin.
struct ReportSign: Decodable, Hashable, CustomStringConvertible {
    var kind: String
    var subject: String?
    var value: String?

    init(_ kind: String, subject: String? = nil, value: String? = nil) {
        self.kind = kind
        self.subject = subject
        self.value = value
    }

    var description: String { "\(kind)(\(subject ?? "-"), \(value ?? "-"))" }
}

extension Array where Element == ReportSign {
    /// The first sign of `kind`.
    func first(_ kind: String) -> ReportSign? { first { $0.kind == kind } }
}
