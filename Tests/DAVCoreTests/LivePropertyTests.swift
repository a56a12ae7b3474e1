import DAVCore
import Testing

/// ``LiveProperty`` must answer exactly what comparing the names with `==` answers.
struct LivePropertyTests {
    @Test func recognisesTheLivePropertiesItNames() {
        #expect(LiveProperty(DAV.getetag) == .getetag)
        #expect(LiveProperty(DAV.creationdate) == .creationdate)
        #expect(LiveProperty(DAV.resourcetype) == .resourcetype)
        #expect(LiveProperty(DAV.getlastmodified) == .getlastmodified)
        #expect(LiveProperty(DAV.getcontentlength) == .getcontentlength)
        #expect(LiveProperty(QualifiedName(DAV.namespace, "quota-used-bytes")) == .quotaUsedBytes)
        #expect(LiveProperty(QualifiedName(DAV.namespace, "quota-available-bytes")) == .quotaAvailableBytes)
    }

    @Test func otherNamesAndNamespacesAreNotLive() {
        #expect(LiveProperty(DAV.displayname) == nil)
        #expect(LiveProperty(DAV.getcontenttype) == nil)
        #expect(LiveProperty(QualifiedName("urn:example", "getetag")) == nil)
        #expect(LiveProperty(QualifiedName("", "getetag")) == nil)
        #expect(LiveProperty(QualifiedName(DAV.namespace, "getETag")) == nil)
        #expect(LiveProperty(QualifiedName(DAV.namespace, "getetags")) == nil)
    }

    @Test func utf8ContainsByteFindsBytesAnywhere() {
        #expect("/a%20b".utf8ContainsByte(0x25))
        #expect(!"/a b".utf8ContainsByte(0x25))
        #expect(!"".utf8ContainsByte(0x25))
        #expect("/Caf\u{E9}/a-very-long-path-that-is-not-a-small-string?x".utf8ContainsByte(0x3F))
    }
}
