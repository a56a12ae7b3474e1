import DAVCore
import Foundation

/// The access log: one JSON object per line (time, request id, user, method, path, Depth, status,
/// duration, and for a 207 the count of each per-resource status), for `davdoctor logs` to read.
///
/// ```json
/// {"time":"2026-11-25T11:00:00Z","id":"7","user":"alice","method":"PROPFIND","path":"/docs/","depth":"1","status":207,"ms":1.8,"statuses":{"200":12,"403":1}}
/// ```
public final class AccessLog: Sendable {
    /// Lines go to the file from the writer's own thread: a request never waits on the disk.
    private let writer: LineWriter

    /// Appends to `path`, creating it if needed.
    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw DAVError(500, "cannot open the access log \(path)")
        }
        handle.seekToEndOfFile()
        writer = LineWriter(handle: handle, name: path)
    }

    /// Writes to an open handle (standard output).
    public init(handle: FileHandle) {
        writer = LineWriter(handle: handle, name: "standard output")
    }

    deinit { writer.close() }

    func write(exchange: ServerExchange, status: Int, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let line = Self.line(
            time: HTTPDate.rfc3339(Date().timeIntervalSince1970), id: exchange.requestID, method: exchange.method,
            path: exchange.rawPath, status: status, ms: (ms * 1000).rounded() / 1000, user: exchange.user,
            depth: exchange.header("Depth"), statuses: exchange.statusCounts)
        writer.append(line)
    }

    /// Returns once every line logged so far is in the file (or the file refused it): before reading the
    /// log back, and before the process exits.
    public func flush() { writer.flush() }

    /// One record, byte for byte as `JSONSerialization` wrote it with `.sortedKeys` and `.withoutEscapingSlashes`
    /// (same key order, escaping and number forms), without boxing each value in `Any`: that cost more than
    /// answering a small GET.
    static func line(
        time: String, id: String, method: String, path: String, status: Int, ms: Double, user: String?, depth: String?,
        statuses: [Int: Int]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 + path.utf8.count)
        out.append(UInt8(ascii: "{"))
        // The keys in sorted order: depth, id, method, ms, path, status, statuses, time, user.
        if let depth {
            key("depth", &out, first: true)
            string(depth, &out)
        }
        key("id", &out, first: depth == nil)
        string(id, &out)
        key("method", &out)
        string(method, &out)
        key("ms", &out)
        number(ms, &out)
        key("path", &out)
        string(path, &out)
        key("status", &out)
        out.append(contentsOf: String(status).utf8)
        if !statuses.isEmpty {
            key("statuses", &out)
            out.append(UInt8(ascii: "{"))
            // Numeric order, as .sortedKeys compares the codes.
            for (index, entry) in statuses.sorted(by: { $0.key < $1.key }).enumerated() {
                key(String(entry.key), &out, first: index == 0)
                out.append(contentsOf: String(entry.value).utf8)
            }
            out.append(UInt8(ascii: "}"))
        }
        key("time", &out)
        string(time, &out)
        if let user {
            key("user", &out)
            string(user, &out)
        }
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
        return out
    }

    private static func key(_ name: String, _ out: inout [UInt8], first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        string(name, &out)
        out.append(UInt8(ascii: ":"))
    }

    /// A JSON string: `"` and `\` escaped, \b \f \n \r \t by name, other controls as lower-case `\u00XX`,
    /// everything else (`/` included) as its UTF-8 bytes.
    static func string(_ text: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(Hex.digit(byte >> 4))
                out.append(Hex.digit(byte))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A Double as JSONSerialization writes it: the shortest description, a trailing ".0" dropped.
    static func number(_ value: Double, _ out: inout [UInt8]) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        out.append(contentsOf: text.utf8)
    }
}
