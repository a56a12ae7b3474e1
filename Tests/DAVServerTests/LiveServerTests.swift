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
        // Enough members that the listing goes out in several pieces, each of which counts its own.
        let extra = 600
        try fixture.options.storage.makeCollection(at: path("many"))
        for index in 0..<extra {
            _ = try ServerFixture.write(fixture.options.storage, path("many", "member \(index) with a fairly long name.txt"), "x")
        }
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        let found = try await app.test(.live) { client async throws -> Int in
            _ = fixture
            #expect(try await client.send("PUT", "/live%20%F0%9F%98%80.txt", body: "over the wire").code == 201)
            #expect(try await client.send("GET", "/live%20%F0%9F%98%80.txt").text == "over the wire")
            let listing = try await client.send("PROPFIND", "/", headers: ["Depth": "infinity"], body: propfindAll)
            #expect(listing.code == 207)
            #expect(listing.body.readableBytes > PropfindStream.pieceSize)
            let responses = try listing.multiStatus().responses
            #expect(responses.count == HostileNames.files.count + 4 + extra)
            return responses.flatMap(\.propstats).filter { $0.status?.code == 200 }.map(\.properties.count).reduce(0, +)
        }
        log.flush()
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        #expect(last["method"] as? String == "PROPFIND")
        #expect(last["status"] as? Int == 207)
        #expect(last["depth"] as? String == "infinity")
        // Every property the listing holds under 200 is counted, whichever writer wrote it.
        #expect((last["statuses"] as? [String: Int])?["200"] == found)
    }
}
