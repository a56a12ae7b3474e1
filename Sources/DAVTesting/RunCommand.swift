import Foundation

/// Runs the built `davdoctor` binary, as a user would, and captures what it prints and its exit status.
public struct CommandResult: Sendable {
    public var stdout: String
    public var stderr: String
    public var status: Int32
    /// Peak resident memory of the child in KiB, when measured (`measureMemory`, through GNU time).
    public var maxRSSKiB: Int?
}

public enum DavDoctorBinary {
    /// The executable beside the test bundle (SwiftPM puts products in one folder).
    public static var url: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = bundle.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("davdoctor")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            folder = folder.deletingLastPathComponent()
        }
        return Fixtures.packageRoot.appendingPathComponent(".build/debug/davdoctor")
    }

    /// Runs `davdoctor ARGUMENTS…` with `stdin` fed from `input` (streamed by `feed` when given);
    /// `measureMemory` runs it under GNU time, which the test must declare with `.needs(.gnuTime)`.
    public static func run(
        _ arguments: [String], input: [UInt8]? = nil, environment: [String: String] = ["NO_COLOR": "1"],
        measureMemory: Bool = false, feed: ((FileHandle) -> Void)? = nil
    ) throws -> CommandResult {
        let process = Process()
        let rssFile = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-rss-\(UUID().uuidString)")
        if measureMemory {
            process.executableURL = URL(fileURLWithPath: try Need.executable("time"))
            process.arguments = ["-f", "%M", "-o", rssFile.path, url.path] + arguments
        } else {
            process.executableURL = url
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        // Run from the package root, so tests can pass relative paths and outputs do not name the checkout.
        process.currentDirectoryURL = Fixtures.packageRoot
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        let outData = ReadAll(out.fileHandleForReading)
        let errData = ReadAll(err.fileHandleForReading)
        if let feed {
            feed(inPipe.fileHandleForWriting)
        } else if let input {
            try? inPipe.fileHandleForWriting.write(contentsOf: Data(input))
        }
        try? inPipe.fileHandleForWriting.close()
        process.waitUntilExit()
        var rss: Int?
        if measureMemory, let text = try? String(contentsOf: rssFile, encoding: .utf8) {
            rss = text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            try? FileManager.default.removeItem(at: rssFile)
        }
        var stderrText = String(decoding: errData.wait(), as: UTF8.self)
        if measureMemory {
            // GNU time adds "Command exited with non-zero status N" to stderr.
            stderrText = stderrText.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("Command exited with non-zero status") && !$0.hasPrefix("Command terminated by signal") }
                .joined(separator: "\n")
        }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(
            stdout: String(decoding: outData.wait(), as: UTF8.self), stderr: stderrText, status: status, maxRSSKiB: rss)
    }
}

/// Drains a pipe on a background thread so a chatty child never blocks on a full pipe.
final class ReadAll: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
