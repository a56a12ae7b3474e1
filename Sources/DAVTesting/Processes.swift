import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Small process and socket helpers for the live tests: run a script, start a long-running helper and
/// stop it by its own PID, find a free port, wait for a port to answer.
public enum Processes {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `executable` with `arguments` to the end; returns stdout, throws with stderr on failure.
    ///
    /// Output goes to temporary files, not pipes: a script that starts a daemon (the peers) ends while the
    /// daemon lives on, and a daemon that inherited a pipe's write end (tests spawn in parallel, so a
    /// sibling's pipe can leak into it) would keep a pipe reader waiting for an end of file forever.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("davclient-run-\(UUID().uuidString)")
        let outPath = scratch.path + ".out", errPath = scratch.path + ".err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
        let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self))")
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// A helper process that runs until stopped; stopped by its PID (SIGTERM, then SIGKILL).
    public final class Background: @unchecked Sendable {
        public let process: Process
        public let output: Pipe

        public init(_ executable: String, _ arguments: [String]) throws {
            process = Process()
            // Foundation starts the child as the leader of its own process group, so stop() can end
            // the whole group, workers a daemon forked included.
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// The first line the process writes on stdout.
        public func firstLine() -> String {
            var bytes: [UInt8] = []
            while true {
                let data = output.fileHandleForReading.readData(ofLength: 1)
                guard let byte = data.first, byte != 0x0A else { break }
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// SIGTERM to the group, then SIGKILL. Polls rather than `waitUntilExit()`, which can spin forever
        /// on Linux when the child's exit is reaped elsewhere.
        public func stop() {
            let pid = process.processIdentifier
            guard pid > 0 else { return }
            kill(-pid, SIGTERM)
            for _ in 0..<50 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(-pid, SIGKILL) }
            for _ in 0..<20 where process.isRunning { usleep(100_000) }
        }
    }

    /// A TCP port on 127.0.0.1 that nothing listens on at the moment of asking.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A port `p` such that `p` to `p + count - 1` can all be bound now: peers such as the nginx proxy
    /// listen on several ports counted from the one they are given.
    public static func freePorts(_ count: Int) -> Int {
        for _ in 0..<50 {
            let first = freePort()
            guard first + count <= 65_535 else { continue }
            if (1..<count).allSatisfy({ canBind(first + $0) }) { return first }
        }
        return freePort()
    }

    private static func canBind(_ port: Int) -> Bool {
        onLoopback(port) { fd, address, length in bind(fd, address, length) } == 0
    }

    public static func portAnswers(_ port: Int) -> Bool {
        onLoopback(port) { fd, address, length in connect(fd, address, length) } == 0
    }

    /// Runs `call` (bind or connect) with a fresh TCP socket and 127.0.0.1:`port`, then closes the socket.
    private static func onLoopback(
        _ port: Int, _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    public static func waitForPort(_ port: Int, seconds: Double = 20) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if portAnswers(port) { return }
            usleep(50_000)
        }
        throw Failure(description: "nothing answered on 127.0.0.1:\(port) within \(seconds) s")
    }

    public static func temporaryDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "davclient-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
