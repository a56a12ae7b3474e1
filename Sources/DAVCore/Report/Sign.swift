/// One reason for a finding, or what a note says, as data: a stable kind (`multiget-other-collection`,
/// `response-body-missing`) and what it is about, so that scripts and tests never read the prose beside it.
/// The JSON report carries them as they are; their kinds are only ever added to, never renamed. In DAVCore
/// because the transcript readers, below Diagnosis, give their notes kinds too.
public struct Sign: Sendable, Hashable, Codable {
    public var kind: String
    /// The resource or header it is about.
    public var subject: String?
    /// A value that goes with it (the href as sent, the name found instead).
    public var value: String?

    public init(_ kind: String, subject: String? = nil, value: String? = nil) {
        self.kind = kind
        self.subject = subject
        self.value = value
    }
}
