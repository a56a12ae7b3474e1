import Foundation

/// The access log: one JSON object per line (time, request id, user, method, path, Depth, status,
/// duration, and for a 207 the count of each per-resource status), for `davdoctor logs` to read.
///
/// ```json
/// {"time":"2026-11-25T11:00:00Z","id":"7","user":"alice","method":"PROPFIND","path":"/docs/","depth":"1","status":207,"ms":1.8,"statuses":{"200":12,"403":1}}
/// ```
public final class AccessLog: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    /// Appends to `path`, creating it if needed.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw DAVError(500, "cannot open the access log \(path)")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    /// Writes to an open handle (standard output).
    public init(handle: FileHandle) {
        self.handle = handle
    }

    func write(exchange: Exchange, status: Int, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        var record: [String: Any] = [
            "time": HTTPDate.rfc3339(Date().timeIntervalSince1970),
            "id": exchange.requestID,
            "method": exchange.method,
            "path": exchange.rawPath,
            "status": status,
            "ms": (ms * 1000).rounded() / 1000,
        ]
        if let user = exchange.user { record["user"] = user }
        if let depth = exchange.header("Depth") { record["depth"] = depth }
        if !exchange.statusCounts.isEmpty {
            record["statuses"] = Dictionary(uniqueKeysWithValues: exchange.statusCounts.map { (String($0.key), $0.value) })
        }
        guard var data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        handle.write(data)
    }
}
