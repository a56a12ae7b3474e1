import ArgumentParser
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
            inside it (to see whether Destination survives the way to the server) and remove it again.
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

    @Flag(name: .customLong("allow-writes"), help: "Allow write probes, only inside a scratch collection removed afterwards.")
    var allowWrites = false

    @Option(name: .customLong("client"), help: ArgumentHelp(
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
        let recorder = try Result { try save.map { try ExchangeRecorder(directory: $0) } }.orExit()
        let client = try Result { try live.client(credentials: credentials) }.orExit()
        let progress = Progress(enabled: isatty(2) == 1)
        let interrupt = Interrupt()

        var outcome: CheckResult
        do {
            outcome = try await Self.investigate(
                request, client: client, second: second, hasCredentials: credentials != nil, userName: credentials?.user, recorder: recorder,
                progress: progress, interrupt: interrupt)
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
        if allowWrites, !interrupt.fired, let writes = ScratchWrites(for: outcome.analysis.context.request, token: Self.scratchToken()) {
            outcome.fold(writes, outcomes: await Self.runScratchWrites(writes, client: client, recorder: recorder, progress: progress))
        }
        if !clients.isEmpty, !interrupt.fired {
            await Self.runClientProfiles(clients, url: url, into: &outcome, client: client, recorder: recorder, progress: progress)
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
        throw outcome.analysis.findings.isEmpty ? ExitStatus.clean : ExitStatus.findings
    }

    /// The request, its analysis and the probe loop: what `check` and `lab --check` share.
    static func investigate(
        _ request: DAVRequest, client: DAVClient, second: Credentials?, hasCredentials: Bool, userName: String? = nil, recorder: ExchangeRecorder?,
        progress: Progress, interrupt: Interrupt
    ) async throws -> CheckResult {
        let analysis = try await ask(client, request, recorder: recorder, progress: progress, interrupt: interrupt)
        progress.clear()
        var investigation = Investigation(initial: analysis, options: .init(
            hasCredentials: hasCredentials, hasSecondUser: second != nil, userName: userName, secondUserName: second?.user))
        var action = investigation.start()
        while case .send(let probes) = action {
            if interrupt.fired { break }
            var outcomes: [ProbeOutcome] = []
            for probe in probes {
                progress.note("probe: \(probe.method) \(probe.url)")
                outcomes.append(await run(probe, client: client, second: second, recorder: recorder))
            }
            action = investigation.receive(outcomes)
        }
        progress.clear()
        var outcome: CheckResult
        switch action {
        case .done(let result): outcome = result
        case .send: outcome = investigation.conclude()
        }
        if interrupt.fired { outcome.analysis.notes.append("interrupted (Ctrl-C): the probes that ran are in the report") }
        return outcome
    }

    /// Sends the user's request and analyzes the answer as it streams in.
    static func ask(_ client: DAVClient, _ request: DAVRequest, recorder: ExchangeRecorder?, progress: Progress, interrupt: Interrupt) async throws -> AnalysisResult {
        let info = RequestInfo(method: request.method, url: request.url, headers: request.headers, body: request.body.isEmpty ? nil : request.body)
        final class Box: @unchecked Sendable {
            var session: AnalysisSession?
            /// Why the body stopped making sense (cut short, not XML); the rest of it is then ignored.
            var broken: DAVCoreError?
        }
        let box = Box()
        let started = ContinuousClock.now
        do {
            try await client.stream(request, recorder: recorder) { head in
                box.session = AnalysisSession(request: info, head: head, format: .live, sourceName: request.url)
            } onBody: { bytes in
                if interrupt.fired { throw CancellationError() }
                guard box.broken == nil else { return }
                do { try box.session?.feed(bytes) } catch let error as DAVCoreError { box.broken = error }
                if let count = box.session?.responsesRead { progress.responses(count, since: started) }
            }
        } catch where interrupt.fired {
            if var session = box.session { return session.finishPartial() }
            throw error
        } catch where box.session != nil && !(error is CancellationError) {
            // The head arrived and then the body broke off (the connection closed in mid-chunk): a cut answer is
            // itself the diagnosis, not a failure to reach the server.
            return try box.session!.finishCut(reason: "\(error)")
        }
        guard var session = box.session else { throw DAVClientError.network("no answer") }
        if box.broken == nil {
            do { return try session.finish() } catch let error as DAVCoreError { box.broken = error }
        }
        // A live answer that is not a whole multistatus is itself the diagnosis, not a reason to stop.
        var result = session.finishPartial()
        result.notes.removeAll { $0.hasPrefix("interrupted after") }
        result.findings.insert(BrokenDocument.finding(box.broken!, head: session.head, path: session.context.requestPath), at: 0)
        return result
    }

    /// The `--allow-writes` probes, in order: stop after a failed MKCOL or PUT, but always try to remove
    /// the scratch collection once it exists. Returns what they got; ``ScratchWrites`` says what it means.
    /// `beforeRemoval` runs just before the scratch collection is removed, when it was created (more write
    /// probes that need it, such as `proxy`'s If and Lock-Token trials).
    static func runScratchWrites(
        _ writes: ScratchWrites, client: DAVClient, recorder: ExchangeRecorder?, progress: Progress,
        beforeRemoval: () async -> Void = {}
    ) async -> [ProbeOutcome] {
        var outcomes: [ProbeOutcome] = []
        var created = false
        for probe in writes.steps {
            let mustStop = outcomes.contains { [.scratchCreate, .scratchPut].contains($0.probe.kind) && !(200..<300).contains($0.head?.status ?? 0) }
            if probe.kind == .scratchDelete, created { await beforeRemoval() }
            if probe.kind == .scratchDelete ? !created : mustStop { continue }
            progress.note("write probe: \(probe.method) \(probe.url)")
            let result = await run(probe, client: client, second: nil, recorder: recorder)
            if probe.kind == .scratchCreate, let status = result.head?.status, (200..<300).contains(status) { created = true }
            outcomes.append(result)
        }
        progress.clear()
        return outcomes
    }

    /// `--client`: the read-only probes client needs ask for, then the verdict per need.
    static func runClientProfiles(_ clients: [Client], url: String, into outcome: inout CheckResult, client: DAVClient, recorder: ExchangeRecorder?, progress: Progress) async {
        for probe in ClientProfiles.probes(url: url, token: scratchToken()) {
            progress.note("client probe: \(probe.method) \(probe.url)")
            outcome.probes.append(await run(probe, client: client, second: nil, recorder: recorder))
        }
        progress.clear()
        let (findings, outcomes) = ClientProfiles.evaluate(clients, evidence: ClientEvidence(outcome), server: outcome.analysis.server.kind)
        outcome.analysis.findings.append(contentsOf: findings)
        outcome.clientOutcomes = outcomes
    }

    /// A short random name part, so two checks never share a scratch collection.
    static func scratchToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement(using: &generator)! })
    }

    /// Sends one probe; a transport failure becomes part of the outcome, not an error.
    static func run(_ probe: Probe, client: DAVClient, second: Credentials?, recorder: ExchangeRecorder?) async -> ProbeOutcome {
        let authentication: Authentication
        switch probe.identity {
        case .user: authentication = .default
        case .anonymous: authentication = .anonymous
        case .secondUser: authentication = second.map { .user($0) } ?? .anonymous
        }
        var headers = probe.headers
        if let body = probe.body, !body.isEmpty, headers["Content-Type"] == nil { headers.set("Content-Type", "application/xml; charset=utf-8") }
        let request = DAVRequest(method: probe.method, url: probe.url, headers: headers, body: probe.body ?? [], authentication: authentication)
        if probe.method == "OPTIONS" { return await headOnly(probe, request, client: client, recorder: recorder) }
        do {
            let exchange = try await client.send(request, bodyLimit: 16 << 20, recorder: recorder)
            return ProbeOutcome(probe: probe, head: exchange.response, body: exchange.body, milliseconds: Int(exchange.timings.totalMilliseconds))
        } catch {
            return ProbeOutcome(probe: probe, head: nil, failure: String(describing: error))
        }
    }
}

extension Check {
    /// Stops an OPTIONS probe once its head is read.
    struct HeadRead: Error, CustomStringConvertible {
        var description: String { "only the head of an OPTIONS answer is read" }
    }

    /// OPTIONS says everything in its head (DAV, Allow, Server), so the body is not waited for: lighttpd
    /// 1.4.69 answers OPTIONS of a missing path with a chunked body it never ends, which held every such
    /// probe until the read timeout.
    static func headOnly(_ probe: Probe, _ request: DAVRequest, client: DAVClient, recorder: ExchangeRecorder?) async -> ProbeOutcome {
        let started = ContinuousClock.now
        var head: ResponseHead?
        do {
            try await client.stream(request, recorder: recorder) { answer in
                head = answer
                throw HeadRead()
            } onBody: { _ in }
        } catch is HeadRead {
        } catch {
            return ProbeOutcome(probe: probe, head: nil, failure: String(describing: error))
        }
        let elapsed = ContinuousClock.now - started
        return ProbeOutcome(probe: probe, head: head, milliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
    }
}

/// Progress on a terminal while a long answer streams in; silent when stderr is not a TTY.
final class Progress: @unchecked Sendable {
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
final class Interrupt: @unchecked Sendable {
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
