import ArgumentParser
import DAVClient
import DAVCore

/// What `check` and `proxy` send and how they reach the server: the method, Depth, body and headers of
/// the request, the user, TLS and the timeout.
struct LiveRequestOptions: ParsableArguments {
    @Option(help: "The method to send (default PROPFIND).")
    var method: String?

    @Option(help: "The Depth header: 0, 1 or infinity (default 1 for PROPFIND).")
    var depth: String?

    @Option(help: "A file whose bytes are the request body (default for PROPFIND: allprop).")
    var body: String?

    @Option(name: .customLong("header"), help: "A request header, as 'Name: value' (repeatable).")
    var headers: [String] = []

    @Option(help: "Credentials as curl's -u: USER[:PASSWORD] (else DAVDOCTOR_PASSWORD or ~/.netrc).")
    var user: String?

    @Flag(help: "Do not verify the server's TLS certificate.")
    var insecure = false

    @Option(help: "A PEM file of CA certificates to trust as well.")
    var cacert: String?

    @Option(help: "Seconds to wait for a connection or for data.")
    var timeout: Int = 30

    func validate() throws {
        if let depth, Depth(headerValue: depth) == nil { throw ValidationError("--depth must be 0, 1 or infinity, not '\(depth)'") }
        if let method, method.isEmpty || !method.allSatisfy({ $0.isLetter || $0 == "-" }) {
            throw ValidationError("--method must be an HTTP method name such as PROPFIND, not '\(method)'")
        }
        for header in headers where header.firstIndex(of: ":").map({ $0 == header.startIndex }) ?? true {
            throw ValidationError("--header must look like 'Name: value', not '\(header)'")
        }
        if timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    /// The request to `url`, with PROPFIND's defaults (Depth 1, an allprop body).
    func request(to url: String) throws -> DAVRequest {
        let verb = (method ?? "PROPFIND").uppercased()
        var fields = HTTPFields()
        for header in headers {
            let colon = header.firstIndex(of: ":")!
            fields.add(String(header[..<colon]).trimmingASCIIWhitespace(), String(header[header.index(after: colon)...]).trimmingASCIIWhitespace())
        }
        var bytes: [UInt8] = []
        if let body {
            var reader = try CaptureReader(path: body)
            defer { reader.close() }
            try reader.readRaw { bytes.append(contentsOf: $0) }
        } else if verb == "PROPFIND" {
            bytes = Array(#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#.utf8)
        }
        if let depth { fields.set("Depth", depth) } else if verb == "PROPFIND", fields["Depth"] == nil { fields.set("Depth", "1") }
        if !bytes.isEmpty, fields["Content-Type"] == nil, bytes.first == UInt8(ascii: "<") {
            fields.set("Content-Type", "application/xml; charset=utf-8")
        }
        return DAVRequest(method: verb, url: url, headers: fields, body: bytes)
    }

    /// A client with these TLS settings and timeouts, signing in as `credentials`.
    func client(credentials: Credentials?) throws -> DAVClient {
        try DAVClient(
            configuration: .init(
                connectTimeout: .seconds(timeout), readTimeout: .seconds(timeout), requestTimeout: .seconds(max(timeout, 120)),
                insecure: insecure, caCertificate: cacert, credentials: credentials))
    }
}
