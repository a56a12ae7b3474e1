import DAVCore
import Testing

/// RFC 4918 §10.4: the If header grammar, including the examples of §10.4.6–§10.4.12.
struct IfHeaderTests {
    @Test("§10.4.6 untagged list with a lock token and an ETag")
    func untaggedTokenAndETag() throws {
        let header = try #require(
            IfHeader(headerValue: #"(<urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2> ["I am an ETag"]) (["I am another ETag"])"#))
        #expect(!header.isTagged)
        #expect(header.lists.count == 2)
        #expect(
            header.lists[0].conditions == [
                IfHeader.Condition(.stateToken("urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2")),
                IfHeader.Condition(.entityTag(#""I am an ETag""#)),
            ])
        #expect(header.lists[1].conditions == [IfHeader.Condition(.entityTag(#""I am another ETag""#))])
        #expect(header.submittedTokens == ["urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2"])
    }

    @Test("§10.4.7 Not and DAV:no-lock")
    func notNoLock() throws {
        let header = try #require(
            IfHeader(headerValue: "(Not <urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2> <urn:uuid:58f202ac-22cf-11d1-b12d-002035b29092>)"))
        #expect(header.lists[0].conditions[0].isNegated)
        #expect(!header.lists[0].conditions[1].isNegated)
        #expect(header.submittedTokens == ["urn:uuid:58f202ac-22cf-11d1-b12d-002035b29092"])
        let noLock = try #require(IfHeader(headerValue: "(<urn:uuid:a>) (Not <DAV:no-lock>)"))
        #expect(noLock.lists[1].conditions == [IfHeader.Condition(.stateToken("DAV:no-lock"), isNegated: true)])
    }

    @Test("§10.4.12 tagged lists for several resources")
    func taggedSeveralResources() throws {
        let value =
            #"</resource1> (<urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2> [W/"A weak ETag"]) (["strong ETag"]) <http://www.example.com/resource2> (["x"])"#
        let header = try #require(IfHeader(headerValue: value))
        #expect(header.isTagged)
        #expect(header.lists.map(\.resourceTag) == ["/resource1", "/resource1", "http://www.example.com/resource2"])
        #expect(header.lists[0].conditions[1] == IfHeader.Condition(.entityTag(#"W/"A weak ETag""#)))
    }

    @Test(
        "malformed headers are refused",
        arguments: [
            "", "   ", "()", "(", "(<urn:uuid:a>", "<urn:uuid:a>", "</a> (<urn:uuid:a>) (<urn:uuid:b>) (x)",
            "(<urn:uuid:a>) </b> (<urn:uuid:b>)", "(<no-scheme>)", "([unquoted])", "(Not)", "(Nope <urn:uuid:a>)",
            "</a>", "(<urn:uuid:a b>)",
        ])
    func malformed(_ value: String) {
        #expect(IfHeader(headerValue: value) == nil)
    }

    @Test("Not is case-insensitive and white space is optional")
    func lenientSpacing() throws {
        let header = try #require(IfHeader(headerValue: "(not<urn:uuid:a>[\"e\"])"))
        #expect(header.lists[0].conditions.count == 2)
        #expect(header.lists[0].conditions[0].isNegated)
    }
}
