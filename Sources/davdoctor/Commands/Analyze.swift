import ArgumentParser
import DAVCore
import Diagnosis
import Reports
import Transcripts

/// `davdoctor analyze`: read a 207 (or any WebDAV answer) offline and name the cause.
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Analyze a saved WebDAV answer: a bare XML body, `curl -i` or `curl -v` output, a HAR file, a client's log (rclone --dump, OkHttp/DAVx5, Cyberduck, davfs2), or - for stdin.",
        discussion: """
            A HAR file (browser dev tools, mitmproxy, check --save-har) or a client's log (rclone -vv --dump headers,bodies,
            OkHttp at level BODY as in DAVx5's debug log, Cyberduck's transcript, davfs2's debug syslog) holds several
            exchanges with their requests: every WebDAV exchange is analyzed in order (--entry N for one).
            Exit status: 0 no findings, 1 findings, 2 bad usage or unreadable input.
            Examples:
              curl -si -X PROPFIND -H 'Depth: 1' http://127.0.0.1:8080/docs/ > answer.http
              davdoctor analyze answer.http --url http://127.0.0.1:8080/docs/ --depth 1
              davdoctor analyze body.xml --format json
              davdoctor analyze session.har --entry 4
            """)

    @Argument(help: "The capture file, or - for standard input.")
    var file: String

    @OptionGroup var request: RequestOptions

    @Option(name: .customLong("request-body"), help: "The request body that was sent (e.g. the PROPFIND's <D:prop> list).")
    var requestBody: String?

    @Option(help: "In a HAR file or client log: analyze only this exchange (its number, counted from 1).")
    var entry: Int?

    @Option(help: "Read a large body stored in a file in this many pieces at once (default: one per core; 1 reads it in one piece).")
    var jobs: Int?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64") }
        if let entry, entry < 1 { throw ValidationError("--entry counts from 1") }
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
        // A capture cut inside its head is read by Analysis.run as a finding (closed before the status line).
        let format = try Result { () throws -> CaptureReader.Format? in
            do { return try reader.readHead().format } catch let error as DAVCoreError where error.code == .truncated { return nil }
        }.orExit()
        if format?.isTranscript == true { return try runTranscript(&reader, overrides: overrides) }
        if entry != nil {
            printError("--entry applies to a HAR file or a client's log; \(reader.name) is \(format?.rawValue ?? "a cut") output")
            throw ExitStatus.badInput
        }
        let pieces = jobs ?? SplitReading.defaultPieces
        let result = try Result { try Analysis.run(reader: &reader, request: overrides, pieces: pieces) }.orExit()
        switch output.format {
        case .text: print(TextReport(color: output.useColor).render(result), terminator: "")
        case .json: print(try JSONReport.render(result), terminator: "")
        case .html: print(HTMLReport.render(result), terminator: "")
        }
        throw result.findings.isEmpty ? ExitStatus.clean : ExitStatus.findings
    }

    /// A transcript: every WebDAV exchange (or `--entry N`), each with its own request as the context.
    func runTranscript(_ reader: inout CaptureReader, overrides: RequestOverrides) throws {
        let transcript = try Result { try Transcript.read(&reader) }.orExit()
        let analysis = try Result { try TranscriptAnalysis.run(transcript, only: entry, request: overrides) }.orExit()
        let source = reader.name
        switch output.format {
        case .text: print(TextReport(color: output.useColor).render(transcript: analysis, source: source), terminator: "")
        case .json: print(try JSONReport.render(transcript: analysis, source: source), terminator: "")
        case .html: print(HTMLReport.render(transcript: analysis, source: source), terminator: "")
        }
        throw analysis.hasFindings ? ExitStatus.findings : ExitStatus.clean
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
