import DAVServer
import Foundation
import Yams

/// One failure the lab reproduces, read from a YAML file in `Scenarios/`: the server's users, rules and
/// limits, the steps that drive it into the failure (a lock another client holds, a folder made …), and
/// the request that then fails. `cause` is the docs/design.md cause id the failure belongs to, or `none`.
public struct Scenario: Sendable, Decodable {
    /// A lab account: the password itself (the lab hashes it when it starts the server).
    public struct User: Sendable, Decodable {
        public var name: String
        public var password: String
        public var groups: [String]?
    }

    /// A step before the request, as `user` (default: the request's user).
    public struct Step: Sendable, Decodable {
        public var lock: String?
        /// A PROPFIND Depth 1 through the faults, as a client would send it (to fill a cache, say).
        public var propfind: String?
        public var mkcol: String?
        public var put: String?
        public var content: String?
        public var user: String?
        /// The lock's Timeout header (default Second-3600); `Infinite` leaves a lock that never expires.
        public var timeout: String?
    }

    public struct Request: Sendable, Decodable {
        public var method: String
        public var path: String
        public var depth: String?
        public var user: String?
        public var body: String?
        /// Extra request headers; the lab writes in `{url}`, `{authority}` and `{token:PATH}` (the token of
        /// the lock a setup step took on PATH), so a scenario can name its own address or a real lock token.
        public var headers: [String: String]?
    }

    public var name: String
    public var cause: String
    public var description: String
    public var users: [User]?
    public var anonymous: String?
    public var rules: [ServerConfiguration.Rule]?
    public var limits: ServerConfiguration.Limits?
    public var setup: [Step]?
    public var request: Request
    /// What goes wrong between the client and the server (a faulty proxy, a misbehaving server).
    public var faults: Faults?
    /// The resources (decoded paths) that check's first finding must name: what a test holds the
    /// diagnosis to, beside the cause. Empty for a clean scenario.
    public var resources: [String]?

    public static func parse(_ yaml: String) throws -> Scenario {
        try YAMLDecoder().decode(Scenario.self, from: yaml)
    }

    /// The password of `user`, from the scenario's users.
    public func password(of user: String) -> String? { users?.first { $0.name == user }?.password }
}

/// The scenarios shipped with davdoctor, by name. They are compiled into the binary (``EmbeddedScenarios``,
/// generated from the YAML files by scripts/embed-scenarios.sh), so an installed davdoctor has them with no
/// resource bundle to find beside it.
public enum ScenarioCatalog {
    public static func all() throws -> [Scenario] {
        try EmbeddedScenarios.files.map { file in
            do { return try Scenario.parse(file.text) } catch { throw LabError("scenario \(file.name): \(error)") }
        }
    }

    public static func named(_ name: String) throws -> Scenario {
        let scenarios = try all()
        guard let scenario = scenarios.first(where: { $0.name == name }) else {
            throw LabError("no scenario named '\(name)'; davdoctor lab --list shows them (\(scenarios.map(\.name).joined(separator: ", ")))")
        }
        return scenario
    }
}

public struct LabError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
