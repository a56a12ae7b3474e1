import DAVCore
import Testing

struct HrefTests {
    @Test func absoluteAndPathHrefs() {
        let absolute = Href("https://Example.com/dav/a%20b.txt?x#y")
        #expect(absolute.scheme == "https")
        #expect(absolute.authority == "example.com")
        #expect(absolute.normalizedAuthority == "example.com:443")
        #expect(absolute.path == "/dav/a%20b.txt")
        #expect(absolute.displayPath == "/dav/a b.txt")
        let path = Href("/dav/Caf%C3%A9/")
        #expect(path.scheme == nil)
        #expect(path.displayPath == "/dav/Café/")
        #expect(path.isCollectionForm)
    }

    @Test func percentEncodingRoundTrips() {
        let name = "/docs/a b#c%d?e/Café 😀.txt"
        #expect(URLPath.decode(URLPath.encode(name)) == name)
        #expect(URLPath.encode("/a b/") == "/a%20b/")
        #expect(URLPath.decode("/bad%zz") == nil)
        #expect(URLPath.decode("/bad%ff") == nil)
    }

    @Test func scopeArithmetic() {
        #expect(URLPath.parent(of: "/a/b/c.txt") == "/a/b/")
        #expect(URLPath.parent(of: "/a/b/") == "/a/")
        #expect(URLPath.levels(of: "/a/b/c", below: "/a/") == 2)
        #expect(URLPath.levels(of: "/a", below: "/a/") == 0)
        #expect(URLPath.levels(of: "/ab", below: "/a/") == nil)
        #expect(URLPath.isWithin("/x/y", "/"))
    }

    @Test(arguments: ["0", "1", "infinity", "Infinity", " 1 "])
    func depthParses(_ value: String) { #expect(Depth(headerValue: value) != nil) }

    @Test(arguments: ["2", "", "-1", "infinite"])
    func depthRejects(_ value: String) { #expect(Depth(headerValue: value) == nil) }

    @Test func statusLines() {
        #expect(StatusLine(raw: "HTTP/1.1 423 Locked").isWellFormed)
        #expect(StatusLine(raw: "HTTP/1.1 423 Locked").code == 423)
        #expect(StatusLine(raw: "HTTP/0.0 200 OK").code == 200)
        #expect(!StatusLine(raw: "HTTP/0.0 200 OK").isWellFormed)
        #expect(StatusLine(raw: "HTTP/1.1 424 (status)").short == "424 (status)")
        #expect(StatusLine(raw: " 404 ").code == 404)
        #expect(!StatusLine(raw: "404").isWellFormed)
    }
}
