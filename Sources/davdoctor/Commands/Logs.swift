import ArgumentParser
import DAVCore
import Diagnosis
import Reports

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension LogFormat: ExpressibleByArgument {}

/// `davdoctor logs`: attach the server's own log lines to a report's findings.
struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Match a report's failing resources with server access and error logs (Apache, nginx, lighttpd, davdoctor, WsgiDAV, rclone, Nextcloud).",
        discussion: """
            REPORT.json is what `analyze` or `check` wrote with --format json (its "time" comes from the answer's Date header).
            Logs may be gzip-rotated (.gz). Times without a zone are read as UTC.
            nextcloud.log (JSON lines) is an error log: its exception classes (Sabre\\DAV\\Exception\\Locked …) name the cause.
            Exit status: 0 no findings, 1 findings, 2 bad usage or unreadable input.
            """)

    @Argument(help: "The JSON report to enrich (from --format json).")
    var report: String?

    @Option(name: .customLong("save-dir"), help: "A run saved by check --save (its report.json).")
    var saveDir: String?

    @Option(name: .customLong("access"), help: "An access log (repeatable).")
    var access: [String] = []

    @Option(name: .customLong("error"), help: "An error log (repeatable).")
    var errors: [String] = []

    @Option(help: "The log format: apache, nginx, lighttpd, davdoctor, wsgidav, rclone, nextcloud or auto.")
    var format: LogFormat = .auto

    @Option(help: "Seconds around the answer's time in which log lines count.")
    var window: Int = 5

    @Option(help: "Output: text or json.")
    var output: ReportFormat = .text

    func validate() throws {
        if (report == nil) == (saveDir == nil) { throw ValidationError("give either REPORT.json or --save-dir DIR") }
        if access.isEmpty && errors.isEmpty { throw ValidationError("give at least one --access or --error log") }
        if window < 0 { throw ValidationError("--window must not be negative") }
        if output == .html { throw ValidationError("--output must be text or json") }
    }

    func run() throws {
        let path = report ?? (saveDir! + "/report.json")
        var model = try Result { () throws -> ReportModel in
            var reader = try CaptureReader(path: path)
            defer { reader.close() }
            let (bytes, _) = try reader.readWholeBody(limit: 256 << 20)
            do {
                return try JSONDecoder().decode(ReportModel.self, from: Data(bytes))
            } catch {
                throw DAVCoreError(.malformedCapture, "\(path) is not a davdoctor JSON report")
            }
        }.orExit()
        let requestPath = Href(model.request.url.isEmpty ? "/" : model.request.url).displayPath
        var correlator = LogCorrelator(
            findings: model.findings, requestPath: requestPath, time: model.epoch, window: window, answerStatus: model.status)
        let day = model.epoch.map { $0 - $0 % 86_400 }
        for file in access {
            var number = 0
            try Result {
                try LineReader.forEachLine(path: file) { line in
                    number += 1
                    if format == .davdoctor && !line.hasPrefix("{") { return }
                    guard let entry = LogFormat.parseAccess(line, source: "\(Self.name(file)):\(number)") else { return }
                    // A nextcloud.log given as an access log is still an error log.
                    if entry.kind == .error { correlator.add(error: entry) } else { correlator.add(access: entry) }
                }
            }.orExit()
        }
        for file in errors {
            var number = 0
            try Result {
                try LineReader.forEachLine(path: file) { line in
                    number += 1
                    if let entry = LogFormat.parseError(line, source: "\(Self.name(file)):\(number)", day: day) { correlator.add(error: entry) }
                }
            }.orExit()
        }
        let (findings, notes) = correlator.conclude()
        model.findings = findings
        model.notes += notes
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(model), as: UTF8.self))
        default:
            let heading =
                "\(model.request.method) \(model.request.url)\(model.time.map { "  at \($0)" } ?? "")\nlogs: \(correlator.accessLines) access and \(correlator.errorLines) error lines read, window ±\(window) s"
            print(FindingsText.render(findings, notes: model.notes, heading: heading), terminator: "")
        }
        throw findings.isEmpty ? ExitStatus.clean : ExitStatus.findings
    }

    static func name(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
}
