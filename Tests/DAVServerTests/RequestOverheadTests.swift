import DAVCore
import HummingbirdTesting
import Logging
import Testing

@testable import DAVServer

/// The per-request savings keep every answer and log line the same: PROPFIND bodies parsed once per distinct
/// body (``PropfindRequestCache``), and log metadata formatted only when a line is logged
/// (``DeferredMetadataLogHandler``).
struct RequestOverheadTests {
    private static let propBody =
        #"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getcontentlength/><D:owner/></D:prop></D:propfind>"#

    @Test func aKeptBodyIsNotParsedAgainAndAFailureIsNotKept() throws {
        let cache = PropfindRequestCache()
        var parses = 0
        let allprop = Array(propfindAll.utf8)
        let first = try cache.request(for: allprop) {
            parses += 1
            return .allprop(include: [])
        }
        let second = try cache.request(for: allprop) {
            parses += 1
            return .propname
        }
        #expect(parses == 1)
        guard case .allprop = first, case .allprop = second else {
            Issue.record("the kept request was not the parsed one: \(first), \(second)")
            return
        }
        let broken = Array("<D:propfind".utf8)
        for _ in 0..<2 {
            #expect(throws: DAVError.self) {
                try cache.request(for: broken) {
                    parses += 1
                    throw DAVError.badRequest("broken")
                }
            }
        }
        #expect(parses == 3)
        #expect(cache.count == 1)
    }

    @Test func largeBodiesAreNotKeptAndAFullTableStartsAfresh() throws {
        let cache = PropfindRequestCache()
        var parses = 0
        let large = [UInt8](repeating: 0x20, count: PropfindRequestCache.largestBody + 1)
        for _ in 0..<2 {
            _ = try cache.request(for: large) {
                parses += 1
                return .propname
            }
        }
        #expect(parses == 2)
        #expect(cache.count == 0)
        for number in 0...PropfindRequestCache.capacity {
            _ = try cache.request(for: Array("<!-- \(number) -->".utf8)) { .propname }
        }
        #expect(cache.count == 1)
    }

    /// Bodies asking for different things, each answered as it asks, the same body again after others and
    /// a broken body between them; the same server answers them all.
    @Test(arguments: Backend.allCases)
    func eachBodyIsAnsweredAsItAsksWhenRepeated(_ backend: Backend) async throws {
        let fixture = try ServerFixture(backend)
        try await makeApp(fixture).test(.router) { client async throws in
            _ = fixture
            for _ in 0..<2 {
                let all = try await client.send("PROPFIND", "/plain.txt", headers: ["Depth": "0"], body: propfindAll)
                #expect(all.code == 207)
                let allNames = try all.multiStatus().responses.first?.propstats.flatMap { $0.properties.map(\.name.name) } ?? []
                #expect(allNames.contains("getetag"))
                #expect(allNames.contains("getlastmodified"))

                let some = try await client.send("PROPFIND", "/plain.txt", headers: ["Depth": "0"], body: Self.propBody)
                #expect(some.code == 207)
                let propstats = try some.multiStatus().responses.first?.propstats ?? []
                let found = propstats.filter { $0.status?.code == 200 }.flatMap { $0.properties.map(\.name.name) }
                let missing = propstats.filter { $0.status?.code == 404 }.flatMap { $0.properties.map(\.name.name) }
                #expect(found == ["getcontentlength"])
                #expect(missing == ["owner"])

                let broken = try await client.send("PROPFIND", "/plain.txt", headers: ["Depth": "0"], body: "<D:propfind xmlns:D=\"DAV:\">")
                #expect(broken.code == 400)
                let notPropfind = try await client.send(
                    "PROPFIND", "/plain.txt", headers: ["Depth": "0"], body: #"<D:prop xmlns:D="DAV:"/>"#)
                #expect(notPropfind.code == 400)
            }
        }
    }

    @Test func metadataReachesTheWrappedHandlerWhenALineIsLogged() throws {
        let recorder = LogRecorder()
        var made = RecordingLogHandler(recorder: recorder)
        made.metadata = ["server": "davdoctor"]
        let base = made
        var logger = Logger(label: "wrapped") { _ in base }.deferringMetadata()
        #expect(logger.deferringMetadata().handler is DeferredMetadataLogHandler)
        logger.logLevel = .warning
        logger[metadataKey: "hb.request.id"] = "abc"
        logger.info("below the level")
        logger.warning("kept", metadata: ["error": "cause"])
        let entries = recorder.entries
        try #require(entries.count == 1)
        #expect(entries.first?.message == "kept")
        #expect(entries.first?.metadata["hb.request.id"]?.description == "abc")
        #expect(entries.first?.metadata["server"]?.description == "davdoctor")
        #expect(entries.first?.metadata["error"]?.description == "cause")
        #expect(logger[metadataKey: "server"]?.description == "davdoctor")
    }

    /// Through ``DAVServer/makeApplication``, whose logger defers metadata: a 500 still names the request id
    /// the log line carries.
    @Test func aServerErrorStillNamesTheLoggedRequestID() async throws {
        let recorder = LogRecorder()
        let options = DAVServerOptions(storage: InternalErrorTests.FailingStorage())
        let app = DAVServer.makeApplication(
            options: options, host: "127.0.0.1", port: 0, logger: Logger(label: "test") { _ in RecordingLogHandler(recorder: recorder) })
        try await app.test(.router) { client async throws in
            let response = try await client.send("GET", "/foreign")
            #expect(response.code == 500)
            let errors = recorder.entries.filter { $0.level == .error }
            try #require(errors.count == 1)
            let id = try #require(errors[0].metadata["hb.request.id"]?.description)
            #expect(!id.isEmpty)
            #expect(response.text.contains(id))
        }
    }
}
