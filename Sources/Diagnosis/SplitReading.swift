import DAVCore
import Dispatch
import Foundation

/// Reads a large multistatus stored in a file in several pieces at once, one per core, and merges what
/// each piece's collector gathered, so a gigabyte listing is diagnosed in a fraction of the time.
///
/// The pieces are cut just before a `<D:response>` (``MultiStatusSplitter``); each piece after the first
/// is read behind the root's start tag, so its namespaces are in scope. The result is the one a single
/// reader gets: whenever that cannot be guaranteed — a cut that does not fall between two responses, a
/// piece that does not parse, a response without an href (named by its position), a piece that saw more
/// paths again than its known paths can replay — `run` answers nil and
/// the caller reads the body in one piece, which also gives the exact error for a broken body.
public enum SplitReading {
    /// One piece per core, at most 8.
    public static var defaultPieces: Int { min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8) }
    /// Smaller bodies are read in one piece: starting threads would cost more than it saves.
    public static let defaultMinimumBytes = 32 << 20
    /// How much of the body's start is read to find the root's start tag and the response element's name.
    static let openingBytes = 1 << 20
    /// Each piece is read in chunks of this size.
    static let chunkBytes = 128 << 10

    private struct Piece: Sendable {
        var collector: ResponseCollector
        var problems: [XMLProblem] = []
        var rootName: QualifiedName?
        /// `<D:sync-token>`, which follows the responses and so is read by the last piece.
        var syncToken: String?
        /// The piece ended between two responses (always true of the last, which must finish cleanly).
        var endsCleanly = false
    }

    /// The pieces' results, written by one worker each.
    private final class Results: Sendable {
        private let pieces: Locked<[Piece?]>
        init(count: Int) { pieces = Locked(Array(repeating: nil, count: count)) }
        subscript(index: Int) -> Piece? {
            get { pieces.withLock { $0[index] } }
            set { pieces.withLock { $0[index] = newValue } }
        }
    }

    static func run(
        region: CaptureReader.PlainBodyRegion, pieces: Int, context: AnalysisContext, head: ResponseHead?,
        format: CaptureReader.Format
    ) throws -> AnalysisResult? {
        var opening: [UInt8] = []
        try region.read(0..<min(region.count, Self.openingBytes)) { opening.append(contentsOf: $0) }
        guard BodyMode.decide(opening, final: region.count <= opening.count) == .multistatus,
            let prelude = opening.withUnsafeBytes({ MultiStatusSplitter.prelude($0) })
        else { return nil }
        let preludeBytes = Array(opening[0..<prelude.length])
        let cuts = try MultiStatusSplitter.cuts(in: region, pieces: pieces, after: prelude.length, responseTag: prelude.responseTag)
        guard !cuts.isEmpty else { return nil }
        let bounds = [0] + cuts + [region.count]
        let count = bounds.count - 1
        // The tree keeps the first responses of the body only: when the first piece surely holds enough of
        // them, the other pieces need not gather theirs (which would double the memory for nothing).
        let opened = opening.withUnsafeBytes { MultiStatusSplitter.count(prelude.responseTag, in: $0) }
        let expectedInFirst = opened == 0 ? 0 : bounds[1] / max(1, opening.count / opened)
        let laterKeepTree = expectedInFirst < 2 * max(TreeRecords.limit, KnownPaths.limit)
        let results = Results(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { k in
            results[k] = try? read(
                region, bounds[k]..<bounds[k + 1], prelude: k == 0 ? nil : preludeBytes, isLast: k == count - 1,
                keepsTree: k == 0 || laterKeepTree, context: context)
        }
        if !laterKeepTree, let first = results[0],
            first.collector.responseCount < TreeRecords.limit || !first.collector.paths.isFull
        {
            return nil  // the guess was wrong: the later pieces' records were needed after all
        }
        var merged: Piece?
        for k in 0..<count {
            guard let piece = results[k], piece.endsCleanly else { return nil }
            if k > 0, piece.collector.progress.withoutHref > 0 || !piece.collector.paths.mergesExactly { return nil }
            if merged == nil {
                merged = piece
            } else {
                merged!.collector.merge(piece.collector)
                merged!.problems.append(contentsOf: piece.problems, upTo: MultiStatusParser.problemLimit)
                merged!.syncToken = piece.syncToken ?? merged!.syncToken
            }
        }
        guard var whole = merged else { return nil }
        AnalysisSession.finishDocument(
            &whole.collector, problems: whole.problems, root: whole.rootName, syncToken: whole.syncToken, head: head, method: context.method)
        var result = Diagnose.run(
            context: context, head: head, format: format, collector: whole.collector,
            bodyInfo: region.bodyInfo, errorBody: nil, excerpt: "")
        result.piecesRead = count
        return result
    }

    /// Reads one piece with its own parser and collector. `prelude` (the root's start tag and what comes
    /// before it) is read first for every piece but the first.
    private static func read(
        _ region: CaptureReader.PlainBodyRegion, _ range: Range<Int>, prelude: [UInt8]?, isLast: Bool, keepsTree: Bool,
        context: AnalysisContext
    ) throws -> Piece {
        var parser = ResponseCollector.parser(for: context)
        var collector = ResponseCollector(context: context)
        collector.keepsTree = keepsTree
        if let prelude { try parser.feed(prelude) { collector.add($0) } }
        try region.read(range, chunk: chunkBytes) { chunk in try parser.feed(chunk) { collector.add($0) } }
        var endsCleanly = parser.isBetweenResponses
        if isLast {
            try parser.finish { collector.add($0) }
            endsCleanly = true
        }
        collector.finish()
        collector.linter.compactDuplicates()
        // Offsets count from the start of what this parser read; say them from the start of the body.
        let shift = range.lowerBound - (prelude?.count ?? 0)
        let problems = parser.problems.map { problem -> XMLProblem in
            var problem = problem
            if problem.offset > 0 { problem.offset += shift }
            return problem
        }
        return Piece(collector: collector, problems: problems, rootName: parser.rootName, syncToken: parser.syncToken, endsCleanly: endsCleanly)
    }
}
