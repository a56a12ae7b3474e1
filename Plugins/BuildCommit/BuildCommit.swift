import Foundation
import PackagePlugin

/// Before every build, writes `BuildCommit.swift` (`let buildCommit: String?`) from
/// `scripts/build-commit.sh`, so `davdoctor --version` names the commit it was built from.
///
/// A prebuild command rather than a file a release script writes: every build gets it (debug ones too),
/// nothing tracked by git is edited, and a source tree without `.git` (a tarball) or without `git`
/// still builds — the script then writes `nil`.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let root = context.package.directoryURL
        return [
            .prebuildCommand(
                displayName: "Recording the git commit of \(root.lastPathComponent)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [root.appending(path: "scripts/build-commit.sh").path, root.path, output.path],
                outputFilesDirectory: output
            )
        ]
    }
}
