import ArgumentParser
import Checking
import DAVClient
import DAVCore
import Diagnosis
import Foundation
import Reports

/// `davdoctor check URL`: send the request, analyze the answer, then ask the follow-up questions a
/// careful engineer would (OPTIONS, parent listings, lockdiscovery, anonymous and second-user repeats,
/// Depth 1, a cache-busting repeat, HEAD) and fold their answers into the findings.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send a WebDAV request, analyze the answer, and prove the cause with follow-up probes.",
        discussion: """
            Beyond the request you name, check only reads (OPTIONS, PROPFIND, HEAD): nothing is written, unless \
            --allow-writes lets it create a scratch collection beside the URL, PUT, COPY and MOVE a small file \
            inside it (to see whether Destination survives the way to the server) and remove it again; when the \
            server refuses that collection, it puts one small file beside the URL instead and removes it.
            The password comes from --user user:password, DAVDOCTOR_PASSWORD, or ~/.netrc; it is never printed.
            Exit status: 0 no findings, 1 findings, 2 bad usage, 3 the server could not be reached.
            Examples:
              davdoctor check http://127.0.0.1:8080/docs/
              davdoctor check https://dav.example.com/files/ --user alice --as bob --save before/
              davdoctor check http://127.0.0.1:8080/docs/a.txt --method LOCK --body lockinfo.xml
            """)

    @Argument(help: "The URL to ask (http or https).")
    var url: String

    @OptionGroup var live: LiveRequestOptions

    @Option(name: .customLong("as"), help: "A second user, USER[:PASSWORD], to compare what each may see.")
    var secondUser: String?

    @Option(help: "Keep every exchange (byte-exact, with timings) and the report in this directory.")
    var save: String?

    @Option(name: .customLong("save-har"), help: "Also write every exchange as a HAR 1.2 file (for any HAR viewer; analyze reads it back).")
    var saveHAR: String?

    @Flag(
        name: .customLong("allow-writes"),
        help: "Allow write probes: a scratch collection (or, where it is refused, one small file) beside the URL, removed afterwards.")
    var allowWrites = false

    @Option(
        name: .customLong("client"),
        help: ArgumentHelp(
            "Check what a client needs from this server (repeatable or comma-separated).",
            valueName: "windows|finder|office|davfs2|rclone|davx5|winscp|gvfs|all"))
    var clientNames: [String] = []

    @OptionGroup var output: OutputOptions

    /// The clients `--client` names, `all` standing for every one.
    var clients: [Client] {
        let names = clientNames.flatMap { $0.split(separator: ",").map { $0.trimmingASCIIWhitespace().lowercased() } }
        if names.contains("all") { return Client.allCases }
        return Client.allCases.filter { names.contains($0.rawValue) }
    }

    func validate() throws {
        let href = Href(url)
        guard href.scheme == "http" || href.scheme == "https", let authority = href.authority, !authority.isEmpty else {
            throw ValidationError("the URL must be an absolute http:// or https:// URL, not '\(url)'")
        }
        let known = Set(Client.allCases.map(\.rawValue) + ["all"])
        for name in clientNames.flatMap({ $0.split(separator: ",").map { $0.trimmingASCIIWhitespace().lowercased() } }) where !known.contains(name) {
            throw ValidationError("--client must be one of \(Client.allCases.map(\.rawValue).joined(separator: ", ")) or all, not '\(name)'")
        }
    }

    func run() async throws {
        let credentials = try Result { try Credentials.resolve(userFlag: live.user, url: url) }.orExit()
        let second = try Result { try secondUser.flatMap { try Credentials.resolve(userFlag: $0, url: url) } }.orExit()
        let request = try Result { try live.request(to: url) }.orExit()
        // --save-har without --save records into a directory of its own, removed once the HAR is written.
        let scratch =
            saveHAR != nil && save == nil
            ? FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-har-\(UUID().uuidString)").path : nil
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        let recorder = try Result { try (save ?? scratch).map { try ExchangeRecorder(directory: $0) } }.orExit()
        let client = try Result { try live.client(credentials: credentials) }.orExit()
        let progress = Progress(enabled: isatty(2) == 1)
        let interrupt = Interrupt()

        let plan = CheckPlan(
            request: request, second: second, hasCredentials: credentials != nil, userName: credentials?.user, allowWrites: allowWrites,
            clients: clients)
        let outcome: CheckResult
        do {
            outcome = try await CheckRunner.check(plan, client: client, recorder: recorder, progress: progress, interrupt: interrupt)
        } catch let error as DAVClientError {
            progress.clear()
            try? await client.shutdown()
            printError(error.description)
            throw error.isNetworkFailure ? ExitStatus.unreachable : ExitStatus.badInput
        } catch {
            progress.clear()
            try? await client.shutdown()
            printError(String(describing: error))
            throw ExitStatus.badInput
        }
        try? await client.shutdown()

        let rendered: String
        switch output.format {
        case .text: rendered = CheckReport.text(outcome, color: output.useColor)
        case .json: rendered = try CheckReport.json(outcome)
        case .html: rendered = HTMLReport.render(check: outcome)
        }
        print(rendered, terminator: "")
        if let save {
            // The report was printed already; a saved copy that cannot be written is said, not dropped.
            do {
                try CheckReport.json(outcome).write(toFile: save + "/report.json", atomically: true, encoding: .utf8)
                try CheckReport.text(outcome, color: false).write(toFile: save + "/report.txt", atomically: true, encoding: .utf8)
            } catch {
                printError("could not save the report in \(save): \(error.localizedDescription)")
                throw ExitStatus.badInput
            }
        }
        if let saveHAR, let recorder {
            do {
                try SavedRunHAR.write(directory: recorder.directory, to: saveHAR, version: DavDoctor.configuration.version)
            } catch {
                printError("could not write the HAR file \(saveHAR): \(error)")
                throw ExitStatus.badInput
            }
        }
        throw outcome.analysis.findings.isEmpty ? ExitStatus.clean : ExitStatus.findings
    }
}

/// Progress on a terminal while a long answer streams in; silent when stderr is not a TTY.
final class Progress: CheckProgress, @unchecked Sendable {
    let enabled: Bool
    private var lastUpdate = ContinuousClock.now
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func responses(_ count: Int, since start: ContinuousClock.Instant) {
        guard enabled, ContinuousClock.now - lastUpdate > .milliseconds(200) else { return }
        lastUpdate = ContinuousClock.now
        let elapsed = ContinuousClock.now - start
        write("\r\u{1B}[K\(count) responses read, \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
    }

    func note(_ text: String) {
        guard enabled else { return }
        write("\r\u{1B}[K" + String(text.prefix(100)))
    }

    func clear() {
        guard enabled, shown else { return }
        write("\r\u{1B}[K")
        shown = false
    }

    private func write(_ text: String) {
        shown = true
        var err = StandardError()
        print(text, terminator: "", to: &err)
    }
}

/// Ctrl-C stops a check cleanly: the stream or the probes stop, and what was found so far is printed.
final class Interrupt: CheckStop, @unchecked Sendable {
    private var source: (any DispatchSourceSignal)?
    private(set) var fired = false

    init() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            if self.fired { exit(130) }
            self.fired = true
        }
        source.resume()
        self.source = source
    }
}
