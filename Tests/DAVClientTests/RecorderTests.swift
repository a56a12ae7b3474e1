import DAVCore
import DAVTesting
import Foundation
import Testing

@testable import DAVClient

/// `--save DIR` without a network: files named NNN-METHOD-…, read back by DAVCore's CaptureReader.
struct RecorderTests {
    static let multistatus = Array(
        """
        <?xml version="1.0" encoding="utf-8"?>
        <D:multistatus xmlns:D="DAV:"><D:response><D:href>/a/</D:href><D:propstat><D:prop><D:displayname>a</D:displayname></D:prop>\
        <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>
        """.utf8)

    func exchange(chunked: Bool) -> RecordedExchange {
        var request = HTTPFields()
        request.add("Host", "127.0.0.1:8080")
        request.add("Depth", "1")
        request.add("Authorization", "[redacted]")
        var response = HTTPFields()
        response.add("Content-Type", "application/xml; charset=utf-8")
        if chunked { response.add("Transfer-Encoding", "chunked") } else { response.add("Content-Length", String(Self.multistatus.count)) }
        let now = Date()
        return RecordedExchange(
            request: RequestInfo(method: "PROPFIND", url: "http://127.0.0.1:8080/a/", headers: request, body: Array("<x/>".utf8)),
            requestTarget: "/a/",
            authenticationScheme: "Basic",
            response: ResponseHead(status: 207, reason: "Multi-Status", headers: response),
            body: Self.multistatus,
            timings: ExchangeTimings(start: now, responseHead: now, end: now, headMilliseconds: 1.5, totalMilliseconds: 2.25)
        )
    }

    @Test(arguments: [false, true])
    func roundTripThroughCaptureReader(chunked: Bool) throws {
        let directory = try Processes.temporaryDirectory("recorder")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recorder = try ExchangeRecorder(directory: directory)
        let entry = try recorder.record(exchange(chunked: chunked))
        #expect(entry.requestFile == "001-PROPFIND-request.http")
        #expect(entry.responseFile == "001-PROPFIND-response.http")

        var reader = try CaptureReader(path: directory + "/" + entry.responseFile)
        defer { reader.close() }
        let head = try reader.readHead()
        #expect(head.response?.status == 207)
        #expect(head.response?.headers["Content-Type"] == "application/xml; charset=utf-8")
        let (body, info) = try reader.readWholeBody()
        #expect(body == Self.multistatus)
        #expect(info.wasChunked == chunked)
        #expect(!info.isTruncated)
        #expect(try MultiStatusParser.parse(body).0.responses.count == 1)

        let request = try String(contentsOfFile: directory + "/" + entry.requestFile, encoding: .utf8)
        #expect(request.hasPrefix("PROPFIND /a/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nDepth: 1\r\nAuthorization: [redacted]\r\n\r\n<x/>"))
    }

    @Test func indexListsEveryExchangeInOrder() throws {
        let directory = try Processes.temporaryDirectory("recorder")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recorder = try ExchangeRecorder(directory: directory)
        var second = exchange(chunked: false)
        second.earlierAttempts = [exchange(chunked: true)]
        try recorder.record(exchange(chunked: false))
        try recorder.record(second)
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/exchanges.json"))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let index = try decoder.decode(ExchangeRecorder.Index.self, from: data)
        #expect(index.exchanges.map(\.number) == [1, 2, 3])
        #expect(index.exchanges.allSatisfy { $0.status == 207 && $0.method == "PROPFIND" && $0.url == "http://127.0.0.1:8080/a/" })
        #expect(index.exchanges[0].timings?.totalMilliseconds == 2.25)
        #expect(recorder.entries.count == 3)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files.contains("003-PROPFIND-response.http"))
    }

    @Test func concurrentRecordsGetDistinctNumbers() async throws {
        let directory = try Processes.temporaryDirectory("recorder")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recorder = try ExchangeRecorder(directory: directory)
        let sample = exchange(chunked: false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { try recorder.record(sample) } }
            try await group.waitForAll()
        }
        #expect(Set(recorder.entries.map(\.number)) == Set(1...20))
    }

    @Test func redactionCoversBothAuthorizationFields() {
        let fields = RecordedExchange.redacted(
            HTTPFields([("authorization", "Basic YWxpY2U6cHc="), ("Proxy-Authorization", "Basic eA=="), ("Depth", "1")]))
        #expect(fields.fields.map(\.value) == ["[redacted]", "[redacted]", "1"])
    }

    @Test func gzipBodiesDecodeThroughDAVCore() throws {
        // `printf 'hello' | gzip -n`
        let gzip: [UInt8] = [
            0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00,
            0x86, 0xa6, 0x10, 0x36, 0x05, 0x00, 0x00, 0x00,
        ]
        var sample = exchange(chunked: false)
        sample.response.headers.add("Content-Encoding", "gzip")
        sample.body = gzip
        #expect(try sample.decodedBody() == Array("hello".utf8))
    }
}
