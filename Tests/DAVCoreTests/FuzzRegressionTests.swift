import DAVCore
import DAVTesting
import Foundation
import Testing

/// Replays `Tests/Fixtures/fuzz/TARGET/*` through the code each libFuzzer target in `Fuzz/` drives, with the
/// same small limits, so an input that once broke a target keeps being tried by every `swift test`.
/// An input may be refused with an error; it may not trap, hang or break the round-trip invariants.
struct FuzzRegressionTests {
    static func inputs(_ target: String) -> [String] {
        let folder = Fixtures.url("fuzz/\(target)").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().map { "fuzz/\(target)/\($0)" }
    }

    static var limits: XMLLimits {
        var limits = XMLLimits()
        limits.maxDepth = 64
        limits.maxNameBytes = 256
        limits.maxTextBytes = 64 << 10
        limits.maxResponseBytes = 1 << 20
        return limits
    }

    @Test func everyTargetHasInputs() {
        for target in ["multistatus-parser", "capture-reader", "header-parsers", "path-resolver"] {
            #expect(!Self.inputs(target).isEmpty, "Tests/Fixtures/fuzz/\(target) is empty")
        }
    }

    @Test(arguments: inputs("multistatus-parser"))
    func multiStatusParser(_ input: String) throws {
        let bytes = try Fixtures.bytes(input)
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        var parser = MultiStatusParser(limits: Self.limits)
        var linter = Linter()
        do {
            try parser.feed(Array(bytes[..<split])) { linter.check($0) }
            try parser.feed(Array(bytes[split...])) { linter.check($0) }
            try parser.finish { linter.check($0) }
        } catch let error as DAVCoreError {
            #expect(!error.description.contains("\n"), "errors are one line: \(error)")
        }
        _ = try? XMLTreeParser.parse(bytes, limits: .requestBody)
    }

    @Test(arguments: inputs("capture-reader"))
    func captureReader(_ input: String) throws {
        var reader = CaptureReader(bytes: try Fixtures.bytes(input), name: input)
        defer { reader.close() }
        var parser = MultiStatusParser(limits: Self.limits)
        do {
            _ = try reader.readHead()
            _ = try reader.readBody { chunk in try parser.feed(chunk) { _ in } }
            try parser.finish { _ in }
        } catch let error as DAVCoreError {
            #expect(!error.description.contains("\n"), "errors are one line: \(error)")
        }
    }

    @Test(arguments: inputs("header-parsers"))
    func headerParsers(_ input: String) throws {
        let text = String(decoding: try Fixtures.bytes(input), as: UTF8.self)
        if let depth = Depth(headerValue: text) { #expect(Depth(headerValue: depth.description) == depth) }
        for timeout in LockTimeout.parseHeader(text) ?? [] { #expect(LockTimeout(timeout.description) == timeout) }
        _ = IfHeader(headerValue: text)
        _ = Destination(headerValue: text)?.isSameAuthority(asHost: "127.0.0.1:8080")
        _ = Overwrite(headerValue: text)
        _ = LockToken(headerValue: text)
        _ = StatusLine(raw: text)
        _ = HTTPDate.parse(text)
        if let decoded = URLPath.decode(text) { #expect(URLPath.decode(URLPath.encode(decoded)) == decoded) }
    }
}
