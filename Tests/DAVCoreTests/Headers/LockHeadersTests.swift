import DAVCore
import Testing

struct LockTokenTests {
    @Test func parsesCodedURL() {
        #expect(LockToken(headerValue: " <urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6> ")?.uri == "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6")
        #expect(LockToken(headerValue: "urn:uuid:f81d4fae") == nil)
        #expect(LockToken(headerValue: "<>") == nil)
        #expect(LockToken(headerValue: "<no scheme>") == nil)
    }

    @Test func generatesVersion4UUIDs() {
        let token = LockToken(randomBytes: [UInt8](repeating: 0xFF, count: 16))
        #expect(token.uri == "urn:uuid:ffffffff-ffff-4fff-bfff-ffffffffffff")
        #expect(token.headerValue == "<urn:uuid:ffffffff-ffff-4fff-bfff-ffffffffffff>")
    }
}

/// RFC 4918 §10.7.
struct TimeoutTests {
    @Test func parsesChoices() {
        #expect(LockTimeout.parseHeader("Second-3600") == [.seconds(3600)])
        #expect(LockTimeout.parseHeader("Infinite, Second-4100000000") == [.infinite, .seconds(4_100_000_000)])
        #expect(LockTimeout.parseHeader("second-5") == [.seconds(5)])
        #expect(LockTimeout.seconds(60).description == "Second-60")
    }

    @Test(arguments: ["", "Second-", "Second--1", "Second-x", "Minute-5", "Second-99999999999", "Infinite,", "Second-1 0"])
    func refusesMalformed(_ value: String) {
        #expect(LockTimeout.parseHeader(value) == nil)
    }
}

/// RFC 4918 §10.6.
struct OverwriteTests {
    @Test func parses() {
        #expect(Overwrite(headerValue: "T") == .allowed)
        #expect(Overwrite(headerValue: " F ") == .forbidden)
        #expect(Overwrite(headerValue: "yes") == nil)
        #expect(Overwrite(headerValue: "") == nil)
    }
}

/// RFC 4918 §10.3.
struct DestinationTests {
    @Test func absoluteURI() throws {
        let destination = try #require(Destination(headerValue: "http://Example.com:8080/a%20b/c?q#f"))
        #expect(destination.scheme == "http")
        #expect(destination.authority == "example.com:8080")
        #expect(destination.path == "/a%20b/c")
        #expect(destination.isSameAuthority(asHost: "example.com:8080"))
        #expect(!destination.isSameAuthority(asHost: "example.org:8080"))
    }

    @Test func absolutePathAndDefaultPorts() throws {
        #expect(Destination(headerValue: "/x/y")?.authority == nil)
        #expect(Destination(headerValue: "/x/y")?.isSameAuthority(asHost: "anything") == true)
        #expect(Destination(headerValue: "http://h:80/x")?.isSameAuthority(asHost: "h") == true)
        #expect(Destination(headerValue: "http://h")?.path == "/")
    }

    @Test(arguments: ["", "relative/path", "ftp://h/x", "http:///x", "http://h/a b", "http://h\u{0}/x"])
    func refusesMalformed(_ value: String) {
        #expect(Destination(headerValue: value) == nil)
    }
}
