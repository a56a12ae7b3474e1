import Testing

@testable import Diagnosis

/// ``DepthTally`` reads a path's levels below the Request-URI from its bytes when they settle it: the
/// answer must be the string comparisons' for every path, and the bytes must settle the usual ones.
struct DepthTallyTests {
    static let requestPaths = ["/", "/docs/", "/docs", "/a b/", "/caf\u{E9}/", "/K/", ""]
    static let paths = [
        "/", "/docs", "/docs/", "/docs/a.txt", "/docs/sub/", "/docs/sub/b.txt", "/docs//x", "/docs//", "/docs///", "/docs/a//",
        "/docsx/a", "/other/a", "/", "(no href)", "/docs/caf\u{E9}.txt", "/docs/cafe\u{301}/x", "/docs/\u{301}x/y",
        "/docs/a/\u{301}", "/docs/a\u{301}/b", "/\u{212A}/a", "/K/a", "/K/a/", "/docs/\u{600}/b", "/docs/a\u{600}/b",
        "/docs/a\r\n/b", "/a b/c d/e", "/caf\u{E9}/x", "/cafe\u{301}/x", "/docs/\u{65E5}\u{672C}/\u{8A9E}/",
    ]

    @Test func bytesAndStringsAgree() {
        for request in Self.requestPaths {
            let tally = DepthTally(requestPath: request)
            for path in Self.paths {
                #expect(tally.levelsBelowRequest(path) == tally.levelsByStrings(path), "\(request) \(path)")
                if let settled = tally.levelsFromBytes(path) {
                    #expect(settled == tally.levelsByStrings(path), "\(request) \(path)")
                }
            }
        }
    }

    @Test func bytesSettleTheUsualPaths() {
        let tally = DepthTally(requestPath: "/docs/")
        #expect(tally.levelsFromBytes("/docs/a.txt") == .some(1))
        #expect(tally.levelsFromBytes("/docs/sub/b c.txt") == .some(2))
        #expect(tally.levelsFromBytes("/docs/sub/caf\u{E9}.txt") == .some(2))
        // A `/` beside a byte from 0x80 up is left to the strings (it could join a longer character).
        #expect(tally.levelsFromBytes("/docs/caf\u{E9}/x.txt") == nil)
        #expect(tally.levelsFromBytes("/docs/\u{65E5}.txt") == nil)
        #expect(tally.levelsFromBytes("/docs/") == nil)  // the Request-URI itself: left to the strings
        #expect(DepthTally(requestPath: "/").levelsFromBytes("/a/b/") == .some(2))
        #expect(tally.levelsFromBytes("/docs/\u{301}x") == nil)  // a combining mark joins the `/` before it
    }

    @Test func countsLevelsAsBefore() {
        var tally = DepthTally(requestPath: "/docs/")
        tally.take("/docs/", isCollection: true)
        tally.take("/docs/sub/", isCollection: true)
        tally.take("/docs/a.txt", isCollection: false)
        #expect(tally.firstLevelCollections == 1)
        #expect(!tally.sawBelowFirstLevel)
        tally.take("/docs/sub/b.txt", isCollection: false)
        #expect(tally.sawBelowFirstLevel)
    }
}
