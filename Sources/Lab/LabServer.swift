import DAVClient
import DAVCore
import DAVServer
import Foundation
import Hummingbird
import Logging

/// `davdoctor serve`, started in this process over a fresh temporary tree with a scenario's users, rules
/// and limits, on 127.0.0.1; then driven into the scenario's failure. Everything lives in one temporary
/// directory that ``stop(keep:)`` removes.
public final class LabServer: @unchecked Sendable {
    public let scenario: Scenario
    /// Where clients go: the fault layer when the scenario has faults, else the server itself.
    public let url: String
    /// The server itself, behind the fault layer.
    public let serverURL: String
    public let work: String
    public var root: String { work + "/root" }
    /// Lock tokens the setup took, by path, for the report and for a clean-up UNLOCK.
    public private(set) var lockTokens: [String: String] = [:]
    private let tasks: [Task<Void, any Error>]
    private let proxyClient: DAVClient?

    private init(scenario: Scenario, url: String, serverURL: String, work: String, tasks: [Task<Void, any Error>], proxyClient: DAVClient?) {
        self.scenario = scenario
        self.url = url
        self.serverURL = serverURL
        self.work = work
        self.tasks = tasks
        self.proxyClient = proxyClient
    }

    /// Starts the server (`port` 0 picks a free one) and runs the scenario's setup steps.
    public static func start(_ scenario: Scenario, port: Int = 0) async throws -> LabServer {
        let work = NSTemporaryDirectory() + "davdoctor-lab-\(scenario.name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work + "/root", withIntermediateDirectories: true)
        try LabTree.seed(work + "/root")
        let configuration = serverConfiguration(scenario)
        var options = DAVServerOptions(storage: try FileSystemStorage(root: work + "/root"), access: try AccessRules(configuration: configuration))
        try options.apply(scenario.limits)
        options.accessLog = try AccessLog(path: work + "/access.log")

        var logger = Logger(label: "davdoctor.lab")
        logger.logLevel = .critical  // a cancelled server logs its shutdown as errors; the lab ends it on purpose
        let faults = scenario.faults
        let (serverTask, serverPort) = try await run(logger: logger, port: faults == nil ? port : 0) { onListening in
            DAVServer.makeApplication(options: options, host: "127.0.0.1", port: faults == nil ? port : 0, logger: logger, onListening: onListening)
        }
        let serverURL = "http://127.0.0.1:\(serverPort)"
        var tasks = [serverTask]
        var url = serverURL
        var proxyClient: DAVClient?
        if let faults {
            let client = try DAVClient(configuration: .init(connectTimeout: .seconds(5), readTimeout: .seconds(60)))
            proxyClient = client
            let layer = FaultLayer(backend: serverURL, faults: faults, client: client)
            let (proxyTask, proxyPort) = try await run(logger: logger, port: port) { onListening in
                Application(
                    responder: layer,
                    configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: "davdoctor-lab-proxy"),
                    onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) }, logger: logger)
            }
            tasks.append(proxyTask)
            url = "http://127.0.0.1:\(proxyPort)" + (faults.prefix ?? "")
        }
        let server = LabServer(scenario: scenario, url: url, serverURL: serverURL, work: work, tasks: tasks, proxyClient: proxyClient)
        do {
            try await server.runSetup()
        } catch {
            await server.stop(keep: false)
            throw error
        }
        return server
    }

    /// Stops the server (and the fault layer); removes the temporary tree unless `keep`.
    public func stop(keep: Bool) async {
        for task in tasks.reversed() {
            task.cancel()
            _ = try? await task.value
        }
        try? await proxyClient?.shutdown()
        if !keep { try? FileManager.default.removeItem(atPath: work) }
    }

    /// Runs an application in a task until cancelled; returns the task and the port it listens on.
    private static func run<App: ApplicationProtocol>(
        logger: Logger, port: Int, _ make: (@escaping @Sendable (Int) async -> Void) -> App
    ) async throws -> (Task<Void, any Error>, Int) {
        let (listening, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = make { port in
            continuation.yield(port)
            continuation.finish()
        }
        let task = Task { try await DAVServer.run(app, handlesSignals: false) }
        var bound: Int?
        for await port in listening { bound = port }
        guard let bound else {
            task.cancel()
            throw LabError("the lab could not listen on 127.0.0.1:\(port)")
        }
        return (task, bound)
    }

    /// The request of the scenario, ready for `check`.
    public func request() -> DAVRequest {
        var headers = DAVCore.HTTPFields()
        if let depth = scenario.request.depth { headers.set("Depth", depth) }
        for (name, value) in (scenario.request.headers ?? [:]).sorted(by: { $0.key < $1.key }) {
            headers.set(name, fillIn(value))
        }
        let body = Array((scenario.request.body ?? "").utf8)
        if body.first == UInt8(ascii: "<") { headers.set("Content-Type", "application/xml; charset=utf-8") }
        return DAVRequest(method: scenario.request.method, url: url + URLPath.encode(scenario.request.path), headers: headers, body: body)
    }

    /// A header value of the scenario with the lab's particulars written in: `{url}` (the lab's URL),
    /// `{authority}` (its host and port) and `{token:PATH}` (the token of the lock the setup took on PATH).
    func fillIn(_ value: String) -> String {
        var text = value.replacingOccurrences(of: "{url}", with: url)
        text = text.replacingOccurrences(of: "{authority}", with: Href(url).authority ?? "")
        for (path, token) in lockTokens { text = text.replacingOccurrences(of: "{token:\(path)}", with: token) }
        return text
    }

    /// The credentials the request is sent with.
    public func credentials() -> Credentials? {
        scenario.request.user.flatMap { user in scenario.password(of: user).map { Credentials(user: user, password: $0) } }
    }

    /// curl and cadaver command lines that reproduce the failure by hand.
    public func reproduction() -> [String] {
        let request = request()
        var curl = "curl -i -X \(request.method)"
        if let user = scenario.request.user { curl += " -u '\(user):\(scenario.password(of: user) ?? "")'" }
        // The headers as the request sends them: Content-Type only when the body is XML.
        for (name, value) in request.headers { curl += " -H '\(name): \(value)'" }
        if !request.body.isEmpty { curl += " --data-binary '\(String(decoding: request.body, as: UTF8.self))'" }
        curl += " '\(request.url)'"
        return [curl, "cadaver \(url)/"]
    }

    private func runSetup() async throws {
        try await DAVClient.withClient(configuration: .init(connectTimeout: .seconds(5), readTimeout: .seconds(30))) { client in
            try await runSetup(with: client)
        }
    }

    private func runSetup(with client: DAVClient) async throws {
        for step in scenario.setup ?? [] {
            let user = step.user ?? scenario.request.user
            let authentication =
                user.flatMap { name in scenario.password(of: name).map { Authentication.user(Credentials(user: name, password: $0)) } } ?? .anonymous
            var request: DAVRequest
            var headers = DAVCore.HTTPFields()
            if let path = step.lock {
                headers.set("Timeout", step.timeout ?? "Second-3600")
                headers.set("Content-Type", "application/xml; charset=utf-8")
                let owner = "mailto:\(user ?? "someone")@example.com"
                let body =
                    #"<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>"#
                    + owner + "</D:href></D:owner></D:lockinfo>"
                request = DAVRequest(method: "LOCK", url: serverURL + URLPath.encode(path), headers: headers, body: Array(body.utf8))
            } else if let path = step.propfind {
                headers.set("Depth", "1")
                request = DAVRequest(method: "PROPFIND", url: url + URLPath.encode(path), headers: headers)
            } else if let path = step.mkcol {
                request = DAVRequest(method: "MKCOL", url: serverURL + URLPath.encode(path))
            } else if let path = step.put {
                request = DAVRequest(method: "PUT", url: serverURL + URLPath.encode(path), body: Array((step.content ?? "").utf8))
            } else {
                throw LabError("scenario \(scenario.name): a setup step names no lock, propfind, mkcol or put")
            }
            request.authentication = authentication
            let answer = try await client.send(request)
            guard (200..<300).contains(answer.status) else {
                throw LabError("scenario \(scenario.name): setup \(request.method) \(request.url) answered \(answer.status)")
            }
            if request.method == "LOCK", let token = answer.response.headers["Lock-Token"] {
                lockTokens[step.lock!] = token.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
            }
        }
    }

    /// The scenario's server settings, passwords hashed with few iterations: the lab's accounts are
    /// throw-away, and start-up stays instant.
    static func serverConfiguration(_ scenario: Scenario) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.users = scenario.users?.map {
            ServerConfiguration.User(name: $0.name, password: PasswordHash(password: $0.password, iterations: 1000).description, groups: $0.groups)
        }
        configuration.anonymous = scenario.anonymous
        configuration.rules = scenario.rules
        configuration.limits = scenario.limits
        return configuration
    }
}
