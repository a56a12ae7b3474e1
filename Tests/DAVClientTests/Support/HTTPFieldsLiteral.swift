import DAVCore

enum HTTPFieldsLiteral {
    /// A header value with a line break: header injection, which must be refused before sending.
    static var injected: HTTPFields { HTTPFields([("X-Test", "a\r\nInjected: yes")]) }
}
