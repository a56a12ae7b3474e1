import ArgumentParser
import DAVClient
import DAVCore
import Diagnosis
import Foundation
import Reports

#if canImport(Glibc)
    import Glibc
#endif

/// `davdoctor diff`: what changed per resource between two answers to the same request.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two answers (captures, HAR files, rclone logs or runs saved with check --save): fixed, regressed, unchanged, new, gone.",
        discussion: """
            Exit status: 0 nothing regressed, 1 a resource that worked before fails now, 2 bad usage or unreadable input.
            A saved run (a directory written by `davdoctor check --save DIR`) stands for its first exchange; a HAR file or
            rclone log for its first WebDAV exchange, or for entry N with --entry N.
            """)

    @Argument(help: "The earlier answer: a capture file or a saved run directory.")
    var before: String

    @Argument(help: "The later answer: a capture file or a saved run directory.")
    var after: String

    @OptionGroup var request: RequestOptions

    @Option(help: "In a HAR file or rclone log: compare this exchange (its number, counted from 1) on both sides.")
    var entry: Int?

    @OptionGroup var output: OutputOptions

    func run() throws {
        let overrides = RequestOverrides(method: request.method, url: request.url, depth: request.depth, headers: request.parsedHeaders)
        let (old, oldSource) = try Result { try Self.states(before, overrides, entry: entry) }.orExit()
        let (new, newSource) = try Result { try Self.states(after, overrides, entry: entry) }.orExit()
        let diff = ResultDiff(before: old, after: new)
        let beforeSide = DiffReport.side(old, source: oldSource)
        let afterSide = DiffReport.side(new, source: newSource)
        switch output.format {
        case .text: print(DiffReport.text(diff, before: beforeSide, after: afterSide, color: output.useColor), terminator: "")
        case .json: print(try DiffReport.json(diff, before: beforeSide, after: afterSide), terminator: "")
        case .html: print(HTMLReport.render(diff: diff, before: beforeSide, after: afterSide), terminator: "")
        }
        throw diff.hasRegression ? ExitStatus.findings : ExitStatus.clean
    }

    /// Reads a capture, or the first exchange of a saved run (the user's own request; the probes follow it).
    static func states(_ path: String, _ overrides: RequestOverrides, entry: Int?) throws -> (ResourceStates, String) {
        var overrides = overrides
        var file = path
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            guard let first = try ExchangeRecorder.savedExchanges(in: path).first else {
                throw DAVCoreError(.io, "\(path) is a run saved by check --save, but it holds no exchange")
            }
            file = path + "/" + first.responseFile
            overrides.method = overrides.method ?? first.method
            overrides.url = overrides.url ?? first.url
        }
        var reader = try CaptureReader(path: file)
        defer { reader.close() }
        return (try ResourceStates(reader: &reader, request: overrides, entry: entry), path)
    }
}
