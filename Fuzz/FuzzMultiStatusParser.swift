import Foundation

/// Fuzz target: a Multi-Status body from a server we do not trust, fed in two pieces split where the input
/// says (so state carried across feeds is exercised), then linted as `analyze` does. Any Swift error is an
/// accepted outcome; a trap, an ASan report, a leak or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultiStatusParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var parser = MultiStatusParser(limits: FuzzLimits.xml)
    var linter = Linter()
    do {
        try parser.feed(Array(bytes[..<split])) { linter.check($0) }
        try parser.feed(Array(bytes[split...])) { linter.check($0) }
        try parser.finish { linter.check($0) }
        for problem in parser.problems { linter.check(problem) }
        linter.checkDocument(root: parser.rootName, responses: parser.responsesRead, head: nil, method: "PROPFIND")
        linter.finishDuplicates()
    } catch {}
    _ = try? XMLTreeParser.parse(bytes, limits: .requestBody)
    return 0
}
