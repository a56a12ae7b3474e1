import ArgumentParser
import DAVCore

/// The root command: names the subcommands and the version, nothing else.
@main
struct DavDoctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "davdoctor",
        abstract: "Read WebDAV 207 Multi-Status answers, name the cause, and say what to change.",
        version: "\(DavDoctorVersion.number) (\(buildCommit.map { "commit \($0)" } ?? "built outside git"))",
        subcommands: [Analyze.self, Check.self, Diff.self, Logs.self, Serve.self, LabCommand.self, ProxyCommand.self]
    )

    /// Runs the command; bad usage is one line on stderr and exit status 2 (docs/design.md), not
    /// argument-parser's usage screen and 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            printError(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)
            exit(withError: ExitStatus.badInput)
        }
    }
}
