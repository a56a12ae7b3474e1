import DAVCore

/// How the answer was framed on the wire. curl reads past most framing faults, so the user sees a 207;
/// strict clients (AsyncHTTPClient, .NET, OkHttp) and proxies (nginx, HAProxy) refuse the whole answer,
/// so it comes before whatever the body holds. With signs of a relay the fault may be the relay's.
enum FramingRule: Rule {
    static func findings(_ input: RuleInput) -> [Finding] {
        guard let head = input.head else { return [] }
        let faults = distinct(head.framingFaults + (input.bodyInfo?.framingFaults ?? []))
        guard !faults.isEmpty else { return [] }
        let relayed = ProxyRule.proxyHeaders(head) + ServerProfile.relaySigns(head, bodyExcerpt: input.bodyExcerpt)
        return faults.map { finding($0, path: input.context.requestPath, status: head.status, relayed: relayed) }
    }

    /// One fault of each kind: the head, the body and curl's own notes may each see the same one; the
    /// sighting that quotes the lines is kept, with the others' details beside it.
    static func distinct(_ faults: [FramingFault]) -> [FramingFault] {
        var kept: [FramingFault] = []
        for fault in faults {
            guard let index = kept.firstIndex(where: { $0.kind == fault.kind }) else {
                kept.append(fault)
                continue
            }
            var merged = kept[index].lines.isEmpty && !fault.lines.isEmpty ? fault : kept[index]
            let other = merged == fault ? kept[index] : fault
            if let detail = other.detail, detail != merged.detail {
                merged.detail = [merged.detail, detail].compactMap { $0 }.joined(separator: "; ")
            }
            kept[index] = merged
        }
        return kept
    }

    /// One fault as a finding: the relay's (`proxy`) when something relays the answer, else the server's (`payload`).
    static func finding(_ fault: FramingFault, path: String, status: Int?, relayed: [String]) -> Finding {
        var made = Finding(
            cause: relayed.isEmpty ? .payload : .proxy, likelihood: .high,
            signs: [Sign("framing-\(fault.kind.rawValue)", subject: fault.lines.first, value: fault.detail)],
            title: title(fault.kind), resources: [path],
            evidence: fault.lines.map { "received: \($0)" } + (fault.detail.map { [$0] } ?? [])
                + ["\(fault.kind.section): \(rule(fault.kind))", "breaks: \(breaks(fault.kind))"]
                + (relayed.isEmpty ? [] : relayed + ["something relays this answer, and may be what frames it so"]),
            fixes: [Fix(fix(fault.kind), .medium)], status: status)
        made.because = fault.lines.isEmpty ? fault.detail : "received: " + fault.lines.joined(separator: " / ")
        return made
    }

    static func title(_ kind: FramingFault.Kind) -> String {
        switch kind {
        case .lengthWithChunked: "the answer is framed twice: Transfer-Encoding: chunked and Content-Length"
        case .chunkedOnHTTP10: "an HTTP/1.0 answer is sent chunked, which HTTP/1.0 does not have"
        case .conflictingLengths: "the answer announces two different Content-Lengths"
        case .badChunkSize: "the chunked body breaks: a chunk size is not a hex number, or a chunk is not the size it says"
        case .lineWithoutColon: "a header line has no colon"
        case .obsoleteFolding: "a header value is folded onto the next line (obsolete line folding)"
        case .bareLineFeeds: "header lines end in a bare LF, not CRLF"
        case .controlBytes: "a header holds NUL or another control byte"
        case .http09: "the answer has no status line (an HTTP/0.9 answer)"
        case .closedBeforeStatusLine: "the connection closed before the answer's head was complete"
        case .savedHeadStops: "the saved answer stops after a whole header line: the line after it was refused"
        case .bodyShorter: "the body is shorter than announced"
        case .bodyLonger: "the body is longer than announced"
        }
    }

    static func rule(_ kind: FramingFault.Kind) -> String {
        switch kind {
        case .lengthWithChunked:
            "a sender must not send Content-Length with Transfer-Encoding; a recipient must treat the pair as an error or ignore the length, and a proxy must not forward it"
        case .chunkedOnHTTP10: "chunked is an HTTP/1.1 coding; an HTTP/1.0 recipient reads the chunk sizes as part of the body"
        case .conflictingLengths: "differing Content-Length values make the message unrecoverable; the recipient must treat it as an error"
        case .badChunkSize: "each chunk starts with its size in hex, and the data must be exactly that long"
        case .lineWithoutColon: "every field line is name \":\" value"
        case .obsoleteFolding: "a recipient must reject a folded line or replace the fold with spaces; senders must not fold"
        case .bareLineFeeds: "lines end in CRLF; a bare LF is tolerated by some recipients only"
        case .controlBytes: "field values must not hold NUL, CR or LF; recipients reject or replace them"
        case .http09: "an answer starts with HTTP/1.x and a status code"
        case .closedBeforeStatusLine: "the server (or something in between) closed the connection without answering"
        case .savedHeadStops: "every field line is name \":\" value, without NUL or other control bytes"
        case .bodyShorter, .bodyLonger: "the message ends where its framing says; the rest is lost or read as the next answer"
        }
    }

    static func breaks(_ kind: FramingFault.Kind) -> String {
        switch kind {
        case .lengthWithChunked, .conflictingLengths:
            "AsyncHTTPClient, nginx and HAProxy as proxies, .NET's HttpClient and OkHttp (DAVx5) refuse the answer as a smuggling risk; curl takes one of the two and goes on"
        case .chunkedOnHTTP10:
            "clients that honour HTTP/1.0 show the chunk sizes inside the XML and fail to parse it; AsyncHTTPClient refuses the answer; curl decodes it anyway"
        case .badChunkSize:
            "every client stops reading where the framing breaks: the multistatus is cut there"
        case .lineWithoutColon, .obsoleteFolding, .controlBytes, .savedHeadStops:
            "AsyncHTTPClient (llhttp), nginx and HAProxy as proxies and .NET refuse the whole answer; curl skips or keeps the line"
        case .bareLineFeeds:
            "strict parsers (HAProxy, llhttp in strict mode) refuse it; curl, browsers and most clients accept it"
        case .http09:
            "no current client reads it: curl needs --http0.9, AsyncHTTPClient and every proxy refuse it"
        case .closedBeforeStatusLine:
            "every client reports a closed connection and retries or gives up"
        case .bodyShorter, .bodyLonger:
            "a client keeping the connection reads the next answer out of step; a cut body is unparseable XML"
        }
    }

    static func fix(_ kind: FramingFault.Kind) -> String {
        switch kind {
        case .lengthWithChunked, .conflictingLengths, .bodyShorter, .bodyLonger:
            "Let one layer frame the answer: a script or module that writes its own Content-Length (or chunks by itself) behind a server that chunks again is the usual cause; drop the manual header, or set the proxy to re-frame (nginx: proxy_http_version 1.1 with chunked_transfer_encoding on)"
        case .chunkedOnHTTP10:
            "Answer HTTP/1.0 requests and HTTP/1.0 status lines without chunking (a Content-Length or close-delimited body); check the script or proxy that writes the status line"
        case .badChunkSize:
            "Fix the component that writes the chunks (a CGI or proxy module that frames by hand); compare with the answer taken straight from the backend"
        case .lineWithoutColon, .obsoleteFolding, .controlBytes, .bareLineFeeds:
            "Fix the component that writes that header (a CGI script printing raw lines, a header added by a rewrite rule): one \"Name: value\" per CRLF-terminated line, no control bytes"
        case .savedHeadStops:
            "See the refused line: davdoctor check URL reads the answer's raw bytes and quotes it (curl, with or without --raw, refuses it too); then fix the component that writes that header: one \"Name: value\" per CRLF-terminated line, no control bytes"
        case .http09, .closedBeforeStatusLine:
            "Check the server's error log at that time, and that the port speaks HTTP/1.1 (not a TLS-only or other protocol port)"
        }
    }
}
