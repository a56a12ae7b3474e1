import Logging

/// Wraps the server's log handler so that metadata is handed to it only when a message is logged.
///
/// Hummingbird sets the request id on its logger's metadata for every request, and swift-log's
/// `StreamLogHandler` formats its whole metadata into a string whenever a key is set: with the default
/// handler every request paid for printing a line that, at the server's log level, is almost never
/// written (and ``ServerExchange`` asked for the id again, formatting it once more). Here the metadata is
/// kept as given and merged into the wrapped handler's at the moment a line is logged, so the line is the
/// same and the request pays only for the dictionary.
struct DeferredMetadataLogHandler: LogHandler {
    private var base: any LogHandler
    var metadata: Logger.Metadata

    init(wrapping base: any LogHandler) {
        var base = base
        self.metadata = base.metadata
        if !base.metadata.isEmpty { base.metadata = [:] }
        self.base = base
    }

    var logLevel: Logger.Level {
        get { base.logLevel }
        set { base.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { base.metadataProvider }
        set { base.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var handler = base
        if !metadata.isEmpty { handler.metadata = metadata }
        handler.log(event: event)
    }
}

extension Logger {
    /// The same logger, its metadata kept aside until a line is logged (``DeferredMetadataLogHandler``).
    func deferringMetadata() -> Logger {
        if handler is DeferredMetadataLogHandler { return self }
        let handler = DeferredMetadataLogHandler(wrapping: self.handler)
        return Logger(label: label) { _ in handler }
    }
}
