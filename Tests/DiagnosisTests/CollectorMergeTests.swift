import DAVCore
import DAVTesting
import Foundation
import Testing

@testable import Diagnosis

/// A split reading merges what each piece's collector gathered. Every accumulator must then hold exactly
/// what one collector reading the whole stream holds, wherever the cuts fall: the responses of every real
/// multistatus capture under Tests/Fixtures and Tests/Corpus, read as one stream, once whole and once in
/// pieces at many boundaries.
struct CollectorMergeTests {
    /// Captures larger than this are left out: the big listings repeat what the small ones show.
    static let largestCapture = 300_000

    /// Every response of the captured multistatus bodies, in a fixed order (path by path).
    static let responses: [Response] = {
        let roots = [Fixtures.root, Fixtures.packageRoot.appendingPathComponent("Tests/Corpus")]
        var files: [String] = []
        for root in roots {
            let walker = FileManager.default.enumerator(atPath: root.path)
            while let relative = walker?.nextObject() as? String {
                if relative.hasSuffix(".http") { files.append(root.appendingPathComponent(relative).path) }
            }
        }
        var responses: [Response] = []
        for file in files.sorted() {
            guard let size = try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int, size <= largestCapture,
                var reader = try? CaptureReader(path: file)
            else { continue }
            defer { reader.close() }
            guard (try? reader.readHead()) != nil, let body = try? reader.readWholeBody().0 else { continue }
            guard body.count > 0, String(decoding: body.prefix(4096), as: UTF8.self).contains("multistatus") else { continue }
            // The collector's parser, but keeping each response instead of recycling it.
            var parser = MultiStatusParser(keepingValueTrees: [DAV.resourcetype], keepingValuesOf: ResponseCollector.valuesRead)
            try? parser.feed(body) { responses.append($0) }
            _ = try? parser.finish { responses.append($0) }
        }
        return responses
    }()

    static func context(depth: String) -> AnalysisContext {
        var request = RequestInfo(method: "PROPFIND", url: "http://127.0.0.1:8080/docs/")
        RequestOverrides(depth: depth).apply(to: &request)
        return AnalysisContext(request: request)
    }

    /// Reads `responses[range]` as one piece of a split reading does.
    static func piece(_ range: Range<Int>, _ context: AnalysisContext) -> ResponseCollector {
        var collector = ResponseCollector(context: context)
        for response in responses[range] { collector.add(response) }
        collector.finish()
        collector.linter.compactDuplicates()
        return collector
    }

    /// The whole stream cut before each of `cuts` and merged in order.
    static func merged(cuts: [Int], _ context: AnalysisContext) -> ResponseCollector {
        let bounds = [0] + cuts + [responses.count]
        var merged = piece(bounds[0]..<bounds[1], context)
        for k in 1..<(bounds.count - 1) { merged.merge(piece(bounds[k]..<bounds[k + 1], context)) }
        merged.linter.finishDuplicates()
        return merged
    }

    /// Cuts at the edges, in the middle, between every few hundred responses and at odd places.
    static var cutSets: [[Int]] {
        let n = responses.count
        return [
            [1], [n - 1], [n / 2], [n / 3, 2 * n / 3], [1, 2, 3, n - 2],
            Array(stride(from: 97, to: n, by: 97)), Array(stride(from: 250, to: n, by: 250)),
            [7, 31, 211, 1009, 1601].filter { $0 < n },
        ]
    }

    @Test func theStreamHoldsWhatTheAccumulatorsGather() {
        let whole = Self.piece(0..<Self.responses.count, Self.context(depth: "1"))
        #expect(Self.responses.count >= 500)
        #expect(whole.statuses.failingCount >= 20)
        #expect(whole.names.notUTF8.count >= 2)
        #expect(whole.scope.outOfScope.count >= 20)
        #expect(whole.scope.tooDeep.count >= 1)
        #expect(!whole.scope.foreignOrigins.isEmpty)
        #expect(whole.paths.twins.count >= 1)
        #expect(whole.properties.failed.count >= 1)
        #expect(whole.propertyNamespaces.unqualifiedCount >= 1)
        #expect(whole.scope.selfHrefs.count >= 2)
        #expect(whole.files.withoutETag.count >= 1)
    }

    @Test(arguments: ["1", "infinity"])
    func everyAccumulatorMergesToTheWholeReading(depth: String) {
        let context = Self.context(depth: depth)
        var whole = Self.piece(0..<Self.responses.count, context)
        whole.linter.finishDuplicates()
        for cuts in Self.cutSets {
            let split = Self.merged(cuts: cuts, context)
            let at = "cut before \(cuts.prefix(6))…"
            #expect(split.progress == whole.progress, "\(at)")
            #expect(split.statuses == whole.statuses, "\(at)")
            #expect(split.tree == whole.tree, "\(at)")
            #expect(split.members == whole.members, "\(at)")
            #expect(split.paths == whole.paths, "\(at)")
            #expect(split.properties == whole.properties, "\(at)")
            #expect(split.propertyNamespaces == whole.propertyNamespaces, "\(at)")
            #expect(split.names == whole.names, "\(at)")
            #expect(split.scope == whole.scope, "\(at)")
            #expect(split.depthLevels == whole.depthLevels, "\(at)")
            #expect(split.files == whole.files, "\(at)")
            #expect(split.negativeQuotas == whole.negativeQuotas, "\(at)")
            let duplicates = LintRules.duplicateHref.id
            #expect(split.linter.results.filter { $0.rule.id != duplicates } == whole.linter.results.filter { $0.rule.id != duplicates }, "\(at)")
            // The count comes from every href's hash, so it is the same however the body was cut; which repeats
            // get names depends on the window of recent hrefs, so the examples may differ.
            #expect(
                split.linter.results.first { $0.rule.id == duplicates }?.count == whole.linter.results.first { $0.rule.id == duplicates }?.count,
                "\(at)")
            #expect(split.linter.notes == whole.linter.notes, "\(at)")
        }
    }
}
