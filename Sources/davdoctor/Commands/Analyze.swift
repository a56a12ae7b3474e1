import ArgumentParser
import DAVCore
import Diagnosis
import Reports

/// `davdoctor analyze`: read a 207 (or any WebDAV answer) offline and name the cause.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyze a saved WebDAV answer: a bare XML body, `curl -i` or `curl -v` output, or - for stdin.",
        discussion: """
            Exit status: 0 no findings, 1 findings, 2 bad usage or unreadable input.
            Examples:
              curl -si -X PROPFIND -H 'Depth: 1' http://127.0.0.1:8080/docs/ > answer.http
              davdoctor analyze answer.http --url http://127.0.0.1:8080/docs/ --depth 1
              davdoctor analyze body.xml --format json
            """)

    @Argument(help: "The capture file, or - for standard input.")
    var file: String

    @OptionGroup var request: RequestOptions

    @Option(name: .customLong("request-body"), help: "The request body that was sent (e.g. the PROPFIND's <D:prop> list).")
    var requestBody: String?

    @Option(help: "Read a large body stored in a file in this many pieces at once (default: one per core; 1 reads it in one piece).")
    var jobs: Int?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() throws {
        var body: [UInt8]?
        if let requestBody {
            var reader = try CaptureReader(path: requestBody).orExit()
            defer { reader.close() }
            body = try Result { try reader.readWholeBody(limit: 4 << 20).0 }.orExit()
        }
        let overrides = RequestOverrides(
            method: request.method, url: request.url, depth: request.depth, headers: request.parsedHeaders, body: body)
        var reader = try Result { try CaptureReader(path: file) }.orExit()
        defer { reader.close() }
        let pieces = jobs ?? SplitReading.defaultPieces
        let result = try Result { try Analysis.run(reader: &reader, request: overrides, pieces: pieces) }.orExit()
        switch output.format {
        case .text: print(TextReport(color: output.useColor).render(result), terminator: "")
        case .json: print(try JSONReport.render(result), terminator: "")
        case .html: print(HTMLReport.render(result), terminator: "")
        }
        throw result.findings.isEmpty ? ExitStatus.clean : ExitStatus.findings
    }
}

extension Result where Failure == any Error {
    /// The value, or a one-line error and exit status 2.
    func orExit() throws -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error):
            printError(String(describing: error))
            throw ExitStatus.badInput
        }
    }
}

extension CaptureReader {
    func orExit() throws -> CaptureReader { self }
}
