import DAVCore
import Testing

@testable import DAVServer

/// Path safety: decoding, normalising and refusing what could leave the root (STYLE.md §3.3).
struct ResourcePathTests {
    @Test(
        "decodes once and collapses empty segments",
        arguments: [
            ("/", [String]()),
            ("/a/b/", ["a", "b"]),
            ("//a///b", ["a", "b"]),
            ("/a%20b/100%25/h%23t", ["a b", "100%", "h#t"]),
            ("/res-%e2%82%ac", ["res-€"]),
            ("/q?x=1", ["q"]),
            ("/%2525", ["%25"]),
            ("/100%.txt", ["100%.txt"]),
            ("/%zz/%4", ["%zz", "%4"]),
        ])
    func decodes(_ raw: String, _ segments: [String]) throws {
        #expect(try ResourcePath(encodedPath: raw).segments == segments)
    }

    @Test(
        "refuses paths that could escape or confuse the root",
        arguments: [
            "/..", "/a/../..", "/a/%2e%2e/b", "/%2E%2E", "/a/./b", "/a%2fb", "/a%2Fb", "/a%00b", "/a\u{0}b", "/a%5cb", "/a\\b",
            "relative", "/a%0ab", "/%C0%AE%C0%AE", "/%E0%80%AE", "/a%C0%AFb", "/%C1%9C",
        ])
    func refuses(_ raw: String) {
        #expect(throws: DAVError.self) { try ResourcePath(encodedPath: raw) }
    }

    @Test func hrefsArePercentEncodedAndCollectionsEndInSlash() throws {
        #expect(path("a b", "100%").href(isCollection: false) == "/a%20b/100%25")
        #expect(path("dir").href(isCollection: true) == "/dir/")
        #expect(ResourcePath.root.href(isCollection: true) == "/")
        #expect(path("h#t?.txt").href(isCollection: false) == "/h%23t%3F.txt")
        #expect(path("😀").href(isCollection: false) == "/%F0%9F%98%80")
        let decoded = try ResourcePath(encodedPath: path("a b", "é", "#?%").href(isCollection: false))
        #expect(decoded == path("a b", "é", "#?%"))
    }

    /// A name that is not UTF-8 (Latin-1 `caf\xE9`) is kept as its bytes: its href percent-encodes them again,
    /// and it differs from every other spelling. Only an overlong spelling of an ASCII byte is refused (above).
    @Test func bytesThatAreNotUTF8RoundTrip() throws {
        for raw in ["/caf%E9.txt", "/%FF%FE", "/a/%E9%E8/b", "/x%C3", "/%E0%82%A9"] {
            #expect(try ResourcePath(encodedPath: raw).href(isCollection: false) == raw)
        }
        let latin = try ResourcePath(encodedPath: "/caf%E9")
        #expect(latin != (try ResourcePath(encodedPath: "/caf%E8")))
        #expect(latin != path("caf\u{E9}"))
        #expect(try ResourcePath(encodedPath: "/caf%C3%A9") == path("caf\u{E9}"))
        #expect(try ResourcePath(encodedPath: "/caf%E9/x").parent == latin)
    }

    @Test func nfcAndNfdAreDifferentResources() {
        let nfc = path(HostileNames.nfc)
        let nfd = path(HostileNames.nfd)
        #expect(nfc != nfd)
        #expect(Set([nfc, nfd]).count == 2)
        #expect(nfc.href(isCollection: false) != nfd.href(isCollection: false))
    }

    @Test func ancestry() {
        #expect(path("a", "b").isDescendant(of: path("a")))
        #expect(!path("ab").isDescendant(of: path("a")))
        #expect(path("a").isDescendant(of: path("a")))
        #expect(!path("a").isDescendant(of: path("a"), orSelf: false))
        #expect(path("a", "b").parent == path("a"))
        #expect(ResourcePath.root.parent == nil)
    }
}
