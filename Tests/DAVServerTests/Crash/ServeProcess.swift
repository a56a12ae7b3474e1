import DAVTesting
import Foundation

@testable import DAVServer

#if canImport(Glibc)
    import Glibc
#endif

/// `davdoctor serve DIR --config FILE` as a child process with its SQLite stores (or, with `store`, the
/// PostgreSQL database it names), so that `kill -9` is a real crash. The served tree (unless another
/// instance's is given), the data directory and the config live in temporary directories removed with
/// this value; the child is stopped by its recorded PID.
final class ServeProcess: @unchecked Sendable {
    let root: TemporaryDirectory
    let data = TemporaryDirectory()
    private let configDirectory = TemporaryDirectory()
    private var server: Processes.Background?
    private(set) var port = 0

    var configPath: String { configDirectory.path + "/serve.yaml" }

    init(root: TemporaryDirectory = TemporaryDirectory(), store: String? = nil) throws {
        self.root = root
        let placement = store.map { "store: \"\($0)\"\n" } ?? "dataDirectory: \(data.path)\n"
        try placement.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit { stop() }

    func start() throws {
        port = Processes.freePort()
        server = try Processes.Background(
            DavDoctorBinary.url.path, ["serve", root.path, "--config", configPath, "--port", String(port)])
        try Processes.waitForPort(port)
    }

    /// SIGKILL to the server alone: no handler runs, nothing is flushed or closed.
    func kill9() {
        guard let process = server?.process, process.processIdentifier > 0 else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 where process.isRunning { usleep(10_000) }
        server = nil
    }

    /// A clean stop (SIGTERM, then SIGKILL to the process group).
    func stop() {
        server?.stop()
        server = nil
    }

    /// Opens the property and lock stores as the server does, while it is not running.
    func withStores<T>(_ body: (any PropertyStore, any LockManager) throws -> T) throws -> T {
        let stores = try DAVServer.persistentStores(dataDirectory: data.path)
        return try body(stores.properties, stores.locks)
    }

    var storage: FileSystemStorage { get throws { try FileSystemStorage(root: root.path) } }

    /// Names of the server's temporary upload files anywhere under the root.
    func temporaryFiles() throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: root.path)
            .filter { ($0 as NSString).lastPathComponent.hasPrefix(FileSystemStorage.uploadPrefix) }
    }
}
