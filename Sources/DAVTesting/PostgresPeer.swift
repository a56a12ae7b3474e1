import Foundation

/// One PostgreSQL server for a whole test process, started by `scripts/peers/start-postgres.sh` on first
/// use and stopped (by its recorded PID, `scripts/peers/stop.sh`) when the process exits; each test takes
/// a database of its own from ``database()``, so tests running in parallel never see each other's rows.
public enum PostgresPeer {
    /// `/usr/lib/postgresql/<newest>/bin`, where Debian's `postgresql` puts the server (it is not on PATH).
    public static var binDirectory: String {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        let newest = versions.filter { Int($0) != nil }.max { Int($0)! < Int($1)! }
        return base + "/" + (newest ?? "<version>") + "/bin"
    }

    private static let state = NSLock()
    nonisolated(unsafe) private static var started: Result<Peer, any Error>?
    nonisolated(unsafe) private static var databases = 0

    /// The shared server, started the first time it is asked for.
    public static func shared() throws -> Peer {
        try state.withLock {
            if let started { return try started.get() }
            let result = Result { try Peer.start("postgres", profile: "clean") }
            started = result
            if case .success = result { atexit { PostgresPeer.stopShared() } }
            return try result.get()
        }
    }

    /// At exit: the shared server stopped, then its work directory removed.
    private static func stopShared() {
        guard case .success(let peer) = started else { return }
        shutDown(peer)
        try? FileManager.default.removeItem(atPath: peer.workDirectory)
    }

    /// SIGINT to `peer`'s recorded postmaster PID (a fast shutdown: every connection is cut), a wait of at
    /// most 10 s for it to go, SIGKILL to its group after that. System calls only: at exit, a child process
    /// started this late may be killed with the exiting test process before it has done anything.
    private static func shutDown(_ peer: Peer) {
        guard let text = try? String(contentsOfFile: peer.workDirectory + "/postgres.pid", encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1
        else { return }
        kill(pid, SIGINT)
        var waited = 0
        while kill(pid, 0) == 0 && waited < 200 {
            usleep(50_000)
            waited += 1
        }
        if kill(pid, 0) == 0 { kill(-pid, SIGKILL) }
    }

    /// A PostgreSQL server of the caller's own, for a test that stops and restarts it (the shared one
    /// serves other tests meanwhile); stop it with `peer.stop()`. Its database `davdoctor` is empty.
    public static func own() throws -> Peer { try Peer.start("postgres", profile: "clean") }

    /// The URL of `peer`'s database `davdoctor`, with the password in it.
    public static func url(_ peer: Peer) -> String { "postgres://davdoctor:\(password(peer))@127.0.0.1:\(peer.port)/davdoctor" }

    /// Stops `peer`'s server as a restart would (a fast shutdown) and returns once it has gone.
    public static func stopServer(_ peer: Peer) { shutDown(peer) }

    /// Starts `peer`'s server again, after ``stopServer(_:)``, on the same data directory and port.
    public static func startServer(_ peer: Peer) throws {
        _ = try Processes.run(
            "/bin/bash", ["\(Peer.scripts)/start-postgres.sh", peer.workDirectory, String(peer.port)],
            environment: ["PROFILE": "clean", "RESTART": "1"])
    }

    /// The password start-postgres.sh gave the `davdoctor` role.
    public static func password(_ peer: Peer) -> String {
        let file = peer.workDirectory + "/postgres/password"
        return (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// A new, empty database on the shared server; its URL, with the password in it.
    public static func database() throws -> String {
        let peer = try shared()
        let name = state.withLock { () -> String in
            databases += 1
            return "t\(getpid())_\(databases)"
        }
        try psql(peer, "CREATE DATABASE \(name)")
        return "postgres://davdoctor:\(password(peer))@127.0.0.1:\(peer.port)/\(name)"
    }

    /// Runs one SQL command as the `davdoctor` role in the `postgres` database (over TCP, with the password).
    @discardableResult
    public static func psql(_ peer: Peer, _ sql: String, database: String = "postgres") throws -> String {
        try Processes.run(
            binDirectory + "/psql", ["-h", "127.0.0.1", "-p", String(peer.port), "-U", "davdoctor", "-d", database, "-qAtc", sql],
            environment: ["PGPASSWORD": password(peer)])
    }
}

extension Need {
    /// PostgreSQL's server from Debian's `postgresql` package (`scripts/peers/start-postgres.sh` runs it).
    public static var postgres: Need { .file(PostgresPeer.binDirectory + "/postgres") }
}
