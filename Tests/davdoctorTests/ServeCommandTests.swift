import DAVTesting
import Foundation
import Testing

/// `davdoctor serve` refusals that come before anything is opened or listened on: one line on stderr,
/// nothing on stdout, exit 2, nothing created.
struct ServeCommandTests {
    /// The store URL names a port nothing listens on: the refusal must come before any connection.
    static let store = "postgres://davdoctor@127.0.0.1:1/davdoctor"

    /// A data directory and a PostgreSQL store, each from the flags or the config: nothing would be kept in
    /// the directory, so naming both is refused rather than one silently ignored.
    @Test(arguments: [
        (["--store", store, "--data-dir", "DATA"], "", "--data-dir and --store exclude each other"),
        (["--store", store], "dataDirectory: DATA\n", "dataDirectory: in the config and --store exclude each other"),
        (["--data-dir", "DATA"], "store: \"\(store)\"\n", "--data-dir and store: in the config exclude each other"),
        ([], "store: \"\(store)\"\ndataDirectory: DATA\n", "dataDirectory: in the config and store: in the config exclude each other"),
    ])
    func aDataDirectoryWithAStoreIsRefused(_ flags: [String], _ config: String, _ message: String) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work + "/tree", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let data = work + "/data"
        var arguments = ["serve", work + "/tree", "--port", "0"] + flags.map { $0 == "DATA" ? data : $0 }
        if !config.isEmpty {
            try config.replacingOccurrences(of: "DATA", with: data).write(toFile: work + "/serve.yaml", atomically: true, encoding: .utf8)
            arguments += ["--config", work + "/serve.yaml"]
        }
        let run = try DavDoctorBinary.run(arguments)
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data), "nothing is made in the data directory")
    }
}
