import ArgumentParser
import DAVCore

/// Flags that describe the request which produced a response, when the capture does not show it.
struct RequestOptions: ParsableArguments {
    @Option(help: "The URL that was asked for (enables scope, host and prefix checks).")
    var url: String?

    @Option(help: "The method that was sent (default PROPFIND).")
    var method: String?

    @Option(help: "The Depth header that was sent: 0, 1 or infinity.")
    var depth: String?

    @Option(name: .customLong("header"), help: "A request header that was sent, as 'Name: value' (repeatable).")
    var headers: [String] = []

    func validate() throws {
        if let depth, Depth(headerValue: depth) == nil {
            throw ValidationError("--depth must be 0, 1 or infinity, not '\(depth)'")
        }
        for header in headers {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                throw ValidationError("--header must look like 'Name: value', not '\(header)'")
            }
        }
        if let method, method.isEmpty || !method.allSatisfy({ $0.isLetter || $0 == "-" }) {
            throw ValidationError("--method must be an HTTP method name such as PROPFIND, not '\(method)'")
        }
    }

    var parsedHeaders: [(String, String)] {
        headers.compactMap { header in
            guard let colon = header.firstIndex(of: ":") else { return nil }
            return (String(header[..<colon]).trimmingASCIIWhitespace(), String(header[header.index(after: colon)...]).trimmingASCIIWhitespace())
        }
    }
}
