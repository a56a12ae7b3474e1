import DAVCore

/// What an analysis found: the answer's shape, the collected resources, and the findings, most likely first.
public struct AnalysisResult: Sendable {
    public var context: AnalysisContext
    public var head: ResponseHead?
    public var server: ServerProfile
    public var format: CaptureReader.Format
    /// Present when the body was a multistatus.
    public var collector: ResponseCollector?
    public var bodyInfo: CaptureReader.BodyInfo?
    public var findings: [Finding]
    public var lint: [LintFinding]
    /// Things worth knowing that are not faults (a 404 propstat for a property a resource lacks).
    public var notes: [String]
    /// What the notes say, as data beside their words (a note need not have one): tests and scripts read these.
    public var noteSigns: [Sign] = []
    /// In how many pieces the body was read at once (1 unless a large file was split, see ``SplitReading``).
    public var piecesRead = 1

    /// The HTTP status of the whole answer (207 for a bare multistatus body).
    public var status: Int? { head?.status ?? (collector != nil ? 207 : nil) }
}

/// Runs the offline diagnosis: read the capture, stream the multistatus through the collector, then
/// apply every rule. Nothing here touches the network.
public enum Analysis {
    /// Analyzes what `reader` holds. `request` fills in what the capture does not show (flags win).
    /// A large body stored as it is in a file is read in `pieces` parts at once (see ``SplitReading``);
    /// the result is the same as reading it in one.
    public static func run(
        reader: inout CaptureReader, request overrides: RequestOverrides = RequestOverrides(),
        pieces: Int = SplitReading.defaultPieces, splitAbove minimumBytes: Int = SplitReading.defaultMinimumBytes
    ) throws -> AnalysisResult {
        let head: CaptureReader.Head
        do {
            head = try reader.readHead()
        } catch let error as DAVCoreError where error.code == .truncated {
            // A capture that starts as an answer and stops inside its head. Saved by curl and stopping at a
            // line's end, curl refused the next line; cut inside a line, the connection closed there.
            var request = RequestInfo(method: "PROPFIND", url: "")
            overrides.apply(to: &request)
            if !reader.lineEndsAsSent, let cut = reader.headCut, cut.endsAtLineEnd, cut.wholeLines > 0 {
                let detail =
                    "the saved head ends after \(cut.wholeLines) whole line(s), with no empty line after them (\(reader.name)): curl saves a head line by line and stops before a line it refuses (a line without a colon: \"Header without colon\", exit 8; a NUL: \"Nul byte in header\"), or the connection closed right there"
                return unframed(request, fault: FramingFault(.savedHeadStops, lines: cut.lastLine.map { [$0] } ?? [], detail: detail))
            }
            return unframed(request, fault: FramingFault(.closedBeforeStatusLine, detail: "\(error.message) (\(reader.name))"))
        }
        guard !head.format.isTranscript else {
            throw DAVCoreError(
                .malformedCapture,
                "\(reader.name) is a \(head.format.rawValue) transcript of several exchanges: analyze it with davdoctor analyze (--entry N for one)")
        }
        var request = head.request ?? RequestInfo(method: "PROPFIND", url: "")
        overrides.apply(to: &request)
        if pieces > 1, let region = try reader.plainBodyRegion(), region.count >= max(minimumBytes, 1),
            let result = try SplitReading.run(
                region: region, pieces: pieces, context: AnalysisContext(request: request), head: head.response, format: head.format)
        {
            return result
        }
        var session = AnalysisSession(request: request, head: head.response, format: head.format, sourceName: reader.name)
        let bodyInfo = try reader.readBody { try session.feed($0) }
        return try session.finish(bodyInfo: bodyInfo)
    }
}

/// One analysis fed as the body arrives, from a file or from the network: the multistatus is parsed and
/// collected chunk by chunk, so memory stays flat whatever the answer's size.
public struct AnalysisSession {
    public let context: AnalysisContext
    public let head: ResponseHead?
    let format: CaptureReader.Format
    let sourceName: String
    private var sniff: [UInt8] = []
    private var mode = BodyMode.undecided
    private var parser: MultiStatusParser
    private var collector: ResponseCollector
    private var wireBytes = 0
    /// Where a multistatus stopped being XML (cut short, or not well-formed): what was read before it stands.
    private var brokenAt: DAVCoreError?
    /// The body exists but the capture does not hold it (a HAR exporter or client log left it out): an empty
    /// body then says nothing about the server.
    public var bodyWithheld = false

    public init(request: RequestInfo, head: ResponseHead?, format: CaptureReader.Format, sourceName: String = "the answer") {
        context = AnalysisContext(request: request)
        parser = ResponseCollector.parser(for: context)
        self.head = head
        self.format = format
        self.sourceName = sourceName
        collector = ResponseCollector(context: context)
    }

    /// Responses read so far (for progress on long answers).
    public var responsesRead: Int { collector.responseCount }
    /// Whether the body stopped being a well-formed multistatus somewhere (cut, or not XML from there on).
    public var documentBroke: Bool { brokenAt != nil }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer) throws {
        wireBytes += chunk.count
        switch mode {
        case .undecided:
            sniff.append(contentsOf: chunk)
            if let decided = BodyMode.decide(sniff, final: false) {
                mode = decided
                if decided == .multistatus {
                    let pending = sniff
                    sniff = []
                    do { try parser.feed(pending) { collector.add($0) } } catch let error as DAVCoreError where Self.breaksDocument(error) {
                        brokenAt = error
                    }
                }
            }
        case .multistatus:
            guard brokenAt == nil else { return }
            do { try parser.feed(chunk) { collector.add($0) } } catch let error as DAVCoreError where Self.breaksDocument(error) { brokenAt = error }
        case .other, .xml:
            if sniff.count < 4 << 20 { sniff.append(contentsOf: chunk.prefix((4 << 20) - sniff.count)) }
        }
    }

    public mutating func feed(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try feed($0) }
    }

    /// Ends early (Ctrl-C while a long answer streams in): runs the rules over the responses read so far.
    public mutating func finishPartial() -> AnalysisResult {
        var result = partialResult()
        result.notes.append("interrupted after \(collector.responseCount) responses: the findings cover only those")
        result.noteSigns.append(Sign("interrupted", value: String(collector.responseCount)))
        return result
    }

    /// Ends a live answer whose body stopped being a readable multistatus (cut, not well-formed): what was
    /// read is diagnosed, and the breakage is the first finding.
    public mutating func finishBroken(_ error: DAVCoreError) -> AnalysisResult {
        var result = partialResult()
        result.findings.insert(BrokenDocument.finding(error, head: head, path: context.requestPath), at: 0)
        return result
    }

    private mutating func partialResult() -> AnalysisResult {
        if mode == .multistatus {
            collector.finish()
            for problem in parser.problems { collector.addProblem(problem) }
        }
        return Diagnose.run(
            context: context, head: head, format: format, collector: mode == .multistatus ? collector : nil,
            bodyInfo: CaptureReader.BodyInfo(bytes: wireBytes), errorBody: nil, excerpt: "")
    }

    /// Ends a body whose connection broke off before its framing said it was complete.
    public mutating func finishCut(reason: String) throws -> AnalysisResult {
        var info = CaptureReader.BodyInfo(bytes: wireBytes)
        info.isTruncated = true
        info.wasChunked = head?.headers["Transfer-Encoding"]?.lowercased().contains("chunked") ?? false
        info.declaredLength = head?.headers["Content-Length"].flatMap { Int($0.trimmingASCIIWhitespace()) }
        var result = try finish(bodyInfo: info)
        result.notes.append("the connection closed before the body was complete (\(reason))")
        result.noteSigns.append(Sign("connection-closed-early", value: reason))
        return result
    }

    /// Ends the body and runs the rules. `bodyInfo` says what the framing showed (truncation, size).
    public mutating func finish(bodyInfo given: CaptureReader.BodyInfo? = nil) throws -> AnalysisResult {
        var bodyInfo = given ?? CaptureReader.BodyInfo()
        if given == nil { bodyInfo.bytes = wireBytes }
        if mode == .undecided { mode = BodyMode.decide(sniff, final: true) ?? .other }
        var errorBody: XMLElement?
        var excerpt = ""
        var hasMultistatus = false
        if mode == .multistatus {
            if sniff.count > 0, brokenAt == nil {
                let pending = sniff
                sniff = []
                do { try parser.feed(pending) { collector.add($0) } } catch let error as DAVCoreError where Self.breaksDocument(error) {
                    brokenAt = error
                }
            }
            if brokenAt == nil {
                do { try parser.finish { collector.add($0) } } catch let error as DAVCoreError where Self.breaksDocument(error) { brokenAt = error }
            }
            collector.finish()
            Self.finishDocument(
                &collector, problems: parser.problems, root: parser.rootName, syncToken: parser.syncToken, head: head, method: context.method)
            hasMultistatus = true
        } else {
            excerpt = String(decoding: sniff.prefix(16 << 10), as: UTF8.self)
            if mode == .xml {
                errorBody = try? XMLTreeParser.parse(sniff, limits: .requestBody, strict: false).root
            }
            if head == nil || head?.status == 207 {
                if sniff.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                    if bodyWithheld {
                        // The transcript left the body out: its head is all there is to read, and no fault.
                    } else if head?.status == 207 {
                        collector.linter.report(LintRules.emptyBody, "the 207 has an empty body")
                        hasMultistatus = true
                    } else {
                        throw DAVCoreError(.emptyInput, "\(sourceName) is empty: no capture or XML body to read")
                    }
                } else if mode == .xml, let root = errorBody {
                    throw DAVCoreError(.notMultiStatus, "the body's root element is \(root.name), not {DAV:}multistatus")
                } else if head == nil {
                    // A bare body that is not XML: say what it is.
                    var tokenizer = XMLTokenizer()
                    var ignore = IgnoreTokens()
                    try tokenizer.feed(sniff, into: &ignore)
                    try tokenizer.finish(into: &ignore)
                }
            }
        }
        var result = Diagnose.run(
            context: context, head: head, format: format, collector: hasMultistatus ? collector : nil,
            bodyInfo: bodyInfo, errorBody: errorBody, excerpt: excerpt, brokenAt: brokenAt)
        if !hasMultistatus, let head, (200..<300).contains(head.status),
            let finding = BrokenDocument.notXML(excerpt, head: head, path: context.requestPath, method: context.method)
        {
            result.findings.insert(finding, at: 0)
        }
        return result
    }

    /// Faults that end a multistatus as XML but leave what came before readable: a body cut short, or one
    /// that stops being well-formed. Limits, DTDs and bodies that are not XML at all stay errors.
    static func breaksDocument(_ error: DAVCoreError) -> Bool {
        error.code == .truncated || error.code == .malformedXML || error.code == .unboundPrefix || error.code == .undefinedEntity
    }
}

extension BrokenDocument {
    /// A 2xx answer whose XML body is not XML from its first byte: text printed before the declaration (PHP
    /// notices, debug output), or a 207 that holds no multistatus at all.
    static func notXML(_ excerpt: String, head: ResponseHead, path: String, method: String) -> Finding? {
        let expectsXML = head.status == 207 || (head.status == 200 && ["LOCK", "PROPFIND", "PROPPATCH", "REPORT"].contains(method))
        guard expectsXML, !excerpt.isEmpty else { return nil }
        let flat = excerpt.drop { $0.isWhitespace }
        if let declaration = flat.firstRange(of: "<?xml"), declaration.lowerBound != flat.startIndex {
            let before = flat[..<declaration.lowerBound]
            let shown = before.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(160)
            return Finding(
                cause: .payload, likelihood: .high, title: "text comes before the XML declaration, so the \(head.status) is not XML",
                resources: [path],
                evidence: [
                    "\(before.utf8.count) bytes precede <?xml: \"\(shown)\"",
                    "an XML declaration must come first (XML 1.0 §2.8): every client's parser rejects the whole answer",
                    before.contains("<b>") || before.lowercased().contains("deprecated") || before.lowercased().contains("warning")
                        ? "the text is a PHP notice or warning printed into the answer (display_errors on)"
                        : "something printed into the answer before the server's XML",
                ],
                fixes: [
                    Fix(
                        "Turn display_errors off on the server (PHP: display_errors = Off, log_errors = On) so notices go to the log, not into answers",
                        .easy)
                ],
                status: head.status)
        }
        guard head.status == 207, !flat.hasPrefix("<") || flat.lowercased().hasPrefix("<!doctype html") || flat.lowercased().hasPrefix("<html") else {
            return nil
        }
        return Finding(
            cause: .payload, likelihood: .high, title: "the 207 holds no multistatus",
            resources: [path],
            evidence: ["the body starts with \"\(flat.prefix(80).split(whereSeparator: \.isNewline).joined(separator: " "))\", not <D:multistatus>"],
            fixes: [Fix("Have the server (or whatever rewrites its answers) send the multistatus it built, as application/xml", .medium)], status: 207
        )
    }
}

extension BrokenDocument {
    /// A body whose framing ended early (no last chunk, fewer bytes than Content-Length): cut on the way by a
    /// proxy that says it is there, or by the server itself.
    static func cut(_ info: CaptureReader.BodyInfo, head: ResponseHead?, path: String, proxyInFront: String?, brokenAt: DAVCoreError?) -> Finding {
        let signs = ProxyRule.proxyHeaders(head) + (proxyInFront.map { [$0] } ?? [])
        var evidence = ["the body ended before its \(info.wasChunked ? "last chunk" : "declared length \(info.declaredLength ?? 0)")"]
        if let brokenAt { evidence.append("the XML stops at byte \(brokenAt.offset ?? 0): \(brokenAt.message)") }
        evidence += signs
        if signs.isEmpty {
            evidence.append("no proxy says it is in the path: the server stopped sending (it failed or timed out while writing the answer)")
        }
        let announced = info.wasChunked ? "no last chunk came" : "Content-Length announced \(info.declaredLength ?? 0), \(info.wireBytes) bytes came"
        return Finding(
            cause: signs.isEmpty ? .payload : .proxy, likelihood: .high,
            signs: [Sign("framing-\(FramingFault.Kind.bodyShorter.rawValue)", value: announced)],
            title: signs.isEmpty ? "the server stopped sending the body before it was complete" : "the body was cut short on the way",
            resources: [path], evidence: evidence,
            fixes: signs.isEmpty
                ? [Fix("Read the server's error log at the time of the request: it aborted the answer", .medium)]
                : [Fix("Compare with a request that bypasses the proxy (davdoctor proxy); check proxy buffering and timeouts", .medium)])
    }
}

/// A multistatus whose XML breaks off or stops being well-formed. A proxy that says so (Via, a cache's
/// headers) is the likelier culprit; without one, the server wrote a broken document.
public enum BrokenDocument {
    public static func finding(_ error: DAVCoreError, head: ResponseHead?, path: String, responsesRead: Int? = nil, proxyInFront: String? = nil)
        -> Finding
    {
        let proxyHeaders = ProxyRule.proxyHeaders(head)
        // `proxyInFront` is a whole sentence already; a header line needs saying what it shows.
        let proxySigns =
            proxyHeaders.map { "\($0) — a proxy is in the path and may have cut or altered the body" } + (proxyInFront.map { [$0] } ?? [])
        let cut = error.code == .truncated
        var evidence = ["the body is not a whole multistatus: \(error.description)\(responsesRead.map { ", after \(Wording.resources($0))" } ?? "")"]
        if let length = head?.headers["Content-Length"] {
            evidence.append("Content-Length: \(length) — the framing is complete, the document is not")
            if cut {
                evidence.append(
                    "or the server sent more than those \(length) bytes: a reader stops at the announced length (curl -v says \"Excess found\"); davdoctor check reads the raw bytes"
                )
            }
        }
        if !proxySigns.isEmpty {
            evidence += proxySigns
        } else if cut {
            evidence.append("no proxy says it is in the path, so the server most likely stopped writing the document (it failed while listing)")
        } else {
            evidence.append(
                "every strict XML parser (libxml2 in davfs2 and gvfs, .NET in Windows, Java in DAVx5 and Cyberduck, Go in rclone) rejects the whole answer, not just this resource"
            )
        }
        evidence.append("the resources read before that point are shown; the rest of the answer is lost")
        let viaProxy = !proxySigns.isEmpty
        return Finding(
            cause: viaProxy ? .proxy : .payload, likelihood: .high,
            title: viaProxy
                ? "the multistatus arrived cut or altered on its way through a proxy"
                : cut ? "the multistatus ends before its XML is complete" : "the multistatus is not well-formed XML",
            resources: [path], evidence: evidence,
            fixes: viaProxy
                ? [
                    Fix(
                        "Let the proxy pass the body whole: raise proxy buffer and response size limits (nginx proxy_max_temp_file_size, proxy_read_timeout; Apache ProxyIOBufferSize, ProxyTimeout) and do not rewrite bodies of 207 answers",
                        .medium)
                ]
                : [
                    Fix(
                        cut
                            ? "Read the server's error log at the time of the request: it aborted the listing"
                            : "Find the resource at that point of the body (a file name the server cannot write into XML) and rename it, or fix the server's XML writer",
                        .medium)
                ])
    }
}

extension AnalysisSession {
    /// The checks only a whole document allows, once every response is in the collector.
    static func finishDocument(
        _ collector: inout ResponseCollector, problems: [XMLProblem], root: QualifiedName?, syncToken: String?, head: ResponseHead?, method: String
    ) {
        collector.finishReport(syncToken: syncToken)
        for problem in problems { collector.addProblem(problem) }
        collector.linter.checkDocument(root: root, responses: collector.responseCount, head: head, method: method)
        collector.linter.finishDuplicates()
    }
}

extension Analysis {
    /// An answer with no readable head (no status line, or a connection closed inside it): its framing
    /// fault is the whole diagnosis.
    public static func unframed(_ request: RequestInfo, fault: FramingFault) -> AnalysisResult {
        let context = AnalysisContext(request: request)
        return AnalysisResult(
            context: context, head: nil, server: .unknown, format: .live, collector: nil, bodyInfo: nil,
            findings: [FramingRule.finding(fault, path: context.requestPath, status: nil, relayed: [])], lint: [], notes: [])
    }
}

/// The rules, in order, over what a session collected.
enum Diagnose {
    static func run(
        context: AnalysisContext, head: ResponseHead?, format: CaptureReader.Format, collector: ResponseCollector?,
        bodyInfo: CaptureReader.BodyInfo, errorBody: XMLElement?, excerpt: String, brokenAt: DAVCoreError? = nil
    ) -> AnalysisResult {
        let hasMultistatus = collector != nil
        let server = ServerProfile.recognise(headers: head?.headers, bodyExcerpt: excerpt, namespaces: Array(collector?.namespaces ?? []))
        let input = RuleInput(
            context: context, head: head, server: server, collector: collector,
            bodyInfo: bodyInfo, errorBody: errorBody, bodyExcerpt: excerpt)
        var findings: [Finding] = []
        let topStatus = head?.status
        // A multistatus body under 424 (Apache does this) explains itself: its members carry the causes.
        // An answer that fits another request than the one sent explains itself first: what never arrived.
        let arrival = ArrivalRule.findings(input)
        findings += arrival
        // An error a cache kept explains itself before anything the error says.
        let cached = CacheRule.findings(input)
        findings += cached
        // A REPORT judged by its own RFC: a Depth it is not defined for, a query of the collection itself.
        findings += ReportRule.findings(input)
        // Then what the server's error body says, which names the cause more surely than a status chosen by habit.
        if arrival.isEmpty, cached.isEmpty, topStatus != 207 { findings += ErrorBodyRule.findings(input) }
        if findings.isEmpty, topStatus.map({ $0 != 207 && !($0 == 424 && hasMultistatus) }) ?? !hasMultistatus {
            findings += StatusRule.findings(input)
        }
        if hasMultistatus {
            findings += PermissionRule.findings(input)
            findings += PathRule.findings(input)
            findings += LockRule.findings(input)
            findings += StorageRule.findings(input)
            findings += ServerMessageRule.findings(input)
            findings += ServerConfigRule.findings(input)
            findings += ProxyRule.findings(input)
            findings += ClientRule.findings(input)
            findings += PayloadRule.findings(input)
            findings = DependencyRule.attach(findings, input)
            if topStatus == 424, !findings.isEmpty {
                findings[0].evidence.append(
                    "the whole \(context.method) answered 424 Failed Dependency (with a multistatus body; RFC 4918 expects 207) because of this")
            }
        }
        // A HEAD, 204 or 304 answer announces a length it never sends (RFC 9110 §9.3.2, §15.3.5, §15.4.5).
        let bodyless = context.method == "HEAD" || topStatus == 204 || topStatus == 304
        let front = ServerProfile.proxyInFront(headers: head?.headers, namespaces: Array(collector?.namespaces ?? []))
        if bodyInfo.isTruncated, !bodyless {
            findings.append(BrokenDocument.cut(bodyInfo, head: head, path: context.requestPath, proxyInFront: front, brokenAt: brokenAt))
        } else if let brokenAt {
            findings.append(
                BrokenDocument.finding(
                    brokenAt, head: head, path: collector?.lastPath ?? context.requestPath,
                    responsesRead: collector?.responseCount, proxyInFront: front))
        }
        var notes: [String] = []
        var noteSigns: [Sign] = []
        if let collector, !collector.absentProperties.isEmpty {
            let total = collector.absentProperties.values.reduce(0, +)
            let names = collector.absentProperties.keys.sorted().prefix(5).map(\.description).joined(separator: ", ")
            notes.append(
                "\(total) propert\(total == 1 ? "y" : "ies") came back 404 on resources that exist (\(names)): the resource lacks the property, which is not a fault"
            )
            noteSigns.append(Sign("absent-properties", value: String(total)))
            if collector.missingEverywhere.contains(DAV.quotaAvailableBytes) {
                noteSigns.append(Sign("no-quota-properties"))
                notes.append("the server offers no quota properties (RFC 4331): gvfs and Windows cannot show free space and guess instead")
            }
        }
        notes += ReportRule.notes(input)
        notes += DiscoveryRule.notes(input)
        if let collector { notes += collector.linter.notes }
        if let collector, collector.filesWithoutETagCount > 0, collector.filesWithoutETagCount == collector.filesSeen {
            notes.append(
                "no file came with {DAV:}getetag: sync clients cannot tell when a file changed and must fall back to HEAD (catalog CACHE-04)")
            noteSigns.append(Sign("no-getetag"))
        }
        return AnalysisResult(
            context: context, head: head, server: server, format: format,
            // Framing comes first: strict clients refuse the whole answer before any of it counts.
            collector: collector, bodyInfo: bodyInfo, findings: (FramingRule.findings(input) + findings).rankedByLikelihood(),
            lint: collector?.linter.results ?? [], notes: notes, noteSigns: noteSigns)
    }
}

/// What the user's flags say about the request, applied over what the capture shows.
public struct RequestOverrides: Sendable {
    public var method: String?
    public var url: String?
    public var depth: String?
    public var headers: [(String, String)] = []
    public var body: [UInt8]?
    /// The client signed in by itself (see ``RequestInfo/signedIn``).
    public var signedIn = false

    public init(method: String? = nil, url: String? = nil, depth: String? = nil, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.depth = depth
        self.headers = headers
        self.body = body
    }

    func apply(to request: inout RequestInfo) {
        if let method { request.method = method.uppercased() }
        if let url { request.url = url }
        for (name, value) in headers { request.headers.set(name, value) }
        if let depth { request.headers.set("Depth", depth) }
        if let body { request.body = body }
        if signedIn { request.signedIn = true }
    }
}

/// How to read a body, decided from its first bytes.
enum BodyMode: Equatable {
    case undecided, multistatus, xml, other

    static func decide(_ bytes: [UInt8], final: Bool) -> BodyMode? {
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while true {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
            guard i < bytes.count else { return final ? .other : nil }
            guard bytes[i] == 0x3C else { return .other }
            guard i + 1 < bytes.count else { return final ? .other : nil }
            if bytes[i + 1] == 0x3F || (bytes[i + 1] == 0x21 && i + 3 < bytes.count && bytes[i + 2] == 0x2D) {
                // Skip a declaration, processing instruction or comment.
                let close: [UInt8] = bytes[i + 1] == 0x3F ? [0x3F, 0x3E] : [0x2D, 0x2D, 0x3E]
                guard let end = find(close, in: bytes, from: i + 2) else { return final ? .other : (bytes.count > 65536 ? .other : nil) }
                i = end + close.count
                continue
            }
            if bytes[i + 1] == 0x21 { return .xml }  // DOCTYPE: let the parser refuse it with its own words
            var j = i + 1
            while j < bytes.count, bytes[j] != 0x20, bytes[j] != 0x3E, bytes[j] != 0x2F, bytes[j] != 0x0A, bytes[j] != 0x0D, bytes[j] != 0x09 {
                j += 1
            }
            guard j < bytes.count else { return final ? .other : nil }
            let name = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
            let local = name.split(separator: ":").last.map(String.init) ?? name
            if local == "multistatus" { return .multistatus }
            return local.lowercased() == "html" ? .other : .xml
        }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}

/// Reads a body only to learn whether it is XML at all.
struct IgnoreTokens: XMLTokenHandler {
    mutating func startElement(_ name: Int32, attributes: [XMLAttribute], names: XMLNameTable) throws {}
    mutating func endElement(_ name: Int32, names: XMLNameTable) throws {}
    mutating func characters(_ raw: UnsafeRawBufferPointer, isCDATA: Bool) throws {}
    mutating func problem(_ problem: XMLProblem) {}
}
