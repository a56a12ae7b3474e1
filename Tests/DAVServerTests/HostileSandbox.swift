import DAVCore
import Foundation
import HummingbirdTesting
import Logging
import Testing

@testable import DAVServer

/// A served root on disk with a secret beside it, and links inside the root that lead out to it.
///
/// ```
/// base/outside/secret.txt           the secret text
/// base/outside/dir/inner.txt        the secret text again
/// base/root/plain.txt  root/sub/inner.txt  root/canary.txt (only ever read, to see the server still answers)
/// base/root/link-file     -> outside/secret.txt
/// base/root/link-dir      -> outside/dir
/// base/root/link-dangling -> outside/planted.txt   (does not exist: writing through it would create it)
/// base/root/sub/link-up   -> ../../outside        (relative)
/// base/data                dead properties and locks (SQLite)
/// ```
/// ``outsideIsUntouched`` compares everything under `outside` (names, sizes, times, contents) with
/// the state recorded at creation.
final class HostileSandbox: @unchecked Sendable {
    private let base = TemporaryDirectory()
    let secret = "SECRET-" + UUID().uuidString
    var options: DAVServerOptions
    private let initialOutside: [String: String]

    var root: String { base.path + "/root" }
    var outside: String { base.path + "/outside" }

    init(configure: (inout DAVServerOptions) -> Void = { _ in }) throws {
        let files = FileManager.default
        let base = self.base.path
        for directory in ["outside/dir", "root/sub", "data"] {
            try files.createDirectory(atPath: base + "/" + directory, withIntermediateDirectories: true)
        }
        try secret.write(toFile: base + "/outside/secret.txt", atomically: false, encoding: .utf8)
        try secret.write(toFile: base + "/outside/dir/inner.txt", atomically: false, encoding: .utf8)
        try "plain".write(toFile: base + "/root/plain.txt", atomically: false, encoding: .utf8)
        try "canary".write(toFile: base + "/root/canary.txt", atomically: false, encoding: .utf8)
        try "inner".write(toFile: base + "/root/sub/inner.txt", atomically: false, encoding: .utf8)
        try files.createSymbolicLink(atPath: base + "/root/link-file", withDestinationPath: base + "/outside/secret.txt")
        try files.createSymbolicLink(atPath: base + "/root/link-dir", withDestinationPath: base + "/outside/dir")
        try files.createSymbolicLink(atPath: base + "/root/link-dangling", withDestinationPath: base + "/outside/planted.txt")
        try files.createSymbolicLink(atPath: base + "/root/sub/link-up", withDestinationPath: "../../outside")
        let stores = try DAVServer.persistentStores(dataDirectory: base + "/data")
        options = DAVServerOptions(storage: try FileSystemStorage(root: base + "/root"), properties: stores.properties, locks: stores.locks)
        configure(&options)
        initialOutside = Self.state(of: base + "/outside")
    }

    /// Every entry under `directory` (itself included): type, size, modification time and file content.
    static func state(of directory: String) -> [String: String] {
        var entries: [String: String] = [:]
        let names = [""] + ((FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? [])
        for name in names {
            let full = name.isEmpty ? directory : directory + "/" + name
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            let content = (st.st_mode & S_IFMT) == S_IFREG ? (try? String(contentsOfFile: full, encoding: .utf8)) ?? "?" : ""
            entries[name] = "\(st.st_mode) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(content)"
        }
        return entries
    }

    /// Whether nothing outside the root was created, changed or removed since the sandbox was made.
    var outsideIsUntouched: Bool { Self.state(of: outside) == initialOutside }

    /// Everything under the root, to compare before and after a refused request.
    var rootState: [String: String] { Self.state(of: root) }

    /// Content of a file under the root, nil when it does not exist.
    func fileInRoot(_ relative: String) -> String? {
        try? String(contentsOfFile: root + "/" + relative, encoding: .utf8)
    }

    /// Names in a directory under the root, hidden upload files included.
    func namesInRoot(_ relative: String = "") -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + relative)) ?? []
    }

    /// Runs `body` against this sandbox served on 127.0.0.1 the way `davdoctor serve` does, then stops it.
    /// In `.router` mode nothing listens and `port` is 0.
    func serve(
        _ mode: TestingSetup = .live, _ body: @escaping @Sendable (_ port: Int, _ client: any TestClientProtocol) async throws -> Void
    ) async throws {
        let app = DAVServer.makeApplication(options: options, host: "127.0.0.1", port: 0, logger: Logger(label: "hostile"))
        try await app.test(mode) { client async throws in
            try await body(client.port ?? 0, client)
        }
    }

    /// The server still answers an ordinary request, and nothing outside the root moved.
    func expectStillServingAndConfined(
        _ client: any TestClientProtocol, headers: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let answer = try await client.send("GET", "/canary.txt", headers: headers)
        #expect(answer.code == 200 && answer.text == "canary", "the server stopped serving", sourceLocation: sourceLocation)
        #expect(outsideIsUntouched, "something outside the served root changed", sourceLocation: sourceLocation)
    }
}
