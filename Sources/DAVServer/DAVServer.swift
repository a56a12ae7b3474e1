import DAVCore
import Foundation
internal import GRDB
import Hummingbird
import Logging
import NIOCore

/// Builds and runs the WebDAV server: a Hummingbird application around one ``DAVResponder``.
public enum DAVServer {
    /// Opens the persistent stores: dead properties, locks and the change log in `dataDirectory/davdoctor.sqlite`.
    /// The change log keeps at least `changeLogCapacity` entries; sync tokens older than those are refused.
    public static func persistentStores(dataDirectory: String, changeLogCapacity: Int = 100_000) throws
        -> (properties: any PropertyStore, locks: any LockManager, changes: any ChangeLog)
    {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let database = try DatabaseQueue(path: dataDirectory + "/davdoctor.sqlite", configuration: configuration)
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL") }
        return (
            try SQLitePropertyStore(database: database), try SQLiteLockManager(database: database, now: Date().timeIntervalSince1970),
            try SQLiteChangeLog(database: database, capacity: changeLogCapacity)
        )
    }

    /// Runs `app` until it stops (on SIGTERM or SIGINT when `handlesSignals`), its request handlers on
    /// ``BlockingExecutor/shared``: their storage calls then run where they are, without a hop to a pool.
    public static func run(_ app: some ApplicationProtocol, handlesSignals: Bool = true) async throws {
        try await withTaskExecutorPreference(BlockingExecutor.shared) {
            if handlesSignals { try await app.runService() } else { try await app.runService(gracefulShutdownSignals: []) }
        }
    }

    /// An application serving `options` on `host:port` (port 0 picks a free one; `onListening` receives it).
    /// Each connection gets the interim `100 Continue` answer, the request-head deadline of `options`, and a
    /// ``FileRegionWriter`` through which large GET bodies go out with sendfile(2) (plain HTTP: see there).
    /// The logger's metadata is kept aside until a line is logged (``DeferredMetadataLogHandler``): Hummingbird
    /// sets the request id on it for every request.
    public static func makeApplication(
        options: DAVServerOptions, host: String, port: Int, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let headTimeout = TimeAmount(options.requestHeadTimeout)
        return Application(
            responder: DAVResponder(options: options),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        RequestHeadDeadlineHandler(deadline: headTimeout), ExpectContinueHandler(),
                        FileRegionWriterInstaller(handoff: options.fileRegions),
                    ],
                    idleTimeout: TimeAmount(options.idleTimeout))),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "davdoctor"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger.deferringMetadata()
        )
    }
}
