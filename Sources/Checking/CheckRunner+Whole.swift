import DAVClient
import DAVCore
import Diagnosis

/// What one `check` asks for beyond the request: who else may sign in, whether writes are allowed, which
/// clients' needs to try. `check` fills it from its flags; `lab --check` uses the request alone.
public struct CheckPlan: Sendable {
    public var request: DAVRequest
    public var second: Credentials?
    public var hasCredentials: Bool
    public var userName: String?
    public var allowWrites: Bool
    public var clients: [Client]

    public init(
        request: DAVRequest, second: Credentials? = nil, hasCredentials: Bool, userName: String? = nil, allowWrites: Bool = false,
        clients: [Client] = []
    ) {
        self.request = request
        self.second = second
        self.hasCredentials = hasCredentials
        self.userName = userName
        self.allowWrites = allowWrites
        self.clients = clients
    }
}

extension CheckRunner {
    /// A whole check, the same for every command that runs one: the request and its investigation, then,
    /// when the plan asks and the user has not interrupted, the scratch writes and the client profiles.
    public static func check(
        _ plan: CheckPlan, client: DAVClient, recorder: ExchangeRecorder?, progress: any CheckProgress, interrupt: any CheckStop
    ) async throws -> CheckResult {
        var outcome = try await investigate(
            plan.request, client: client, second: plan.second, hasCredentials: plan.hasCredentials, userName: plan.userName,
            recorder: recorder, progress: progress, interrupt: interrupt)
        let token = scratchToken()
        if plan.allowWrites, !interrupt.fired, let writes = ScratchWrites(for: outcome.analysis.context.request, token: token) {
            // In the scratch collection, before it goes: do the servers behind the URL agree on a lock and a property?
            let agreement = NodeAgreement(scratchURL: writes.scratchURL, token: token)
            var agreementOutcomes: [ProbeOutcome] = []
            let outcomes = await runScratchWrites(writes, client: client, recorder: recorder, progress: progress) {
                agreementOutcomes = await runNodeAgreement(agreement, client: client, recorder: recorder, progress: progress)
            }
            // Listed where they ran: before the scratch collection's removal.
            let removal = outcomes.firstIndex { $0.probe.kind == .scratchDelete } ?? outcomes.endIndex
            outcome.fold(writes, outcomes: Array(outcomes[..<removal]) + agreementOutcomes + outcomes[removal...])
            outcome.fold(agreement, outcomes: agreementOutcomes)
        }
        if !plan.clients.isEmpty, !interrupt.fired {
            await runClientProfiles(plan.clients, url: plan.request.url, into: &outcome, client: client, recorder: recorder, progress: progress)
        }
        return outcome
    }

    /// ``NodeAgreement``'s probes: the file, its property and its lock (stopping at the first refusal), the
    /// reads, and UNLOCK until a node that holds the lock takes it (at most as many tries as reads).
    static func runNodeAgreement(_ agreement: NodeAgreement, client: DAVClient, recorder: ExchangeRecorder?, progress: any CheckProgress) async
        -> [ProbeOutcome]
    {
        var outcomes: [ProbeOutcome] = []
        for probe in agreement.setup {
            progress.note("write probe: \(probe.method) \(probe.url)")
            let outcome = await run(probe, client: client, second: nil, recorder: recorder)
            outcomes.append(outcome)
            guard (200..<300).contains(outcome.head?.status ?? 0) else { break }
        }
        guard let lock = outcomes.last, lock.probe.kind == .agreementLock, let token = ProxyLockHeaders.token(from: lock) else {
            progress.clear()
            return outcomes
        }
        for probe in agreement.reads {
            progress.note("write probe: \(probe.method) \(probe.url)")
            outcomes.append(await run(probe, client: client, second: nil, recorder: recorder))
        }
        for _ in 0..<agreement.reads.count {
            progress.note("write probe: UNLOCK \(agreement.unlock(token: token).url)")
            let unlock = await run(agreement.unlock(token: token), client: client, second: nil, recorder: recorder)
            outcomes.append(unlock)
            if (200..<300).contains(unlock.head?.status ?? 0) || unlock.head == nil { break }
        }
        progress.clear()
        return outcomes
    }
}
