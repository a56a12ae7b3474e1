import DAVClient
import DAVCore
import Diagnosis
import Foundation

/// Where a long check says what it is doing (a terminal line in `check`, nothing in `lab`).
public protocol CheckProgress: Sendable {
    func responses(_ count: Int, since start: ContinuousClock.Instant)
    func note(_ text: String)
    func clear()
}

/// Says when the user asked a check to stop (Ctrl-C): the stream and the probes stop, and what was found
/// so far is reported.
public protocol CheckStop: Sendable {
    var fired: Bool { get }
}

/// Runs a live check for every command that needs one (`check`, `proxy`, `lab --check`): sends the
/// request and analyzes the answer as it streams, drives the ``Investigation``'s probes, the
/// `--allow-writes` scratch writes and the client profiles' probes. The decisions are Diagnosis's; this
/// only moves bytes.
public enum CheckRunner {
    /// The request, its analysis and the probe loop: what `check` and `lab --check` share.
    public static func investigate(
        _ request: DAVRequest, client: DAVClient, second: Credentials?, hasCredentials: Bool, userName: String? = nil, recorder: ExchangeRecorder?,
        progress: any CheckProgress, interrupt: any CheckStop
    ) async throws -> CheckResult {
        let analysis = try await ask(client, request, recorder: recorder, progress: progress, interrupt: interrupt)
        progress.clear()
        var investigation = Investigation(
            initial: analysis,
            options: .init(
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
        for probe in outcome.probes {
            guard let faults = probe.head?.framingFaults, !faults.isEmpty else { continue }
            let kinds = Set(faults.map(\.kind.rawValue)).sorted().joined(separator: ", ")
            outcome.analysis.notes.append(
                "the answer to the probe \(probe.probe.method) \(probe.probe.url) was read raw, as the HTTP client refused it: \(kinds)")
        }
        return outcome
    }

    /// Sends the user's request and analyzes the answer as it streams in.
    public static func ask(
        _ client: DAVClient, _ request: DAVRequest, recorder: ExchangeRecorder?, progress: any CheckProgress, interrupt: any CheckStop
    ) async throws -> AnalysisResult {
        var info = RequestInfo(method: request.method, url: request.url, headers: request.headers, body: request.body.isEmpty ? nil : request.body)
        info.signedIn = client.sendsCredentials(for: request)
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
        } catch  where interrupt.fired {
            if var session = box.session { return session.finishPartial() }
            throw error
        } catch let error as DAVClientError where error == .unparseable {
            // The HTTP client refused the answer's framing: read the bytes ourselves and say what is wrong.
            return try await readRaw(client, request, info: info, refusal: error)
        } catch  where box.session != nil && !(error is CancellationError) {
            // The head arrived and then the body broke off (the connection closed in mid-chunk): a cut answer is
            // itself the diagnosis, not a failure to reach the server.
            let cut = try box.session!.finishCut(reason: "\(error)")
            return await framingOrAsIs(cut, client, request, info: info)
        }
        guard var session = box.session else { throw DAVClientError.network("no answer") }
        if box.broken == nil {
            do {
                let finished = try session.finish()
                return session.documentBroke ? await framingOrAsIs(finished, client, request, info: info) : finished
            } catch let error as DAVCoreError { box.broken = error }
        }
        // A live answer that is not a whole multistatus is itself the diagnosis, not a reason to stop.
        return await framingOrAsIs(session.finishBroken(box.broken!), client, request, info: info)
    }

    /// A body the HTTP client took but that broke off or does not parse may be misframed in a way the client
    /// forgave or could only report as a cut (a chunk size larger than its data, bytes past Content-Length):
    /// asked again and read raw (only when the method changes nothing), the framing faults it shows replace
    /// the live reading; without any, the live reading stands.
    static func framingOrAsIs(_ live: AnalysisResult, _ client: DAVClient, _ request: DAVRequest, info: RequestInfo) async -> AnalysisResult {
        guard resendable.contains(request.method) else { return live }
        do {
            let raw = try await readRaw(client, request, info: info, refusal: nil)
            let framed = raw.findings.contains { finding in finding.signs.contains { $0.kind.hasPrefix("framing-") && $0.kind != bodyShorterSign } }
            return framed ? raw : live
        } catch {
            var live = live
            live.notes.append("davdoctor asked again to read the raw bytes of this broken answer, and that failed: \(error)")
            return live
        }
    }

    /// The sign a cut body carries: the live reading already names it, so it alone is no reason to prefer the raw reading.
    static let bodyShorterSign = "framing-\(FramingFault.Kind.bodyShorter.rawValue)"

    /// An answer the HTTP client could not parse, read from its raw bytes: TLS bytes are a TLS port (said
    /// so), anything else is read as a capture, whose framing faults become findings beside whatever the
    /// body holds.
    /// `refusal`: what the HTTP client said of the answer, when it refused it (nil when it took the answer
    /// and only the body looked wrong).
    static func readRaw(_ client: DAVClient, _ request: DAVRequest, info: RequestInfo, refusal: DAVClientError?) async throws -> AnalysisResult {
        // Reading again means sending again: only for methods that change nothing on the server.
        guard resendable.contains(request.method) else {
            throw DAVClientError.unparseable(
                Href(request.url).authority ?? request.url,
                "\(refusal.map { "\($0)" } ?? "the answer broke off"); a \(request.method) is not sent twice, so save the answer with curl --raw -i and run davdoctor analyze on it"
            )
        }
        let bytes = try await client.fetchRaw(request, limit: rawLimit)
        if bytes.count >= 2, bytes[0] == 0x15 || bytes[0] == 0x16, bytes[1] == 0x03 {
            throw DAVClientError.tls(
                "\(Href(request.url).authority ?? request.url) answered with a TLS record to plain HTTP: it expects TLS (try https://)")
        }
        guard !bytes.isEmpty else { throw refusal ?? DAVClientError.connectionClosed(Href(request.url).authority ?? request.url) }
        let first = String(decoding: bytes.prefix(40), as: UTF8.self).debugDescription
        guard bytes.drop(while: { $0 == 0x20 || $0 == 0x0D || $0 == 0x0A }).starts(with: Array("HTTP/".utf8)) else {
            return Analysis.unframed(info, fault: FramingFault(.http09, detail: "\(bytes.count) bytes came, starting \(first)"))
        }
        guard
            bytes.indices.contains(where: { i in
                bytes[i] == 0x0A && (bytes[i...].dropFirst().first == 0x0A || bytes[i...].dropFirst().starts(with: [0x0D, 0x0A]))
            })
        else {
            return Analysis.unframed(
                info,
                fault: FramingFault(.closedBeforeStatusLine, detail: "the connection closed after \(bytes.count) bytes, inside the head: \(first)"))
        }
        var reader = CaptureReader(bytes: bytes, name: request.url)
        reader.lineEndsAsSent = true
        var overrides = RequestOverrides(
            method: info.method, url: info.url, headers: info.headers.fields.map { ($0.name, $0.value) }, body: info.body)
        overrides.signedIn = info.signedIn
        var result = try Analysis.run(reader: &reader, request: overrides, pieces: 1)
        result.notes.insert(
            refusal.map { "the HTTP client refused this answer (\($0)); davdoctor read its \(bytes.count) raw bytes itself" }
                ?? "the answer's body broke off or did not parse, so davdoctor asked again and read the \(bytes.count) raw bytes itself", at: 0)
        if bytes.count >= rawLimit {
            result.notes.insert("only the first \(rawLimit >> 20) MiB of the raw answer were read; the rest was not judged", at: 1)
        }
        return result
    }

    /// The methods whose answer may be asked for a second time, raw: they change nothing on the server.
    static let resendable: Set<String> = ["GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT"]
    /// How much of an answer is kept when it is read raw (the HTTP client's own limits no longer apply).
    static let rawLimit = 64 << 20
    /// A probe's body is for judging its status and a few properties: 16 MiB is more than any needs.
    static let probeBodyLimit = 16 << 20

    /// A probe whose answer the HTTP client refused: asked again and read raw (only when its method changes
    /// nothing), so the probe still has a status, headers and body to judge; the framing faults ride on
    /// the head, where ``FramingRule`` and the probe interpreters can see them.
    static func rawProbeOutcome(_ probe: Probe, _ request: DAVRequest, client: DAVClient, refusal: DAVClientError, started: ContinuousClock.Instant)
        async -> ProbeOutcome
    {
        guard resendable.contains(request.method) else { return ProbeOutcome(probe: probe, head: nil, failure: String(describing: refusal)) }
        do {
            let bytes = try await client.fetchRaw(request, limit: probeBodyLimit)
            var reader = CaptureReader(bytes: bytes, name: request.url)
            reader.lineEndsAsSent = true
            guard var head = try reader.readHead().response else { throw refusal }
            var body: [UInt8] = []
            // A HEAD answer, a 1xx, 204 or 304 has no body whatever its Content-Length says (RFC 9112 §6.3).
            if request.method != "HEAD", ![204, 304].contains(head.status), head.status >= 200 {
                let (bytes, info) = try reader.readWholeBody(limit: probeBodyLimit)
                body = bytes
                head.framingFaults += info.framingFaults
            }
            return ProbeOutcome(probe: probe, head: head, body: body, milliseconds: milliseconds(since: started))
        } catch {
            return ProbeOutcome(probe: probe, head: nil, failure: "\(refusal); read raw, the answer was still unreadable: \(error)")
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let elapsed = ContinuousClock.now - start
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The `--allow-writes` probes, in order: stop after a failed MKCOL or PUT, but always try to remove
    /// the scratch collection once it exists; after a refused MKCOL, a small file beside it, put and removed. Returns what they got; ``ScratchWrites`` says what it means.
    /// `beforeRemoval` runs just before the scratch collection is removed, when it was created (more write
    /// probes that need it, such as `proxy`'s If and Lock-Token trials).
    public static func runScratchWrites(
        _ writes: ScratchWrites, client: DAVClient, recorder: ExchangeRecorder?, progress: any CheckProgress,
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
        // A refused MKCOL leaves the directory's question open: a small file beside the target answers it,
        // and is removed whatever its PUT said (a server may keep the name of a file it could not fill).
        if let create = outcomes.first(where: { $0.probe.kind == .scratchCreate })?.head?.status, !(200..<300).contains(create) {
            for probe in writes.fileSteps {
                progress.note("write probe: \(probe.method) \(probe.url)")
                outcomes.append(await run(probe, client: client, second: nil, recorder: recorder))
            }
        }
        progress.clear()
        return outcomes
    }

    /// `--client`: the read-only probes client needs ask for, then the verdict per need.
    public static func runClientProfiles(
        _ clients: [Client], url: String, into outcome: inout CheckResult, client: DAVClient, recorder: ExchangeRecorder?, progress: any CheckProgress
    ) async {
        for probe in ClientProfiles.probes(url: url, token: scratchToken(), clients: clients) {
            progress.note("client probe: \(probe.method) \(probe.url)")
            outcome.probes.append(await run(probe, client: client, second: nil, recorder: recorder))
        }
        progress.clear()
        let (findings, outcomes) = ClientProfiles.evaluate(clients, evidence: ClientEvidence(outcome), server: outcome.analysis.server.kind)
        outcome.analysis.findings.append(contentsOf: findings)
        outcome.clientOutcomes = outcomes
    }

    /// A short random name part, so two checks never share a scratch collection.
    public static func scratchToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement(using: &generator)! })
    }

    /// Sends one probe; a transport failure becomes part of the outcome, not an error.
    public static func run(_ probe: Probe, client: DAVClient, second: Credentials?, recorder: ExchangeRecorder?) async -> ProbeOutcome {
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
        let started = ContinuousClock.now
        do {
            let exchange = try await client.send(request, bodyLimit: probeBodyLimit, recorder: recorder)
            return ProbeOutcome(probe: probe, head: exchange.response, body: exchange.body, milliseconds: Int(exchange.timings.totalMilliseconds))
        } catch let error as DAVClientError where error == .unparseable {
            return await rawProbeOutcome(probe, request, client: client, refusal: error, started: started)
        } catch {
            return ProbeOutcome(probe: probe, head: nil, failure: String(describing: error))
        }
    }

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
            } onBody: { _ in
            }
        } catch is HeadRead {
        } catch let error as DAVClientError where error == .unparseable {
            return await rawProbeOutcome(probe, request, client: client, refusal: error, started: started)
        } catch {
            return ProbeOutcome(probe: probe, head: nil, failure: String(describing: error))
        }
        return ProbeOutcome(probe: probe, head: head, milliseconds: milliseconds(since: started))
    }
}
