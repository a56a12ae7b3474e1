import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, html
}

/// How a report is written: `--format`, and colour only on a terminal without NO_COLOR.
struct OutputOptions: ParsableArguments {
    @Option(help: "Report format: text, json, or html (one self-contained page).")
    var format: ReportFormat = .text

    var useColor: Bool {
        guard format == .text, isatty(1) == 1 else { return false }
        if let value = getenv("NO_COLOR"), value.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }
}
