import Hummingbird

/// The per-request state Hummingbird hands the responder.
public struct DAVRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// Bodies are streamed by the handlers, which enforce the server's own limit.
    public var maxUploadSize: Int { .max }
}
