import DAVClient
import DAVCore
import Testing

/// The builders produce what RFC 4918 asks of each method.
struct DAVRequestTests {
    @Test func propfindAllprop() throws {
        let request = DAVRequest.propfind("http://h/dav/", depth: .infinity)
        #expect(request.method == "PROPFIND")
        #expect(request.headers["Depth"] == "infinity")
        #expect(request.headers["Content-Type"] == "application/xml; charset=utf-8")
        #expect(String(decoding: request.body, as: UTF8.self).contains("<D:allprop/>"))
    }

    /// §9.1: a prop list; names outside DAV: get their own prefixes, declared once.
    @Test func propfindNamedProperties() throws {
        let names = [
            DAV.getetag, QualifiedName("http://apache.org/dav/props/", "executable"), QualifiedName("urn:x", "a"),
            QualifiedName("urn:x", "b"),
        ]
        let body = String(decoding: DAVRequest.propfind("http://h/", depth: .zero, properties: names).body, as: UTF8.self)
        #expect(body.contains(#"xmlns:ns0="http://apache.org/dav/props/""#))
        #expect(body.contains(#"xmlns:ns1="urn:x""#))
        #expect(body.contains("<D:prop><D:getetag/><ns0:executable/><ns1:a/><ns1:b/></D:prop>"))
        // The body is itself well-formed XML that DAVCore's tokenizer reads.
        _ = try XMLTreeParser.parse(Array(body.utf8))
    }

    @Test func lockDiscoveryIsDepthZero() {
        let request = DAVRequest.lockDiscovery("http://h/locks/held.txt")
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(request.headers["Depth"] == "0")
        #expect(body.contains("<D:lockdiscovery/>") && body.contains("<D:supportedlock/>"))
    }

    @Test func copyAndMove() {
        let copy = DAVRequest.copy("http://h/a", destination: "http://h/b", overwrite: false, depth: .zero)
        #expect(copy.method == "COPY")
        #expect(copy.headers["Destination"] == "http://h/b")
        #expect(copy.headers["Overwrite"] == "F")
        #expect(copy.headers["Depth"] == "0")
        let move = DAVRequest.move("http://h/a", destination: "http://h/b")
        #expect(move.method == "MOVE" && move.headers["Overwrite"] == nil && move.headers["Depth"] == nil)
    }

    @Test func lockAndUnlock() {
        let lock = DAVRequest.lock("http://h/f", owner: "<me & you>", timeout: 60)
        #expect(lock.headers["Timeout"] == "Second-60")
        #expect(String(decoding: lock.body, as: UTF8.self).contains("<D:owner>&lt;me &amp; you&gt;</D:owner>"))
        #expect(DAVRequest.unlock("http://h/f", lockToken: "opaquelocktoken:abc").headers["Lock-Token"] == "<opaquelocktoken:abc>")
        #expect(DAVRequest.unlock("http://h/f", lockToken: "<urn:uuid:x>").headers["Lock-Token"] == "<urn:uuid:x>")
    }

    @Test func simpleMethods() {
        #expect(DAVRequest.options("http://h/").method == "OPTIONS")
        #expect(DAVRequest.head("http://h/").method == "HEAD")
        #expect(DAVRequest.mkcol("http://h/c/").method == "MKCOL")
        #expect(DAVRequest.delete("http://h/c/").method == "DELETE")
        let put = DAVRequest.put("http://h/f", body: [1, 2], contentType: "application/octet-stream")
        #expect(put.body == [1, 2] && put.headers["Content-Type"] == "application/octet-stream")
        #expect(DAVRequest.options("http://h/").sent(as: .anonymous).authentication == .anonymous)
    }
}
