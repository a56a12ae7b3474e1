import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift` (`let buildCommit: String?`) from `scripts/build-commit.sh`, so that
/// `davdoctor --version` names the commit it was built from.
///
/// A build command whose inputs are what moves the commit or dirties the tree: git's reflog of HEAD (one
/// line more on every commit, checkout or reset), HEAD and the index, and every Swift source of the
/// package. SwiftPM runs a prebuild command only when it reloads the package graph, not on every
/// incremental build (swift-package-manager#5476), so a prebuild stamp kept naming the commit before.
/// Nothing tracked by git is edited, and a tree without `.git` (a tarball) or without `git` still
/// builds: the script then writes `nil`.
@main
struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated").appending(path: "BuildCommit.swift")
        let root = context.package.directoryURL
        let sources = context.package.targets.compactMap { $0.sourceModule }.flatMap { module in
            module.sourceFiles(withSuffix: "swift").map(\.url)
        }
        let git = Self.gitDirectory(of: root).map { directory in
            ["logs/HEAD", "HEAD", "index"].map { directory.appending(path: $0) }
                .filter { FileManager.default.fileExists(atPath: $0.path) }
        }
        return [
            .buildCommand(
                displayName: "Recording the git commit of \(root.lastPathComponent)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [root.appending(path: "scripts/build-commit.sh").path, root.path, output.deletingLastPathComponent().path],
                inputFiles: (git ?? []) + sources,
                outputFiles: [output]
            )
        ]
    }

    /// The repository's git directory: `.git` itself, or where a worktree's `.git` file points.
    static func gitDirectory(of root: URL) -> URL? {
        let dotGit = root.appending(path: ".git")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return dotGit }
        guard let text = try? String(contentsOf: dotGit, encoding: .utf8),
            let line = text.split(separator: "\n").first, line.hasPrefix("gitdir: ")
        else { return nil }
        let path = String(line.dropFirst("gitdir: ".count)).trimmingCharacters(in: .whitespaces)
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appending(path: path)
    }
}
