import DAVCore
import DAVTesting
import Diagnosis
import Foundation
import Reports
import Testing

/// A large body read in pieces at once gives, byte for byte, the report of a single reading: the same
/// counts, findings, examples, lint and tree. Each test compares the JSON reports of both readings.
@Suite(.serialized)
struct SplitReadingTests {
    static func report(
        _ path: String, _ overrides: RequestOverrides = RequestOverrides(), pieces: Int
    ) throws -> (json: String, pieces: Int) {
        var reader = try CaptureReader(path: path)
        defer { reader.close() }
        let result = try Analysis.run(reader: &reader, request: overrides, pieces: pieces, splitAbove: 0)
        return (try JSONReport.render(result), result.piecesRead)
    }

    /// The reports of `text` read in one piece and in `pieces`, from a temporary file.
    static func bothReadings(
        _ text: String, _ overrides: RequestOverrides = RequestOverrides(), pieces: Int
    ) throws -> (whole: (json: String, pieces: Int), split: (json: String, pieces: Int)) {
        let path = try write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (try report(path, overrides, pieces: 1), try report(path, overrides, pieces: pieces))
    }

    static func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("davdoctor-split-\(UUID().uuidString).xml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// A listing of `count` resources under /big/ with the faults the rules look for spread over the
    /// whole body, so that every piece holds some and some sit near any cut.
    static func listing(count: Int, extra: (Int) -> String = { _ in "" }) -> String {
        var out = #"<?xml version="1.0" encoding="utf-8"?>"# + "\n" + #"<D:multistatus xmlns:D="DAV:" xmlns:x="urn:x">"# + "\n"
        out.reserveCapacity(count * 260)
        func ok(_ href: String, _ props: String) -> String {
            "<D:response><D:href>\(href)</D:href><D:propstat><D:prop>\(props)</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>\n"
        }
        for i in 0..<count {
            out += extra(i)
            let dir = i / 700
            let name = "/big/d\(dir)/f%20\(i).txt"
            let date = i == count - 40 ? "2024-01-01 10:00:00" : "Mon, 01 Jan 2024 10:00:00 GMT"
            switch i % 997 {
            case 13:
                out += "<D:response><D:href>/big/d\(dir)/secret\(i)/</D:href><D:status>HTTP/1.1 403 Forbidden</D:status></D:response>\n"
            case 500:
                out += """
                    <D:response><D:href>\(name)</D:href><D:status>HTTP/1.1 423 Locked</D:status>\
                    <D:error><D:lock-token-submitted><D:href>/big/d\(dir)/</D:href></D:lock-token-submitted></D:error></D:response>

                    """
            default:
                var props = "<D:getlastmodified>\(date)</D:getlastmodified><D:getetag>\"e\(i)\"</D:getetag><D:resourcetype/>"
                if i % 1500 == 7 { props += "" }
                out += ok(name, props)
                if i % 1500 == 7 {
                    out +=
                        "<D:response><D:href>/big/d\(dir)/p\(i)</D:href><D:propstat><D:prop><x:color/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>\n"
                }
            }
            if i % 5003 == 11 { out += ok(name, "<D:resourcetype/>") }  // the same href twice in a row
            if i == count / 2 + 3 { out += ok("http://cdn.example.com/big/elsewhere.txt", "<D:resourcetype/>") }
            if i == count - 7 { out += ok("/big/d0/f%20100.txt", "<D:resourcetype/>") }  // repeats one seen far before
            if i == count - 20 { out += ok("/big/d0/late", "<y:odd/>") }  // an unbound prefix
        }
        out += "<D:responsedescription>done</D:responsedescription>\n</D:multistatus>\n"
        return out
    }

    @Test func everyFixtureReadsTheSameInPieces() throws {
        var split = 0
        for row in try Fixtures.rows() {
            var body: [UInt8]?
            if let file = row.requestBody { body = try Fixtures.bytes(file) }
            let overrides = RequestOverrides(method: row.method, url: row.url, depth: row.depth, headers: row.headers, body: body)
            let path = Fixtures.url(row.path).path
            let whole = try Self.report(path, overrides, pieces: 1)
            let pieces = try Self.report(path, overrides, pieces: 3)
            #expect(pieces.json == whole.json, "\(row)")
            if pieces.pieces > 1 { split += 1 }
        }
        #expect(split >= 10, "the fixtures with several responses are read in pieces")
    }

    @Test(arguments: [2, 3, 5])
    func aLargeListingReadsTheSameInPieces(pieces: Int) throws {
        let overrides = RequestOverrides(method: "PROPFIND", url: "http://127.0.0.1:8080/big/", depth: "infinity")
        let (whole, split) = try Self.bothReadings(Self.listing(count: 30_000), overrides, pieces: pieces)
        #expect(split.pieces == pieces)
        #expect(split.json == whole.json)
        // The faults are really there to be merged.
        for needle in ["\"permission\"", "\"lock\"", "duplicate-href", "unbound-prefix", "getlastmodified-format", "cdn.example.com"] {
            #expect(whole.json.contains(needle), "\(needle)")
        }
    }

    /// Past twice the tree's size in the first piece, the later pieces keep no tree records.
    @Test func laterPiecesWithoutTreeRecordsStillReadTheSame() throws {
        let (whole, split) = try Self.bothReadings(Self.listing(count: 90_000), pieces: 2)
        #expect(split.pieces == 2)
        #expect(split.json == whole.json)
    }

    /// `<D:response>` inside comments between the responses: the cut falls inside one, the piece before it
    /// does not end between two responses, and the body is read in one piece.
    @Test func aCutInsideACommentFallsBackToOnePiece() throws {
        let (whole, split) = try Self.bothReadings(Self.listing(count: 3_000) { _ in "<!-- <D:response> -->\n" }, pieces: 3)
        #expect(split.pieces == 1)
        #expect(split.json == whole.json)
    }

    /// A response without an href is named by its position, which only a single reading knows.
    @Test func aResponseWithoutHrefLateInTheBodyFallsBackToOnePiece() throws {
        let text = Self.listing(count: 3_000) { i in
            i == 2_900 ? "<D:response><D:status>HTTP/1.1 200 OK</D:status></D:response>\n" : ""
        }
        let (whole, split) = try Self.bothReadings(text, pieces: 3)
        #expect(split.pieces == 1)
        #expect(split.json == whole.json)
        #expect(whole.json.contains("response #"))
    }

    /// A body cut short gives the single reading's report, whichever piece holds the fault: the responses
    /// before the cut, and the cut as a payload finding.
    @Test func aTruncatedBodyGivesTheSameReport() throws {
        let text = Self.listing(count: 3_000)
        let path = try Self.write(String(text.prefix(text.utf8.count * 2 / 3)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Self.report(path, pieces: 1)
        let split = try Self.report(path, pieces: 3)
        #expect(split.json == whole.json)
        let report = try JSONSerialization.jsonObject(with: Data(whole.json.utf8)) as? [String: Any]
        let causes = (report?["findings"] as? [[String: Any]] ?? []).compactMap { $0["cause"] as? String }
        #expect(causes.contains("payload"))
    }
}
