import DAVClient
import DAVCore
import Diagnosis

extension CheckRunner {
    /// `proxy`: the same request straight to the server and through the proxy, and what the proxy changes
    /// (``ProxyComparison``). With `allowWrites`, COPY and MOVE run inside a scratch collection through the
    /// proxy, and a file locked there straight at the server shows whether If and Lock-Token get through.
    /// The result is the proxied side's analysis with the comparison's findings; what the proxied answer
    /// shows besides is said in a note.
    public static func compareThroughProxy(
        direct: DAVRequest, via: DAVRequest, allowWrites: Bool, client: DAVClient, progress: any CheckProgress, interrupt: any CheckStop
    ) async throws -> AnalysisResult {
        let directSide = try await side(direct, client: client, progress: progress, interrupt: interrupt)
        let viaSide = try await side(via, client: client, progress: progress, interrupt: interrupt)
        let comparison = ProxyComparison(direct: directSide, via: viaSide)
        var scratch: (findings: [Finding], notes: [String], noteSigns: [Sign]) = ([], [], [])
        let token = scratchToken()
        if allowWrites, var writes = ScratchWrites(requestURL: via.url, token: token),
            let straight = ScratchWrites(requestURL: direct.url, token: token)
        {
            writes.pathUnchangedByProxy = Href(via.url).path == Href(direct.url).path
            // The same scratch collection seen straight: a file locked there, then If and Lock-Token through the proxy.
            let lockHeaders = ProxyLockHeaders(directScratch: straight.scratchURL, viaScratch: writes.scratchURL)
            var lockResult: (finding: Finding?, notes: [String], noteSigns: [Sign]) = (nil, [], [])
            let outcomes = await runScratchWrites(writes, client: client, recorder: nil, progress: progress) {
                lockResult = await tryLockHeaders(lockHeaders, client: client, progress: progress)
            }
            let result = writes.interpret(outcomes, server: viaSide.analysis.server.kind)
            scratch = (
                [result.finding, lockResult.finding].compactMap { $0 }, result.notes + lockResult.notes, result.noteSigns + lockResult.noteSigns
            )
        }

        var result = comparison.via.analysis
        let own = result.findings
        result.findings = comparison.findings() + scratch.findings
        let directStatus = comparison.direct.analysis.status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"
        result.notes.insert(
            "direct \(direct.url): \(directStatus), \(comparison.direct.analysis.collector?.responseCount ?? 0) responses, \(comparison.direct.bodyBytes) bytes",
            at: 0)
        result.notes.insert(
            "via \(via.url): \(result.status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"), \(result.collector?.responseCount ?? 0) responses, \(comparison.via.bodyBytes) bytes",
            at: 1)
        if !own.isEmpty {
            result.notes.append(
                "through the proxy the answer also shows: " + own.map { "[\($0.cause.rawValue)] \($0.title)" }.joined(separator: "; "))
        }
        result.notes.append(contentsOf: scratch.notes)
        result.noteSigns += scratch.noteSigns
        return result
    }

    /// One side: the request, analyzed as it streams in.
    static func side(_ request: DAVRequest, client: DAVClient, progress: any CheckProgress, interrupt: any CheckStop) async throws
        -> ProxyComparison.Side
    {
        let analysis = try await ask(client, request, recorder: nil, progress: progress, interrupt: interrupt)
        return ProxyComparison.Side(url: request.url, analysis: analysis, bodyBytes: analysis.bodyInfo?.bytes ?? 0)
    }

    /// ``ProxyLockHeaders``: lock a scratch file straight at the server, then send its token in If and
    /// Lock-Token through the proxy and straight.
    static func tryLockHeaders(
        _ trial: ProxyLockHeaders, client: DAVClient, progress: any CheckProgress
    ) async -> (finding: Finding?, notes: [String], noteSigns: [Sign]) {
        var outcomes: [ProbeOutcome] = []
        for probe in trial.setup {
            progress.note("write probe: \(probe.method) \(probe.url)")
            outcomes.append(await run(probe, client: client, second: nil, recorder: nil))
            if !(200..<300).contains(outcomes.last?.head?.status ?? 0) { break }
        }
        if let lock = outcomes.first(where: { $0.probe.kind == .lockDirect }), let token = ProxyLockHeaders.token(from: lock) {
            for probe in trial.trials(token: token) {
                progress.note("write probe: \(probe.method) \(probe.url)")
                outcomes.append(await run(probe, client: client, second: nil, recorder: nil))
            }
        }
        progress.clear()
        return trial.interpret(outcomes)
    }
}
