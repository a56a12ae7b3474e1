import DAVCore
import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@testable import DAVServer

/// The same server over a real socket on 127.0.0.1, as `davdoctor serve` runs it.
struct LiveServerTests {
    @Test(arguments: Backend.allCases)
    func liveRoundTripAndAccessLog(_ backend: Backend) async throws {
        let logDirectory = TemporaryDirectory()
        let logPath = logDirectory.path + "/access.log"
        let log = try AccessLog(path: logPath)
        let fixture = try ServerFixture(backend) { $0.accessLog = log }
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        try await app.test(.live) { client async throws in
            _ = fixture
            #expect(try await client.send("PUT", "/live%20%F0%9F%98%80.txt", body: "over the wire").code == 201)
            #expect(try await client.send("GET", "/live%20%F0%9F%98%80.txt").text == "over the wire")
            let listing = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"], body: propfindAll)
            #expect(listing.code == 207)
            #expect(try listing.multiStatus().responses.count == HostileNames.files.count + 3)
        }
        log.flush()
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        #expect(last["method"] as? String == "PROPFIND")
        #expect(last["status"] as? Int == 207)
        #expect(last["depth"] as? String == "infinity")
        #expect((last["statuses"] as? [String: Int])?["200"] ?? 0 > 0)
    }
}
