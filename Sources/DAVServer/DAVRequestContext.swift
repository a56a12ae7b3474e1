import Hummingbird
import NIOCore

/// The per-request state Hummingbird hands the responder.
public struct DAVRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on: where a large GET body's file region is filed for
    /// (``FileRegionHandoff``).
    let channel: any Channel

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Bodies are streamed by the handlers, which enforce the server's own limit.
    public var maxUploadSize: Int { .max }
}
