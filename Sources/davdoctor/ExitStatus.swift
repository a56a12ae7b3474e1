import ArgumentParser

/// Exit statuses of docs/design.md: 0 no findings, 1 findings, 2 bad usage or unreadable input, 3 unreachable.
enum ExitStatus {
    static let clean = ExitCode(0)
    static let findings = ExitCode(1)
    static let badInput = ExitCode(2)
    static let unreachable = ExitCode(3)
}

/// Prints a one-line error to standard error.
func printError(_ message: String) {
    var stderr = StandardError()
    print("davdoctor: error: \(message)", to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
