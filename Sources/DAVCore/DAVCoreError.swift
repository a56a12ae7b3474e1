/// Why DAVCore could not read or write something: a stable code for callers to switch on and a
/// one-line message that says what went wrong and, where it helps, what to do about it.
public struct DAVCoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case emptyInput
        case notXML
        case malformedXML
        case truncated
        case doctypeRefused
        case undefinedEntity
        case unboundPrefix
        case limitExceeded
        case notMultiStatus
        case invalidResponseShape
        case malformedCapture
        case unsupportedEncoding
        case io
    }

    public var code: Code
    public var message: String
    /// Byte offset in the input where the problem was seen, when known.
    public var offset: Int?

    public init(_ code: Code, _ message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        if let offset { return "\(message) (at byte \(offset))" }
        return message
    }

    static func limit(_ what: String, _ limit: Int, offset: Int? = nil) -> DAVCoreError {
        DAVCoreError(.limitExceeded, "XML \(what) exceeds the limit of \(limit)", offset: offset)
    }
}
