import DAVTesting
import Foundation
import Testing

/// The one helper that decides whether a test's needs are met (`Need`, `.needs`): the reasons it gives
/// name the missing program. scripts/test-bare.sh runs the whole suite with the programs hidden.
struct NeedTests {
    @Test func aMissingProgramIsNamed() {
        let reason = Need.unmet([.program("davdoctor-no-such-program")])
        #expect(reason == "davdoctor-no-such-program is not installed (not on PATH)")
    }

    @Test func aPeerNamesEachProgramItsScriptRunsThatIsMissing() {
        #expect(Need.peer("no-such-peer").unmetReason == "the no-such-peer peer needs no-such-peer, not installed (not on PATH)")
    }

    @Test func whatIsPresentIsMet() throws {
        #expect(Need.unmet([.program("sh"), .file("/")]) == nil)
        #expect(try Need.executable("sh").hasSuffix("/sh"))
        #expect(throws: Need.Unmet.self) { try Need.executable("davdoctor-no-such-program") }
    }

    @Test func severalMissingThingsMakeOneLine() {
        let reason = Need.unmet([.program("davdoctor-missing-a"), .file("/nonexistent/davdoctor-b")])
        #expect(reason?.contains("\n") == false)
        #expect(reason?.contains("davdoctor-missing-a") == true && reason?.contains("/nonexistent/davdoctor-b is missing") == true)
    }
}

/// The table of what each peer needs stays true to scripts/peers: every start script has a row, and each
/// program in a row is one its script runs.
struct NeedPeerTableTests {
    @Test func everyStartScriptIsInTheTableWithProgramsItRuns() throws {
        let scripts = try FileManager.default.contentsOfDirectory(atPath: Peer.scripts)
            .filter { $0.hasPrefix("start-") && $0.hasSuffix(".sh") }
        #expect(scripts.count > 10)
        for script in scripts {
            let name = String(script.dropFirst("start-".count).dropLast(".sh".count))
            let programs = try #require(Need.peerPrograms[name], "scripts/peers/\(script) has no row in Need.peerPrograms")
            let text = try String(contentsOfFile: Peer.scripts + "/" + script, encoding: .utf8)
            for program in programs {
                #expect(text.contains(program), "scripts/peers/\(script) does not run \(program)")
            }
        }
    }
}
