import DAVCore
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
    ///
    /// Spawned and waited for with `posix_spawn` and `waitpid` on its own PID, not Foundation's `Process`:
    /// under a loaded test run, `Process.waitUntilExit()` was seen waiting forever on a child that had
    /// exited (a zombie nobody reaped, its SIGCHLD missed), which hung the whole suite.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("davclient-run-\(UUID().uuidString)")
        let outPath = scratch.path + ".out"
        let errPath = scratch.path + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let status = try spawnAndWait(executable, arguments, environment: env, stdout: outPath, stderr: errPath)
        let stdout = FileManager.default.contents(atPath: outPath) ?? Data()
        let stderr = FileManager.default.contents(atPath: errPath) ?? Data()
        guard status == 0 else {
            throw Failure(
                description: "\(executable) \(arguments.joined(separator: " ")) exited \(status): \(String(decoding: stderr, as: UTF8.self))")
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    /// Starts `executable` in a process group of its own with default signal handling (the test process
    /// ignores SIGPIPE, which a child would otherwise inherit), standard input from /dev/null and its output
    /// into the two files; returns its exit status (128 + the signal when a signal ended it).
    static func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String) throws
        -> Int32
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // An executable a test has just written (a copy of the binary) is "busy" while any process still has
        // it open for writing: a child that another test forked in that moment inherits the descriptor until
        // its own exec closes it. That passes in milliseconds; wait for it, up to two seconds.
        var tries = 0
        while spawned == ETXTBSY, tries < 100 {
            tries += 1
            usleep(20_000)
            spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        }
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(description: "waiting for \(executable) failed: \(String(cString: strerror(errno)))") }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
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
    public static func freePort() -> Int { freePorts(1) }

    /// The first of `count` consecutive ports on 127.0.0.1 that nothing listens on and that no other test of
    /// this process was given. They are picked below Linux's ephemeral range (32768–60999): a port from that
    /// range may be taken as the local port of any outgoing connection between this check and the server's
    /// bind (a start script's server then died with "Address already in use" in a whole-suite run).
    public static func freePorts(_ count: Int) -> Int {
        for _ in 0..<500 {
            let first = Int.random(in: 20_000...(32_000 - count))
            let ports = first..<(first + count)
            let fresh = handedOut.withLock { given -> Bool in
                guard given.isDisjoint(with: ports) else { return false }
                given.formUnion(ports)
                return true
            }
            if fresh, ports.allSatisfy(canBind) { return first }
        }
        fatalError("no \(count) consecutive free ports on 127.0.0.1 between 20000 and 32000 after 500 tries")
    }

    /// Every port `freePorts` has handed out in this process: never handed out twice, so that a server a
    /// finished test left behind (or its socket in TIME_WAIT) cannot answer for the next one.
    private static let handedOut = Locked(Set<Int>())

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
