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
        if plan.allowWrites, !interrupt.fired, let writes = ScratchWrites(for: outcome.analysis.context.request, token: scratchToken()) {
            outcome.fold(writes, outcomes: await runScratchWrites(writes, client: client, recorder: recorder, progress: progress))
        }
        if !plan.clients.isEmpty, !interrupt.fired {
            await runClientProfiles(plan.clients, url: plan.request.url, into: &outcome, client: client, recorder: recorder, progress: progress)
        }
        return outcome
    }
}
