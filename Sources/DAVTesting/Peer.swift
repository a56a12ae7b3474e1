import Foundation

/// A real WebDAV server (or `davdoctor serve` itself) started by `scripts/peers/start-<name>.sh` in its own temporary work directory,
/// on a free port, and stopped by `scripts/peers/stop.sh` (which kills only the PIDs it recorded).
///
/// Use as `let peer = try Peer.start("apache"); defer { peer.stop() }` so that it stops on every path.
public struct Peer: Sendable {
    public var name: String
    public var workDirectory: String
    public var base: String
    public var port: Int

    public init(name: String, workDirectory: String, base: String, port: Int) {
        self.name = name
        self.workDirectory = workDirectory
        self.base = base
        self.port = port
    }

    public static var scripts: String { Fixtures.packageRoot.appendingPathComponent("scripts/peers").path }

    /// `environment` adds settings a start script reads (the proxy's APACHE_PORT, say).
    public static func start(_ name: String, profile: String = "faulty", environment: [String: String] = [:]) throws -> Peer {
        let work = try Processes.temporaryDirectory(name)
        let port = Processes.freePorts(8)  // proxies listen on the port given and the few after it
        do {
            let output = try Processes.run(
                "/bin/bash", ["\(scripts)/start-\(name).sh", work, String(port)],
                environment: environment.merging(["PROFILE": profile, "DAVDOCTOR_BIN": DavDoctorBinary.url.path]) { mine, _ in mine })
            let base = output.split(separator: "\n").last.map(String.init) ?? "http://127.0.0.1:\(port)"
            return Peer(name: name, workDirectory: work, base: base, port: port)
        } catch {
            Peer(name: name, workDirectory: work, base: "", port: port).stop()
            throw error
        }
    }

    public func url(_ path: String) -> String { base + path }

    public func stop() {
        _ = try? Processes.run("/bin/bash", ["\(Peer.scripts)/stop.sh", workDirectory])
        try? FileManager.default.removeItem(atPath: workDirectory)
    }
}
