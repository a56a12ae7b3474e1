/// Every bound the XML reader enforces, in one place. Each breach ends the parse with a ``DAVCoreError``
/// that names the limit, so a hostile or broken body costs bounded time and memory.
///
/// DTDs are never read (a `<!DOCTYPE` is refused outright), so external entities are never loaded and
/// no entity can expand; only the five predefined entities and character references are decoded.
public struct XMLLimits: Sendable, Hashable {
    /// Deepest element nesting accepted.
    public var maxDepth: Int = 256
    /// Longest element or attribute name (prefix included), in bytes.
    public var maxNameBytes: Int = 1024
    /// Largest single text node, in bytes.
    public var maxTextBytes: Int = 8 << 20
    /// Largest single tag (name plus attributes), in bytes.
    public var maxTagBytes: Int = 256 << 10
    /// Most attributes on one element.
    public var maxAttributes: Int = 256
    /// Most distinct names (elements, attributes, namespaces) in one document.
    public var maxDistinctNames: Int = 200_000
    /// Largest whole document, in bytes; nil means unbounded (streaming keeps memory flat anyway).
    public var maxDocumentBytes: Int? = nil
    /// Largest single `<response>` kept in memory, in bytes of its source text.
    public var maxResponseBytes: Int = 32 << 20

    public init() {}

    /// Limits for request bodies a server accepts (PROPFIND, PROPPATCH, LOCK): small and shallow.
    public static var requestBody: XMLLimits {
        var limits = XMLLimits()
        limits.maxDepth = 64
        limits.maxTextBytes = 1 << 20
        limits.maxDocumentBytes = 4 << 20
        limits.maxDistinctNames = 10_000
        return limits
    }
}
