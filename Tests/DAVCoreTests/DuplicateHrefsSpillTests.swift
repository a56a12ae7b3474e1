import Testing

@testable import DAVCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Hashes that went to the spill file and cannot be read back leave the duplicate count short: the linter
/// says so in a note instead of reporting fewer repeats as if the check had been whole.
struct DuplicateHrefsSpillTests {
    /// A spill file open for writing only: blocks go out, and reading them back fails.
    static func writeOnlySpill() throws -> SpillFile {
        var template = Array("/tmp/davdoctor-spill-test.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        let writeOnly = open("/proc/self/fd/\(fd)", O_WRONLY)
        close(fd)
        try #require(writeOnly >= 0)
        return SpillFile(fd: writeOnly)
    }

    static func add(_ linter: inout Linter, _ i: Int) {
        let ok = [PropStat(properties: [], status: StatusLine(code: 200))]
        linter.check(Response(hrefs: ["/big/f\(i)"], propstats: ok, index: 0), path: "/big/f\(i)")
    }

    @Test func unreadableSpilledHashesAreStated() throws {
        var linter = Linter()
        linter.duplicates = DuplicateHrefs(spill: try Self.writeOnlySpill())
        for i in 0..<70_000 { Self.add(&linter, i) }
        Self.add(&linter, 3)  // far from the first: only the merge of spilled blocks can see it
        linter.finishDuplicates()
        #expect(linter.duplicates.unreadHashes == 70_001)
        #expect(linter.notes.count == 1)
    }

    @Test func compactingAnUnreadableSpillKeepsTheBlocks() throws {
        var linter = Linter()
        linter.duplicates = DuplicateHrefs(spill: try Self.writeOnlySpill())
        for i in 0..<140_000 { Self.add(&linter, i) }
        linter.compactDuplicates()
        linter.finishDuplicates()
        #expect(linter.duplicates.unreadHashes == 140_000)
        #expect(linter.notes.count == 1)
    }

    @Test func aWholeCheckHasNoNote() {
        var linter = Linter()
        for i in 0..<70_000 { Self.add(&linter, i) }
        Self.add(&linter, 3)
        linter.finishDuplicates()
        #expect(linter.duplicates.unreadHashes == 0)
        #expect(linter.notes.isEmpty)
        #expect(linter.results.first { $0.rule.id == "duplicate-href" }?.count == 1)
    }
}
