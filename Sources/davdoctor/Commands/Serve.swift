import ArgumentParser
import DAVServer
import Foundation
import Logging

/// `davdoctor serve DIR`: the WebDAV server on its own (RFC 4918 class 1 and 2).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a directory over WebDAV (RFC 4918 class 1 and 2).",
        discussion: """
            With no --config, DIR is served read-write without authentication, on loopback only. Dead \
            properties, locks and the sync-collection change log are kept in SQLite in --data-dir, outside the \
            served tree, so they survive a restart. With --store postgres://USER@HOST:PORT/DB they are kept in \
            PostgreSQL instead, shared by every instance serving the same tree (the password from the URL, \
            PGPASSWORD or ~/.pgpass).
            """)

    @Argument(help: "The directory to serve.")
    var directory: String?

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8080

    @Option(help: "YAML file with users, access rules and limits (see docs/server.md).")
    var config: String?

    @Option(
        name: .customLong("data-dir"),
        help: "Where dead properties and locks are kept (default: ~/.local/state/davdoctor/<dir>); not with --store.")
    var dataDirectory: String?

    @Flag(help: "Keep dead properties and locks in memory only.")
    var memory = false

    @Option(help: "Keep dead properties and locks in PostgreSQL (postgres://USER@HOST:PORT/DATABASE), shared by several instances.")
    var store: String?

    @Option(name: .customLong("access-log"), help: "Append JSON-lines access records to this file ('-' for standard output).")
    var accessLog: String?

    @Flag(name: .customLong("no-depth-infinity"), help: "Answer PROPFIND Depth: infinity with 403 DAV:propfind-finite-depth.")
    var noDepthInfinity = false

    @Option(name: .customLong("max-body-bytes"), help: "Largest PUT body accepted (413 beyond).")
    var maxBodyBytes: Int?

    @Option(
        name: .customLong("max-sync-results"),
        help: "Most members one sync-collection REPORT lists; beyond it, a 507 for the collection and a token to continue from (default 1000).")
    var maxSyncResults: Int?

    @Flag(name: .customLong("allow-unauthenticated-remote"), help: "Listen on a non-loopback address even with no users configured.")
    var allowUnauthenticatedRemote = false

    @Flag(name: .customLong("hash-password"), help: "Read a password from standard input, print its hash for the config file, and exit.")
    var hashPassword = false

    func validate() throws {
        if hashPassword { return }
        guard directory != nil else { throw ValidationError("Missing expected argument '<directory>'.") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        if let maxSyncResults, maxSyncResults < 1 { throw ValidationError("--max-sync-results must be 1 or more.") }
    }

    func run() async throws {
        if hashPassword {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("no password on standard input") }
            print(PasswordHash(password: line).description)
            return
        }
        let root = directory!
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(root) is not a directory")
        }
        let configuration = try config.map { try ServerConfiguration.load(path: $0) } ?? ServerConfiguration()
        let access = try AccessRules(configuration: configuration)
        let loopback = host == "127.0.0.1" || host == "::1" || host == "localhost"
        if !access.requiresAuthentication && !loopback && !allowUnauthenticatedRemote {
            throw ValidationError(
                "refusing to serve \(root) without authentication on \(host); configure users (--config) or pass --allow-unauthenticated-remote")
        }
        let history = configuration.limits?.syncHistory ?? 100_000
        let shared = try openSharedStores(configuration, changeLogCapacity: history)
        let storage = try FileSystemStorage(root: root, uploadTag: shared?.uploadTag)
        var options = DAVServerOptions(storage: storage, access: access)
        do { try options.apply(configuration.limits) } catch let invalid as DAVServerOptions.InvalidLimit {
            throw ValidationError(invalid.description)
        }
        options.changes = MemoryChangeLog(capacity: history)
        if let shared {
            options.properties = shared.properties
            options.locks = shared.locks
            options.changes = shared.changes
            options.cluster = shared.cluster
        } else if !memory {
            let dataDir = dataDirectory ?? configuration.dataDirectory ?? Self.defaultDataDirectory(for: root)
            let realData = URL(fileURLWithPath: dataDir).standardizedFileURL.resolvingSymlinksInPath().path
            let realRoot = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
            if realData == realRoot || realData.hasPrefix(realRoot + "/") {
                throw ValidationError("the data directory \(dataDir) must be outside the served directory")
            }
            let stores = try DAVServer.persistentStores(dataDirectory: dataDir, changeLogCapacity: history)
            options.properties = stores.properties
            options.locks = stores.locks
            options.changes = stores.changes
        }
        if let principals = try configuration.principalsPath() { options.principalsPath = principals }
        try DAVServer.checkPrincipalsPath(options)
        let recovered = try DAVServer.recover(options, now: Date().timeIntervalSince1970, isLive: { try shared?.isLive($0) ?? false })
        if !recovered.isEmpty {
            let message =
                "davdoctor serve: after an unclean stop, removed \(recovered.staleUploads) unfinished upload(s), "
                + "\(recovered.orphanProperties) property set(s) and \(recovered.orphanLocks) lock(s) of resources that no longer exist\n"
            FileHandle.standardError.write(Data(message.utf8))
        }
        // Moves another instance did not live to finish are settled while it is down, not at its restart;
        // this instance's own that PostgreSQL's absence left unfinished, once it is back.
        let settler = shared.map { shared in Task { await shared.settleUnfinishedMoves(in: storage) } }
        defer { settler?.cancel() }
        // The flags win over the configuration's limits.
        if let limit = maxBodyBytes { options.maxBodyBytes = limit }
        if let limit = maxSyncResults { options.maxSyncResults = limit }
        if noDepthInfinity { options.allowsDepthInfinity = false }
        if let accessLog {
            options.accessLog = accessLog == "-" ? AccessLog(handle: .standardOutput) : try AccessLog(path: accessLog)
        }
        var logger = Logger(label: "davdoctor.serve")
        logger.logLevel = .warning
        let mode =
            (access.requiresAuthentication
                ? "\(access.accounts.count) user(s), Basic authentication"
                : "read-write, no authentication" + (loopback ? ", loopback only" : ""))
            + (shared.map { ", store \($0.location)" } ?? "")
        let host = self.host
        let app = DAVServer.makeApplication(options: options, host: host, port: port, logger: logger) { port in
            let shown = host.contains(":") ? "[\(host)]" : host
            print("davdoctor serve: http://\(shown):\(port)/ serving \(root) (\(mode))")
            fflush(nil)
        }
        defer { options.accessLog?.flush() }
        try await DAVServer.run(app)
    }

    /// The PostgreSQL stores `--store` (or the configuration's `store:`) names, connected and migrated; nil
    /// without one. A URL that cannot be used or a database that cannot be reached is a one-line error.
    ///
    /// A data directory named as well (`--data-dir` or `dataDirectory:`) is refused, not ignored: with a
    /// PostgreSQL store nothing is kept in it (the sync-collection log is in PostgreSQL too), and a user who
    /// names one expects the state there; which one was meant is theirs to say.
    private func openSharedStores(_ configuration: ServerConfiguration, changeLogCapacity: Int) throws -> PostgresStores? {
        guard let url = store ?? configuration.store else { return nil }
        let storeName = store != nil ? "--store" : "store: in the config"
        if memory { throw ValidationError("--memory and \(storeName) exclude each other") }
        if dataDirectory != nil || configuration.dataDirectory != nil {
            let dataName = dataDirectory != nil ? "--data-dir" : "dataDirectory: in the config"
            throw ValidationError(
                "\(dataName) and \(storeName) exclude each other: with a PostgreSQL store nothing is kept in a data directory")
        }
        do {
            return try PostgresStores(location: try PostgresLocation(url), changeLogCapacity: changeLogCapacity)
        } catch let invalid as PostgresLocation.Invalid {
            throw ValidationError(invalid.description)
        } catch let error as DAVError {
            throw ValidationError(error.message)
        }
    }

    /// `~/.local/state/davdoctor/<served path with / as _>`, or `$XDG_STATE_HOME/davdoctor/…`.
    static func defaultDataDirectory(for root: String) -> String {
        let real = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"] ?? (NSHomeDirectory() + "/.local/state")
        let name = real.split(separator: "/").joined(separator: "_")
        return base + "/davdoctor/" + (name.isEmpty ? "root" : name)
    }
}
