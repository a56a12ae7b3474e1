import DAVCore
import DAVTesting
import Foundation
import HummingbirdTesting
import Logging
import Testing

@testable import DAVServer

/// One sync-collection sequence sent to a real Xandikos (`scripts/peers/start-xandikos.sh`, clean profile)
/// and to davdoctor serve over a socket, and the answers compared by shape: which members come as changed
/// and which as removed, the statuses, a token to go on from, and the precondition of a refused token.
///
/// Xandikos answers sync-collection only on calendars and address books, so it gets a calendar
/// (MKCALENDAR under its principal /alice/) and davdoctor a plain collection; the members are the same
/// iCalendar files. Known differences, left out of the comparison and asserted on davdoctor's side only:
/// Xandikos refuses an unknown token with 412 (davdoctor: 403, RFC 6578 §3.2 with RFC 3253 §1.6), its
/// tokens are bare commit IDs (davdoctor's are URIs, §3.2), and it ignores a Depth other than 0 (davdoctor: 400).
@Suite(.serialized, .needs(.peer("xandikos")))
struct XandikosSyncCrossCheckTests {
    /// What one server answered, reduced to what both must agree on. Hrefs are relative to the collection.
    struct Transcript: Equatable, CustomStringConvertible {
        var made: Int
        var puts: [Int]
        var firstChanged: Set<String>
        var firstRemoved: [String]
        var edits: [Int]
        var laterChanged: Set<String>
        var laterRemoved: [String]
        var unchanged: Int
        var tokenPropertyMatches: Bool
        var badTokenCondition: [QualifiedName]

        var description: String {
            "made \(made), puts \(puts), first \(firstChanged.sorted())/\(firstRemoved), edits \(edits), later \(laterChanged.sorted())/\(laterRemoved), "
                + "unchanged \(unchanged), token property \(tokenPropertyMatches), bad token \(badTokenCondition)"
        }
    }

    static func event(_ uid: String, _ summary: String) -> String {
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davdoctor//sync cross-check//EN\r\nBEGIN:VEVENT\r\nUID:\(uid)@davdoctor.invalid\r\n"
            + "DTSTAMP:20260101T000000Z\r\nDTSTART:20260105T100000Z\r\nDURATION:PT1H\r\nSUMMARY:\(summary)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    }

    /// The sequence: make the collection, PUT three members, first sync, change one, delete one, add one,
    /// sync from the first token, sync from the new one (nothing), read DAV:sync-token, send a bad token.
    /// Returns the transcript and the raw status of the bad-token answer.
    static func run(_ client: WireClient, collection: String, make: String) async throws -> (Transcript, Int) {
        let calendar = ["Content-Type": "text/calendar; charset=utf-8"]
        let made = try await client.send(make, collection).status
        var puts: [Int] = []
        for name in ["a", "b", "c"] {
            puts.append(try await client.send("PUT", collection + "\(name).ics", headers: calendar, text: event(name, name)).status)
        }
        let first = try await sync(client, collection, nil)
        var edits = [try await client.send("PUT", collection + "b.ics", headers: calendar, text: event("b", "b, moved to 11:00")).status]
        edits.append(try await client.send("DELETE", collection + "c.ics").status)
        edits.append(try await client.send("PUT", collection + "d.ics", headers: calendar, text: event("d", "d")).status)
        let later = try await sync(client, collection, first.token)
        let unchanged = try await sync(client, collection, later.token)

        let ask = #"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:sync-token/></D:prop></D:propfind>"#
        let property = try await client.send("PROPFIND", collection, headers: ["Depth": "0", "Content-Type": "application/xml"], text: ask)
        let propertyToken = try MultiStatusParser.parse(property.text).responses.first?.value(of: DAV.syncToken)?.text

        let bogus = "http://davdoctor.invalid/sync/00000000000000000000000000000000/1"
        let refused = try await client.send("REPORT", collection, headers: ["Depth": "0", "Content-Type": "application/xml"], text: syncBody(bogus))
        let root = try? XMLTreeParser.parse(refused.body, limits: .requestBody, strict: true).root
        let conditions = root?.name == DAV.error ? (root?.elements.map(\.name) ?? []).filter { $0 != DAV.responsedescription } : []

        func relative(_ hrefs: some Sequence<String>) -> [String] {
            hrefs.map { $0.hasPrefix(collection) ? String($0.dropFirst(collection.count)) : $0 }
        }
        let transcript = Transcript(
            made: made, puts: puts, firstChanged: Set(relative(first.changedHrefs)), firstRemoved: relative(first.removed), edits: edits,
            laterChanged: Set(relative(later.changedHrefs)), laterRemoved: relative(later.removed), unchanged: unchanged.hrefs.count,
            tokenPropertyMatches: propertyToken != nil && propertyToken == unchanged.token, badTokenCondition: conditions)
        return (transcript, refused.status)
    }

    static func sync(_ client: WireClient, _ collection: String, _ token: String?) async throws -> SyncAnswer {
        let answer = try await client.send(
            "REPORT", collection, headers: ["Depth": "0", "Content-Type": "application/xml"], text: syncBody(token))
        #expect(answer.status == 207, "\(client.base)\(collection): \(answer.text.prefix(300))")
        let parsed = try SyncAnswer(try MultiStatusParser.parse(answer.text), collection: collection)
        #expect(parsed.token?.isEmpty == false, "\(client.base): a token to go on from")
        #expect(parsed.changed.values.allSatisfy { !$0.isEmpty }, "\(client.base): each changed member with its entity tag")
        return parsed
    }

    @Test func xandikosAndDavdoctorAgreeOnTheShapeOfASynchronisation() async throws {
        let peer = try Peer.start("xandikos", profile: "clean")
        defer { peer.stop() }
        let fixture = try ServerFixture(.persistent, seed: false)
        let app = DAVServer.makeApplication(options: fixture.options, host: "127.0.0.1", port: 0, logger: Logger(label: "sync-cross-check"))
        try await app.test(.live) { testClient async throws in
            _ = fixture
            let port = try #require(testClient.port)
            let (xandikos, xandikosStatus) = try await WireClient.with(port: peer.port) { client in
                try await Self.run(client, collection: "/alice/sync-check/", make: "MKCALENDAR")
            }
            let (davdoctor, davdoctorStatus) = try await WireClient.with(port: port) { client in
                try await Self.run(client, collection: "/sync-check/", make: "MKCOL")
            }
            #expect(xandikos == davdoctor, "xandikos: \(xandikos)\ndavdoctor: \(davdoctor)")
            // What both must say, spelled out, so that a shared mistake cannot pass as agreement.
            #expect(davdoctor.firstChanged == ["a.ics", "b.ics", "c.ics"] && davdoctor.firstRemoved.isEmpty)
            #expect(davdoctor.laterChanged == ["b.ics", "d.ics"] && davdoctor.laterRemoved == ["c.ics"])
            #expect(davdoctor.unchanged == 0 && davdoctor.tokenPropertyMatches)
            #expect(davdoctor.badTokenCondition == [DAV.validSyncToken])
            #expect(davdoctorStatus == 403)
            #expect([403, 412].contains(xandikosStatus), "Xandikos refuses a bad token with \(xandikosStatus)")
        }
    }
}
