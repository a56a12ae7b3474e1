import Foundation

#if canImport(Testing)
    // Absent from the static-stdlib resource folder, which `swift build --static-swift-stdlib` (scripts/release.sh)
    // uses for every target, this one included; only the test bundles use what needs it.
    import Testing
#endif

/// Something a test needs from the machine beyond Swift: a program, a peer server, a Python module.
///
/// `swift test` must pass on a machine with Swift alone, and CI must still run every test. So a test
/// or suite says what it needs with the `.needs(…)` trait (or `try Need.check(…)` inside a
/// parameterized test, whose cases need different things): when something is missing it is skipped
/// with one line naming it — and under `DAVDOCTOR_REQUIRE_ALL=1` (set by `.ci/run`) it fails instead.
public enum Need: Sendable, Hashable, CustomStringConvertible {
    /// An executable found on PATH (or in /usr/sbin, /sbin, which a non-root PATH often lacks).
    case program(String)
    /// A peer started by `scripts/peers/start-NAME.sh`: needs the programs that script runs.
    case peer(String)
    /// A module `python3` can import.
    case pythonModule(String)
    /// A file a package installs beside its program (an Apache module, say).
    case file(String)

    public static let chromium = Need.program("chromium")
    public static let curl = Need.program("curl")
    public static let openssl = Need.program("openssl")
    public static let python3 = Need.program("python3")
    /// GNU time (`/usr/bin/time -f %M`), for peak memory; the shell's `time` keyword is no substitute.
    public static let gnuTime = Need.program("time")

    public var description: String {
        switch self {
        case .program(let name): name
        case .peer(let name): "the \(name) peer"
        case .pythonModule(let name): "python3 module \(name)"
        case .file(let path): path
        }
    }

    /// Why this need is not met on this machine, or nil when it is.
    public var unmetReason: String? {
        switch self {
        case .program(let name):
            return Need.path(of: name) == nil ? "\(name) is not installed (not on PATH)" : nil
        case .peer(let name):
            if name == "davdoctor", !FileManager.default.isExecutableFile(atPath: DavDoctorBinary.url.path) {
                return "the davdoctor binary is not built"
            }
            let missing = (Need.peerPrograms[name] ?? [name]).filter { Need.path(of: $0) == nil }
            return missing.isEmpty ? nil : "the \(name) peer needs \(missing.joined(separator: ", ")), not installed (not on PATH)"
        case .pythonModule(let name):
            if let reason = Need.python3.unmetReason { return "python3 module \(name) needs python3: \(reason)" }
            return Need.importable(name) ? nil : "python3 cannot import \(name) (pip install \(name))"
        case .file(let path):
            return FileManager.default.fileExists(atPath: path) ? nil : "\(path) is missing"
        }
    }

    /// The programs each `scripts/peers/start-NAME.sh` runs (htpasswd is apache2-utils; davdoctor's
    /// faulty profile hashes its users' passwords with python3).
    public static let peerPrograms: [String: [String]] = [
        "davdoctor": ["python3"],
        "apache": ["apache2", "htpasswd"],
        "apache-proxy": ["apache2"],
        "apache-proxy-faults": ["apache2", "openssl"],
        "nginx-dav-ext": ["nginx", "htpasswd"],
        "nginx-proxy": ["nginx"],
        "nginx-proxy-faults": ["nginx", "openssl"],
        "lighttpd": ["lighttpd", "htpasswd"],
        "wsgidav": ["wsgidav"],
        "rclone": ["rclone", "htpasswd"],
        "radicale": ["radicale", "htpasswd"],
        "radicale-proxy": ["nginx"],
        "xandikos": ["xandikos", "htpasswd", "curl"],
        "sabredav": ["php", "htpasswd"],
        "haproxy": ["haproxy"],
        "varnish": ["varnishd"],
        // The PostgreSQL server itself is not on PATH (/usr/lib/postgresql/N/bin): tests that start it also
        // declare `Need.postgres`, which looks there.
        "postgres": ["psql", "setpriv"],
        "cluster": ["nginx"],
        "apache-pair": ["apache2", "nginx"],
    ]

    /// Where `name` is: the first executable of that name on PATH, then in /usr/sbin and /sbin.
    public static func path(of name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// `path(of:)` for a program the running test declared with `.needs`, so a missing one is a clear failure.
    public static func executable(_ name: String) throws -> String {
        guard let found = path(of: name) else { throw Unmet(description: "\(name) is not installed (not on PATH)") }
        return found
    }

    /// Python imports are slow to try, so each module is tried once per test run.
    private static let importsLock = NSLock()
    nonisolated(unsafe) private static var imports: [String: Bool] = [:]

    private static func importable(_ module: String) -> Bool {
        if let known = importsLock.withLock({ imports[module] }) { return known }
        guard let python = path(of: "python3") else { return false }
        let found = (try? Processes.run(python, ["-c", "import \(module)"])) != nil
        importsLock.withLock { imports[module] = found }
        return found
    }

    /// Set by `.ci/run`, where everything is installed: a test that would be skipped fails instead.
    public static var everythingRequired: Bool { ProcessInfo.processInfo.environment["DAVDOCTOR_REQUIRE_ALL"] == "1" }

    /// The one line a skip (or, under DAVDOCTOR_REQUIRE_ALL, a failure) gives; nil when all is met.
    public static func unmet(_ needs: [Need]) -> String? {
        let reasons = needs.compactMap(\.unmetReason)
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    static func requiredButUnmet(_ reason: String) -> Unmet {
        Unmet(description: "DAVDOCTOR_REQUIRE_ALL=1, so this fails instead of being skipped: \(reason)")
    }

    public struct Unmet: Error, CustomStringConvertible {
        public var description: String
    }

    #if canImport(Testing)
        /// Inside a running test: returns when every need is met; otherwise cancels the test (or the current
        /// case of a parameterized test) with the reason, or throws under DAVDOCTOR_REQUIRE_ALL=1.
        ///
        /// swift-testing does not print why a single case was cancelled, so the reason goes to standard error too.
        public static func check(_ needs: Need..., sourceLocation: SourceLocation = #_sourceLocation) throws {
            guard let reason = unmet(needs) else { return }
            if everythingRequired { throw requiredButUnmet(reason) }
            FileHandle.standardError.write(Data("➜ A case of \(Test.current?.name ?? "a test") skipped: \(reason)\n".utf8))
            try Test.cancel(Comment(rawValue: reason), sourceLocation: sourceLocation)
        }
    #endif
}

#if canImport(Testing)

    extension Trait where Self == ConditionTrait {
        /// Runs the test or suite only when every need is met (see `Need`): otherwise skipped with the reason,
        /// or failed under DAVDOCTOR_REQUIRE_ALL=1.
        public static func needs(_ needs: Need..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
            let reason = Need.unmet(needs)
            return .enabled(reason.map { Comment(rawValue: $0) }, sourceLocation: sourceLocation) {
                guard let reason else { return true }
                if Need.everythingRequired { throw Need.requiredButUnmet(reason) }
                return false
            }
        }
    }
#endif
