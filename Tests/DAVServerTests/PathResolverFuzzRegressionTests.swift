import DAVTesting
import Foundation
import Testing

@testable import DAVServer

/// Replays `Tests/Fixtures/fuzz/path-resolver/*` (the libFuzzer target `Fuzz/FuzzPathResolver.swift`): an
/// accepted path holds no segment that can step out of the root, and its href resolves back to it.
struct PathResolverFuzzRegressionTests {
    static var inputs: [String] {
        let folder = Fixtures.url("fuzz/path-resolver").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { "fuzz/path-resolver/\($0)" }
    }

    @Test(arguments: inputs)
    func resolvedPathsStayInsideTheRoot(_ input: String) throws {
        let raw = String(decoding: try Fixtures.bytes(input), as: UTF8.self)
        guard let path = try? ResourcePath(encodedPath: raw) else { return }
        for segment in path.segments {
            // The name that reaches the file system (a segment spells a byte that is not UTF-8 `\XX`).
            let name = ResourcePath.name(ofSegment: segment)
            #expect(!name.isEmpty && name != [0x2E] && name != [0x2E, 0x2E])
            #expect(!name.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 < 0x20 })
        }
        #expect(try ResourcePath(encodedPath: path.href(isCollection: false)) == path)
        #expect(try ResourcePath(encodedPath: path.href(isCollection: true)) == path)
    }
}
