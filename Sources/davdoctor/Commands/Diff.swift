import ArgumentParser
import DAVCore
import Diagnosis
import Reports
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `davdoctor diff`: what changed per resource between two answers to the same request.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two answers (captures or runs saved with check --save): fixed, regressed, unchanged, new, gone.",
        discussion: """
            Exit status: 0 nothing regressed, 1 a resource that worked before fails now, 2 bad usage or unreadable input.
            A saved run (a directory written by `davdoctor check --save DIR`) stands for its first exchange.
            """)

    @Argument(help: "The earlier answer: a capture file or a saved run directory.")
    var before: String

    @Argument(help: "The later answer: a capture file or a saved run directory.")
    var after: String

    @OptionGroup var request: RequestOptions

    @OptionGroup var output: OutputOptions

    func run() throws {
        let overrides = RequestOverrides(method: request.method, url: request.url, depth: request.depth, headers: request.parsedHeaders)
        let (old, oldSource) = try Result { try Self.states(before, overrides) }.orExit()
        let (new, newSource) = try Result { try Self.states(after, overrides) }.orExit()
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

    /// Reads a capture, or the first exchange of a saved run.
    static func states(_ path: String, _ overrides: RequestOverrides) throws -> (ResourceStates, String) {
        var overrides = overrides
        var file = path
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            guard let saved = SavedRun(directory: path) else {
                throw DAVCoreError(.io, "\(path) is a directory but not a run saved by check --save (no NNN-*-response.http in it)")
            }
            file = saved.responseFile
            overrides.method = overrides.method ?? saved.method
            overrides.url = overrides.url ?? saved.url
        }
        var reader = try CaptureReader(path: file)
        defer { reader.close() }
        return (try ResourceStates(reader: &reader, request: overrides), path)
    }
}

/// A directory written by `check --save`: numbered exchanges, the first being the user's request.
struct SavedRun {
    var responseFile: String
    var method: String?
    var url: String?

    init?(directory: String) {
        guard let reader = DirectoryReader(FileSystemPath(directory)) else { return nil }
        // The run's own files are ASCII; a name that is not UTF-8 is not one of them.
        let names = reader.remainingNames().compactMap { String(validating: $0, as: UTF8.self) }
        guard let response = names.filter({ $0.hasSuffix("-response.http") }).sorted().first else { return nil }
        responseFile = directory + "/" + response
        // The request as the user named it: report.json says it exactly (https included); else the first
        // request file, whose first line is "METHOD target HTTP/1.1" followed by a Host header.
        if let data = FileManager.default.contents(atPath: directory + "/report.json"),
            let saved = try? JSONDecoder().decode(SavedReport.self, from: data)
        {
            method = saved.request.method
            url = saved.request.url
            return
        }
        let requestName = response.replacingSuffix("-response.http", with: "-request.http")
        guard names.contains(requestName), let handle = FileHandle(forReadingAtPath: directory + "/" + requestName) else { return }
        defer { try? handle.close() }
        let text = String(decoding: (try? handle.read(upToCount: 8192)) ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n").map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2 else { return }
        method = String(parts[0])
        let target = String(parts[1])
        if target.hasPrefix("http") {
            url = target
        } else if let host = lines.first(where: { $0.lowercased().hasPrefix("host:") }) {
            url = "http://" + host.dropFirst(5).trimmingASCIIWhitespace() + target
        }
    }

    /// The part of check's report.json that names the request.
    private struct SavedReport: Decodable {
        struct Request: Decodable {
            var method: String
            var url: String
        }
        var request: Request
    }
}

extension String {
    func replacingSuffix(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
