import ArgumentParser
import Checking
import DAVClient
import DAVCore
import Diagnosis
import Foundation
import Reports

/// `davdoctor proxy --direct URL --via URL`: the same request both ways, and what the proxy changes.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Send the same request straight to the server and through a proxy, and report what the proxy changes.",
        discussion: """
            Compares status, Content-Type, Content-Length against the body, Content-Encoding, hrefs (and the
            mapping that would make them agree), responses missing and statuses changed. Beyond the request,
            nothing is written unless --allow-writes: then COPY and MOVE run inside a scratch collection through
            the proxy to show what happens to Destination, a file locked there straight at the server shows whether
            If and Lock-Token get through, and the collection is removed.
              davdoctor proxy --direct http://127.0.0.1:8080/docs/ --via https://files.example.com/dav/docs/ --user alice
            """)

    @Option(help: "The URL of the resource on the server itself (behind the proxy).")
    var direct: String

    @Option(help: "The URL of the same resource through the proxy, as clients use it.")
    var via: String

    @OptionGroup var live: LiveRequestOptions

    @Flag(name: .customLong("allow-writes"), help: "COPY, MOVE, a PUT with If and an UNLOCK through the proxy inside a scratch collection, removed afterwards.")
    var allowWrites = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        for url in [direct, via] {
            let href = Href(url)
            guard href.scheme == "http" || href.scheme == "https", href.authority?.isEmpty == false else {
                throw ValidationError("--direct and --via must be absolute http:// or https:// URLs, not '\(url)'")
            }
        }
    }

    func run() async throws {
        let credentials = try Result { try Credentials.resolve(userFlag: live.user, url: via) }.orExit()
        let client = try Result { try live.client(credentials: credentials) }.orExit()
        let progress = Progress(enabled: false)
        let interrupt = Interrupt()
        var comparison: ProxyComparison
        var scratch: (findings: [Finding], notes: [String], noteSigns: [Sign]) = ([], [], [])
        do {
            let directSide = try await side(direct, client: client, progress: progress, interrupt: interrupt)
            let viaSide = try await side(via, client: client, progress: progress, interrupt: interrupt)
            comparison = ProxyComparison(direct: directSide, via: viaSide)
            let token = CheckRunner.scratchToken()
            if allowWrites, var writes = ScratchWrites(requestURL: via, token: token), let straight = ScratchWrites(requestURL: direct, token: token) {
                writes.pathUnchangedByProxy = Href(via).path == Href(direct).path
                // The same scratch collection seen straight: a file locked there, then If and Lock-Token through the proxy.
                let lockHeaders = ProxyLockHeaders(directScratch: straight.scratchURL, viaScratch: writes.scratchURL)
                var lockResult: (finding: Finding?, notes: [String], noteSigns: [Sign]) = (nil, [], [])
                let outcomes = await CheckRunner.runScratchWrites(writes, client: client, recorder: nil, progress: progress) {
                    lockResult = await Self.tryLockHeaders(lockHeaders, client: client, progress: progress)
                }
                let result = writes.interpret(outcomes, server: viaSide.analysis.server.kind)
                scratch = ([result.finding, lockResult.finding].compactMap { $0 }, result.notes + lockResult.notes, result.noteSigns + lockResult.noteSigns)
            }
        } catch let error as DAVClientError {
            try? await client.shutdown()
            printError(error.description)
            throw error.isNetworkFailure ? ExitStatus.unreachable : ExitStatus.badInput
        } catch {
            try? await client.shutdown()
            printError(String(describing: error))
            throw ExitStatus.badInput
        }
        try? await client.shutdown()

        var result = comparison.via.analysis
        let own = result.findings
        result.findings = comparison.findings() + scratch.findings
        let directStatus = comparison.direct.analysis.status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"
        result.notes.insert("direct \(direct): \(directStatus), \(comparison.direct.analysis.collector?.responseCount ?? 0) responses, \(comparison.direct.bodyBytes) bytes", at: 0)
        result.notes.insert("via \(via): \(result.status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"), \(result.collector?.responseCount ?? 0) responses, \(comparison.via.bodyBytes) bytes", at: 1)
        if !own.isEmpty { result.notes.append("through the proxy the answer also shows: " + own.map { "[\($0.cause.rawValue)] \($0.title)" }.joined(separator: "; ")) }
        result.notes.append(contentsOf: scratch.notes)
        result.noteSigns += scratch.noteSigns
        switch output.format {
        case .text: print(TextReport(color: output.useColor).render(result), terminator: "")
        case .json: print(try JSONReport.render(result), terminator: "")
        case .html: print(HTMLReport.render(result, title: "davdoctor proxy"), terminator: "")
        }
        throw result.findings.isEmpty ? ExitStatus.clean : ExitStatus.findings
    }

    /// ``ProxyLockHeaders``: lock a scratch file straight at the server, then send its token in If and
    /// Lock-Token through the proxy and straight.
    static func tryLockHeaders(_ trial: ProxyLockHeaders, client: DAVClient, progress: Progress) async -> (finding: Finding?, notes: [String], noteSigns: [Sign]) {
        var outcomes: [ProbeOutcome] = []
        for probe in trial.setup {
            progress.note("write probe: \(probe.method) \(probe.url)")
            outcomes.append(await CheckRunner.run(probe, client: client, second: nil, recorder: nil))
            if !(200..<300).contains(outcomes.last?.head?.status ?? 0) { break }
        }
        if let lock = outcomes.first(where: { $0.probe.kind == .lockDirect }), let token = ProxyLockHeaders.token(from: lock) {
            for probe in trial.trials(token: token) {
                progress.note("write probe: \(probe.method) \(probe.url)")
                outcomes.append(await CheckRunner.run(probe, client: client, second: nil, recorder: nil))
            }
        }
        progress.clear()
        return trial.interpret(outcomes)
    }

    /// One side: the request to `url`, analyzed as it streams in.
    func side(_ url: String, client: DAVClient, progress: Progress, interrupt: Interrupt) async throws -> ProxyComparison.Side {
        let request = try live.request(to: url)
        let analysis = try await CheckRunner.ask(client, request, recorder: nil, progress: progress, interrupt: interrupt)
        return ProxyComparison.Side(url: url, analysis: analysis, bodyBytes: analysis.bodyInfo?.bytes ?? 0)
    }
}
