import ArgumentParser
import Checking
import DAVClient
import DAVCore
import Diagnosis
import Foundation
import Reports

/// `davdoctor proxy --direct URL --via URL`: the same request both ways, and what the proxy changes.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Send the same request straight to the server and through a proxy, and report what the proxy changes.",
        discussion: """
            Compares status, Content-Type, Content-Length against the body, Content-Encoding, hrefs (and the
            mapping that would make them agree), responses missing and statuses changed. Beyond the request,
            nothing is written unless --allow-writes: then COPY and MOVE run inside a scratch collection through
            the proxy to show what happens to Destination, a file locked there straight at the server shows whether
            If and Lock-Token get through, and the collection is removed.
              davdoctor proxy --direct http://127.0.0.1:8080/docs/ --via https://files.example.com/dav/docs/ --user alice
            """)

    @Option(help: "The URL of the resource on the server itself (behind the proxy).")
    var direct: String

    @Option(help: "The URL of the same resource through the proxy, as clients use it.")
    var via: String

    @OptionGroup var live: LiveRequestOptions

    @Flag(
        name: .customLong("allow-writes"),
        help: "COPY, MOVE, a PUT with If and an UNLOCK through the proxy inside a scratch collection, removed afterwards.")
    var allowWrites = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        for url in [direct, via] {
            let href = Href(url)
            guard href.scheme == "http" || href.scheme == "https", href.authority?.isEmpty == false else {
                throw ValidationError("--direct and --via must be absolute http:// or https:// URLs, not '\(url)'")
            }
        }
    }

    func run() async throws {
        let credentials = try Result { try Credentials.resolve(userFlag: live.user, url: via) }.orExit()
        let requests = try Result { (try live.request(to: direct), try live.request(to: via)) }.orExit()
        let client = try Result { try live.client(credentials: credentials) }.orExit()
        let result: AnalysisResult
        do {
            result = try await CheckRunner.compareThroughProxy(
                direct: requests.0, via: requests.1, allowWrites: allowWrites, client: client, progress: Progress(enabled: false),
                interrupt: Interrupt())
        } catch let error as DAVClientError {
            try? await client.shutdown()
            printError(error.description)
            throw error.isNetworkFailure ? ExitStatus.unreachable : ExitStatus.badInput
        } catch {
            try? await client.shutdown()
            printError(String(describing: error))
            throw ExitStatus.badInput
        }
        try? await client.shutdown()
        switch output.format {
        case .text: print(TextReport(color: output.useColor).render(result), terminator: "")
        case .json: print(try JSONReport.render(result), terminator: "")
        case .html: print(HTMLReport.render(result, title: "davdoctor proxy"), terminator: "")
        }
        throw result.findings.isEmpty ? ExitStatus.clean : ExitStatus.findings
    }
}
