import Testing

@testable import DAVServer

/// Entity tags and hrefs are also written by hand for speed; they must say what the slow forms said.
struct FastFormattingTests {
    @Test(arguments: [(UInt64(0), UInt64(0), UInt64(0)), (0xfa4c52, 0, 0x18ed_65e1_6c38_c05b), (.max, 4096, 1)])
    func entityTagIsHexOfInodeSizeAndTime(_ inode: UInt64, _ size: UInt64, _ modified: UInt64) {
        let expected = "\"\(String(inode, radix: 16))-\(String(size, radix: 16))-\(String(modified, radix: 16))\""
        #expect(FileSystemStorage.entityTag(inode, size, modified) == expected)
    }

    @Test func hrefsEncodeOnlyWhatNeedsIt() {
        let path = ResourcePath(segments: ["plain-name.txt", "a b", "é", "x%y", "semi;colon@at"])
        #expect(path.href(isCollection: false) == "/plain-name.txt/a%20b/%C3%A9/x%25y/semi;colon@at")
        #expect(path.href(isCollection: true).hasSuffix("@at/"))
    }
}
