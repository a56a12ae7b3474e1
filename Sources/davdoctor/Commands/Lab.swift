import ArgumentParser
import Checking
import DAVClient
import DAVCore
import Diagnosis
import Foundation
import Lab
import Reports

/// `davdoctor lab`: reproduce a failure on a local, throw-away `davdoctor serve`, and diagnose it.
struct LabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Reproduce a WebDAV failure on a throw-away local server, and diagnose it.",
        discussion: """
            Each scenario starts davdoctor serve in this process on 127.0.0.1 over a fresh temporary tree (names
            hostile on purpose), with the scenario's users, rules and limits, and drives it into one failure.
            Nothing outside the temporary tree is touched; it is removed on exit unless --keep.
              davdoctor lab --list                  the scenarios, with their cause
              davdoctor lab demo                    every scenario back to back, symptom and diagnosis
              davdoctor lab locked-member --check   reproduce one and run check against it
              davdoctor lab locked-member           reproduce one and keep serving until Ctrl-C
            """)

    @Argument(help: "A scenario name (see --list), or demo.")
    var scenario: String?

    @Flag(help: "List the scenarios.")
    var list = false

    @Option(help: "Port on 127.0.0.1 (default: a free one).")
    var port = 0

    @Flag(help: "Run davdoctor check against the reproduced failure and print its report.")
    var check = false

    @Flag(help: "Keep the temporary tree (and the access log) after exit.")
    var keep = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if !list && scenario == nil { throw ValidationError("name a scenario (davdoctor lab --list), or demo") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        if list { return try printList() }
        if scenario == "demo" { return try await demo() }
        let chosen = try Result { try ScenarioCatalog.named(scenario!) }.orExit()
        let server = try await Result.async { try await LabServer.start(chosen, port: port) }.orExit()
        // A JSON or HTML report is a document of its own: the preamble then goes to standard error, so
        // that standard output is exactly the report (the JSON contract of docs/design.md).
        let reportOnly = check && output.format != .text
        func say(_ line: String) {
            if reportOnly {
                var stderr = StandardError()
                print(line, to: &stderr)
            } else {
                print(line)
            }
        }
        say("lab \(chosen.name) (cause: \(chosen.cause)): \(chosen.description)")
        say("server: \(server.url)/ serving \(server.root)")
        if server.url != server.serverURL { say("direct: \(server.serverURL)/ (the server itself, behind the scenario's faults)") }
        for user in chosen.users ?? [] { say("user:   \(user.name) / \(user.password)") }
        for (path, token) in server.lockTokens.sorted(by: { $0.key < $1.key }) { say("lock:   \(path) held with \(token)") }
        say("reproduce:")
        for line in server.reproduction() { say("  \(line)") }
        if check {
            if !reportOnly { print("") }
            let result = try await Self.check(server, interrupt: Interrupt())
            print(try render(result), terminator: "")
            await server.stop(keep: keep)
            if keep { say("kept: \(server.work)") }
            throw result.analysis.findings.isEmpty ? ExitStatus.clean : ExitStatus.findings
        }
        print("serving until Ctrl-C …")
        fflush(nil)
        await Self.waitForInterrupt()
        await server.stop(keep: keep)
        if keep { print("kept: \(server.work)") }
    }

    /// A report that cannot be encoded is an error, not an empty `{}` a script would take for no findings.
    func render(_ result: CheckResult) throws -> String {
        switch output.format {
        case .text: CheckReport.text(result, color: output.useColor)
        case .json: try CheckReport.json(result)
        case .html: HTMLReport.render(check: result)
        }
    }

    func printList() throws {
        let scenarios = try Result { try ScenarioCatalog.all() }.orExit()
        if output.format == .json {
            struct Entry: Encodable {
                var name, cause, description: String
                var resources: [String]
            }
            print(try Self.json(scenarios.map { Entry(name: $0.name, cause: $0.cause, description: $0.description, resources: $0.resources ?? []) }))
            return
        }
        let width = scenarios.map(\.name.count).max() ?? 0
        for scenario in scenarios {
            print(
                scenario.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + scenario.cause.padding(toLength: 15, withPad: " ", startingAt: 0) + scenario.description)
        }
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// One scenario's outcome in `lab demo --format json`: the cause it was made for, and check's first finding.
    struct DemoEntry: Encodable {
        var name, cause: String
        var status: Int?
        /// The first finding's cause, or `none` when check found nothing.
        var diagnosed: String
        var title: String?
        var resources: [String]
    }

    /// Every failing scenario back to back: what the user sees, then what check makes of it. With
    /// `--format json`, one entry per scenario (for scripts and tests) instead of the text.
    func demo() async throws {
        let scenarios = try Result { try ScenarioCatalog.all() }.orExit()
        let interrupt = Interrupt()
        var named = 0
        var entries: [DemoEntry] = []
        for chosen in scenarios where !interrupt.fired {
            let server = try await Result.async { try await LabServer.start(chosen) }.orExit()
            let result = try await Self.check(server, interrupt: interrupt)
            await server.stop(keep: false)
            let expected = chosen.cause == "none" ? result.analysis.findings.isEmpty : result.analysis.findings.first?.cause.rawValue == chosen.cause
            if expected { named += 1 }
            if output.format != .text {
                let first = result.analysis.findings.first
                entries.append(
                    DemoEntry(
                        name: chosen.name, cause: chosen.cause, status: result.analysis.status, diagnosed: first?.cause.rawValue ?? "none",
                        title: first?.title, resources: first?.resources ?? []))
                continue
            }
            let status = result.analysis.status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no answer"
            print("== \(chosen.name): \(chosen.description)")
            print("   symptom:   \(chosen.request.method) \(chosen.request.path) → \(status)")
            if let first = result.analysis.findings.first {
                print("   diagnosis: [\(first.cause.rawValue)] \(first.title)")
                if let evidence = first.tellingEvidence { print("   evidence:  \(evidence)") }
                if let fix = first.fixes.first { print("   fix:       \(fix.action)") }
            } else {
                print("   diagnosis: no findings")
            }
            print("")
        }
        if output.format != .text {
            print(try Self.json(entries))
            if named != scenarios.count { throw ExitStatus.findings }
            return
        }
        print("\(named) of \(scenarios.count) scenarios diagnosed as their cause")
        if named != scenarios.count { throw ExitStatus.findings }
    }

    static func check(_ server: LabServer, interrupt: Interrupt) async throws -> CheckResult {
        let credentials = server.credentials()
        return try await DAVClient.withClient(configuration: .init(connectTimeout: .seconds(5), readTimeout: .seconds(30), credentials: credentials))
        { client in
            try await CheckRunner.check(
                CheckPlan(request: server.request(), hasCredentials: credentials != nil), client: client, recorder: nil,
                progress: Progress(enabled: false), interrupt: interrupt)
        }
    }

    static func waitForInterrupt() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: .global()) }
            let once = OnceFlag()
            for source in sources {
                source.setEventHandler {
                    if once.set() {
                        for source in sources { source.cancel() }
                        continuation.resume()
                    }
                }
                source.resume()
            }
        }
    }
}

/// True the first time only.
final class OnceFlag: Sendable {
    private let done = Locked(false)
    func set() -> Bool {
        done.withLock { done in
            if done { return false }
            done = true
            return true
        }
    }
}

extension Result where Failure == any Error {
    static func async(_ body: () async throws -> Success) async -> Result<Success, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}
