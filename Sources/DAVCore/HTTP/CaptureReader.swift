#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads what a user has of a WebDAV answer, from a file or stdin, and streams its body:
///
/// - a bare body (the XML itself);
/// - a whole response as `curl -i` or `curl -D -` saves it: one or more header blocks (after
///   `100 Continue` or redirects followed with `-L`), then the body, which may still be chunked
///   (`--raw`) or gzip/deflate-compressed (no `--compressed`); CRLF or LF line ends;
/// - `curl -v` output, whose `>` lines also give the request;
/// - a transcript of several exchanges (a HAR file, an rclone `--dump` log, an OkHttp log): recognised here, read whole
///   with ``readTranscript()`` and taken apart by the Transcripts module.
///
/// Only the header blocks are held in memory (up to 1 MiB); the body is decoded and handed out in chunks.
public struct CaptureReader {
    public enum Format: String, Sendable {
        case bareBody = "bare body"
        case curlInclude = "curl -i"
        case curlVerbose = "curl -v"
        /// Read from the network by `davdoctor check`, not from a file.
        case live
        /// HTTP Archive 1.2 (browser dev tools, mitmproxy, Charles, Fiddler, `check --save-har`).
        case har = "HAR"
        /// rclone's `-vv --dump headers,bodies` or `--dump requests,responses` log.
        case rcloneDump = "rclone --dump"
        /// OkHttp's HttpLoggingInterceptor output (DAVx5's debug log): `--> METHOD URL` … `<-- END HTTP`.
        case okhttp = "OkHttp log"
        /// Cyberduck's transcript (heads only): `> METHOD /path HTTP/1.1`, `< HTTP/1.1 207 …`, or macOS's log of it.
        case cyberduck = "Cyberduck transcript"
        /// davfs2's `debug most` syslog output (neon's trace of each request).
        case davfs2 = "davfs2 debug log"

        /// Formats that hold several exchanges, each with its request: read with ``CaptureReader/readTranscript()``.
        public var isTranscript: Bool { [.har, .rcloneDump, .okhttp, .cyberduck, .davfs2].contains(self) }

        /// Tells a transcript from its first bytes; nil for the single-answer forms.
        public static func transcript(sniffing bytes: ArraySlice<UInt8>) -> Format? {
            let text = String(decoding: bytes.prefix(64 << 10), as: UTF8.self)
            if text.hasPrefix("{"), text.prefix(4096).contains("\"log\"") { return .har }
            // Go's log prefix before rclone's dump markers: `2026/12/04 20:37:26 DEBUG : HTTP REQUEST (req 0x…)`.
            if text.contains(" : HTTP REQUEST (req ") || text.contains(" : HTTP RESPONSE (req ") { return .rcloneDump }
            if text.contains("[ch.sudo.cyberduck:transcript] ") { return .cyberduck }
            if text.contains("mount.davfs"), text.contains("Sending request headers:") { return .davfs2 }
            // Cyberduck's transcript window: `>` and `<` heads with no body and none of curl -v's `*` notes.
            let lines = text.split(whereSeparator: \.isNewline)
            if lines.contains(where: { $0.hasPrefix("< HTTP/") }),
                lines.allSatisfy({ $0.hasPrefix("> ") || $0.hasPrefix("< ") || $0 == ">" || $0 == "<" || $0.allSatisfy(\.isWhitespace) })
            {
                return .cyberduck
            }
            // OkHttp: a `--> METHOD http…` line (curl -v never writes `-->`), with its `--> END` line.
            if text.contains("--> END ") || text.contains("<-- END HTTP") {
                for line in text.split(whereSeparator: \.isNewline) {
                    guard let marker = line.firstRange(of: "--> ") else { continue }
                    let words = line[marker.upperBound...].split(separator: " ", maxSplits: 2)
                    if words.count >= 2, words[0].allSatisfy(\.isUppercase), words[1].hasPrefix("http://") || words[1].hasPrefix("https://") {
                        return .okhttp
                    }
                }
            }
            return nil
        }
    }

    /// What the head of the capture says.
    public struct Head: Sendable {
        public var format: Format
        public var request: RequestInfo?
        public var response: ResponseHead?
    }

    /// What reading the body found out about its framing.
    public struct BodyInfo: Sendable, Hashable {
        public var bytes = 0
        /// Bytes on the wire (before removing chunking and compression).
        public var wireBytes = 0
        public var declaredLength: Int?
        public var wasChunked = false
        public var wasCompressed = false
        /// The chunked framing or compressed stream ended early: the body was cut.
        public var isTruncated = false
        /// What is wrong with the body's framing: a chunk size that is not hex, more bytes than announced.
        public var framingFaults: [FramingFault] = []

        public init(bytes: Int = 0) {
            self.bytes = bytes
            wireBytes = bytes
        }
    }

    private let fd: Int32
    private let closeWhenDone: Bool
    private var pending: [UInt8] = []
    private var atEOF = false
    private var head: Head?
    public let name: String
    static let maxHeadBytes = 1 << 20
    /// The bytes are as they came off the wire (davdoctor read them itself), so their line ends are
    /// evidence; in a saved capture they may have been rewritten.
    public var lineEndsAsSent = false
    /// How a capture that ends inside its head ends, once ``readHead()`` has found it so.
    public private(set) var headCut: HeadCut?

    /// The head a capture stops inside: how many whole lines it holds, the last of them, and whether it
    /// stops at a line's end. curl saves a head line by line and stops before a line it refuses, so a
    /// saved head that stops at a line's end points at the line after it; one cut inside a line was cut
    /// by the connection (or by hand).
    public struct HeadCut: Sendable {
        public var wholeLines: Int
        public var lastLine: String?
        public var endsAtLineEnd: Bool

        init(_ bytes: [UInt8]) {
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            endsAtLineEnd = bytes.last == 0x0A
            if !lines.isEmpty { lines.removeLast() }
            wholeLines = lines.count
            lastLine = lines.last.map { FramingCheck.show(Array($0.last == 0x0D ? $0.dropLast() : $0)) }
        }
    }

    /// Opens `path`, or standard input for `-`.
    public init(path: String) throws {
        if path == "-" {
            fd = 0
            closeWhenDone = false
            name = "standard input"
        } else {
            let opened = open(path, O_RDONLY)
            guard opened >= 0 else {
                throw DAVCoreError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            if fstat(opened, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                _ = Glibc.close(opened)
                throw DAVCoreError(.io, "cannot read \(path): it is a directory")
            }
            fd = opened
            closeWhenDone = true
            name = path
        }
    }

    /// Reads from bytes in memory (tests, and bodies fetched over the network).
    public init(bytes: [UInt8], name: String = "input") {
        fd = -1
        closeWhenDone = false
        pending = bytes
        atEOF = true
        self.name = name
    }

    public func close() {
        if closeWhenDone { _ = Glibc.close(fd) }
    }

    // MARK: - Reading raw bytes

    /// Reads more into `pending`; false at end of input.
    private mutating func fill(minimum: Int = 64 << 10) throws -> Bool {
        guard !atEOF, fd >= 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: max(minimum, 64 << 10))
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { return try fill(minimum: minimum) }
            throw DAVCoreError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
        }
        if count == 0 {
            atEOF = true
            return false
        }
        pending.append(contentsOf: chunk[0..<count])
        return true
    }

    // MARK: - Head

    public mutating func readHead() throws -> Head {
        if let head { return head }
        while pending.count < 512, try fill() {}
        // A log (rclone's, DAVx5's, syslog) starts with a date and may run long before its first exchange: look
        // further into it. No other form starts with a digit.
        if let first = pending.first, (0x30...0x39).contains(first) || Self.startsLikeSyslog(pending) {
            while pending.count < 1 << 20, try fill() {
                let text = String(decoding: pending, as: UTF8.self)
                if text.contains(" : HTTP RE") || text.contains("--> END ") || text.contains("Sending request headers:") { break }
            }
        }
        var start = 0
        if pending.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < pending.count, isSpace(pending[start]) { start += 1 }
        let prefix = pending[start...]
        let result: Head
        if let transcript = Format.transcript(sniffing: prefix) {
            result = Head(format: transcript, request: nil, response: nil)
        } else if prefix.starts(with: Array("HTTP/".utf8)) {
            pending.removeFirst(start)
            result = try readIncludeHead()
        } else if prefix.starts(with: Array("* ".utf8)) || prefix.starts(with: Array("> ".utf8))
            || prefix.starts(with: Array("< ".utf8)) || prefix.starts(with: Array("* ".utf8))
        {
            result = try readVerbose()
        } else {
            result = Head(format: .bareBody, request: nil, response: nil)
        }
        head = result
        return result
    }

    /// Header blocks of `curl -i`: each `HTTP/…` status line and fields up to an empty line.
    private mutating func readIncludeHead() throws -> Head {
        var blocks: [ResponseHead] = []
        while true {
            guard let (block, consumed) = try parseHeaderBlock() else {
                headCut = HeadCut(pending)
                throw DAVCoreError(.truncated, "the capture ends inside its headers: no empty line after the header fields")
            }
            pending.removeFirst(consumed)
            blocks.append(block)
            while pending.count < 8, try fill() {}
            // Another block follows after 1xx, a followed redirect, or a proxy's CONNECT answer.
            if pending.starts(with: Array("HTTP/".utf8)) { continue }
            break
        }
        var final = blocks.removeLast()
        final.interim = blocks
        return Head(format: .curlInclude, request: nil, response: final)
    }

    /// Parses one header block at the start of `pending`; nil when more input is needed and none comes.
    private mutating func parseHeaderBlock() throws -> (ResponseHead, Int)? {
        while true {
            if let end = findBlankLine() {
                let text = String(decoding: pending[0..<end.headerEnd], as: UTF8.self)
                var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                    .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
                let statusLine = lines.removeFirst()
                let head = try parseStatusLine(statusLine)
                var fields = HTTPFields()
                for line in lines where !line.isEmpty {
                    if line.first == " " || line.first == "\t", let last = fields.fields.last {
                        fields.set(last.name, last.value + " " + line.trimmingASCIIWhitespace())
                        continue
                    }
                    // A line without a colon is a framing fault (FramingCheck names it); the other fields still count.
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    fields.add(String(line[..<colon]).trimmingASCIIWhitespace(), String(line[line.index(after: colon)...]).trimmingASCIIWhitespace())
                }
                var response = ResponseHead(version: head.version, status: head.status, reason: head.reason, headers: fields)
                response.framingFaults = FramingCheck.headerFaults(pending[0..<end.headerEnd], version: head.version, lineEndsAsSent: lineEndsAsSent)
                return (response, end.bodyStart)
            }
            guard pending.count < Self.maxHeadBytes else {
                throw DAVCoreError(.limitExceeded, "the capture's header block exceeds 1 MiB")
            }
            guard try fill() else { return nil }
        }
    }

    private func parseStatusLine(_ line: String) throws -> (version: String, status: Int, reason: String) {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]), (100...599).contains(status) else {
            throw DAVCoreError(.malformedCapture, "the capture's status line is not HTTP: \"\(line.prefix(60))\"")
        }
        return (String(parts[0]), status, parts.count > 2 ? String(parts[2]) : "")
    }

    /// The end of the header fields: `\r\n\r\n` or `\n\n` (or a mix).
    private func findBlankLine() -> (headerEnd: Int, bodyStart: Int)? {
        var i = 0
        let n = pending.count
        while i < n {
            if pending[i] == 0x0A {
                var j = i + 1
                if j < n, pending[j] == 0x0D { j += 1 }
                if j < n, pending[j] == 0x0A { return (i, j + 1) }
                if j >= n { return nil }
            }
            i += 1
        }
        return nil
    }

    /// `curl -v`: `>` request lines, `<` response lines, `*` notes; the rest is the body.
    private mutating func readVerbose() throws -> Head {
        while try fill(minimum: 1 << 20) {
            guard pending.count <= 256 << 20 else {
                throw DAVCoreError(.limitExceeded, "a curl -v capture over 256 MiB is not read; save the body with curl -i instead")
            }
        }
        let text = String(decoding: pending, as: UTF8.self)
        var requestLines: [String] = []
        var responseBlocks: [[String]] = []
        var bodyLines: [String] = []
        var https = false
        var lastResponseClosed = true
        var curlFaults: [FramingFault] = []
        var carry = ""
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = carry + (rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine))
            carry = ""
            // curl writes notes to stderr while the body goes to stdout: a note can land inside a body line.
            for note in ["* Connection #", "* Closing connection", "* shutting down", "* Closed"] {
                if let range = line.firstRange(of: note), range.lowerBound != line.startIndex {
                    carry = String(line[..<range.lowerBound])
                    line = String(line[range.lowerBound...])
                    break
                }
            }
            if line.hasPrefix("> ") || line == ">" {
                if requestLines.isEmpty || !responseBlocks.isEmpty && lastResponseClosed { requestLines = [] }
                requestLines.append(String(line.dropFirst(2)))
            } else if line.hasPrefix("< ") || line == "<" {
                let content = String(line.dropFirst(2))
                if content.hasPrefix("HTTP/") {
                    responseBlocks.append([])
                    lastResponseClosed = false
                }
                if content.isEmpty {
                    lastResponseClosed = true
                    continue
                }
                if !responseBlocks.isEmpty { responseBlocks[responseBlocks.count - 1].append(content) }
            } else if line.hasPrefix("* ") || line == "*" {
                if line.contains("SSL connection") || line.contains("TLS") || line.contains("ALPN") { https = true }
                if let fault = CurlNotes.framingFault(line) { curlFaults.append(fault) }
            } else if line.hasPrefix("{ [") || line.hasPrefix("} [") {
                continue
            } else {
                bodyLines.append(line)
            }
        }
        if !carry.isEmpty { bodyLines.append(carry) }
        var request: RequestInfo?
        if let first = requestLines.first {
            let parts = first.split(separator: " ")
            var fields = HTTPFields()
            for line in requestLines.dropFirst() where !line.isEmpty {
                if let colon = line.firstIndex(of: ":") {
                    fields.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingASCIIWhitespace())
                }
            }
            if parts.count >= 2 {
                let target = String(parts[1])
                let url = target.hasPrefix("http") ? target : (fields["Host"].map { (https ? "https://" : "http://") + $0 + target } ?? target)
                request = RequestInfo(method: String(parts[0]), url: url, headers: fields)
            }
        }
        var blocks: [ResponseHead] = []
        for block in responseBlocks where !block.isEmpty {
            let status = try parseStatusLine(block[0])
            var fields = HTTPFields()
            for line in block.dropFirst() {
                if let colon = line.firstIndex(of: ":") {
                    fields.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingASCIIWhitespace())
                }
            }
            var head = ResponseHead(version: status.version, status: status.status, reason: status.reason, headers: fields)
            // The lines as curl printed them: their ends are curl's, their content is the server's.
            var printed: [UInt8] = []
            for line in block { printed += Array(line.utf8) + [0x0D, 0x0A] }
            head.framingFaults = FramingCheck.headerFaults(printed, version: status.version, lineEndsAsSent: false)
            blocks.append(head)
        }
        var response: ResponseHead?
        if !blocks.isEmpty {
            var final = blocks.removeLast()
            final.interim = blocks
            final.framingFaults += curlFaults
            response = final
        }
        while let last = bodyLines.last, last.isEmpty { bodyLines.removeLast() }
        pending = Array(bodyLines.joined(separator: "\n").utf8)
        atEOF = true
        return Head(format: .curlVerbose, request: request, response: response)
    }

    // MARK: - Transcripts

    /// The whole input of a transcript (see ``Format/isTranscript``), bounded: a transcript is taken apart
    /// in memory, one exchange at a time.
    public mutating func readTranscript(limit: Int = 256 << 20) throws -> [UInt8] {
        let head = try readHead()
        guard head.format.isTranscript else {
            throw DAVCoreError(.malformedCapture, "\(name) is \(head.format.rawValue) output, not a transcript of several exchanges")
        }
        while try fill(minimum: 1 << 20) {
            guard pending.count <= limit else {
                throw DAVCoreError(
                    .limitExceeded, "a \(head.format.rawValue) transcript over \(limit >> 20) MiB is not read; cut it to the exchanges that matter")
            }
        }
        defer { pending = [] }
        return pending
    }

    // MARK: - Body

    /// Where the body lies in a regular file, when it is stored there as it is: a bare body, or `curl -i`
    /// output without chunked framing or compression. Lets a large body be read in parallel pieces with
    /// `pread`; nil whenever the body must be decoded as it streams (stdin pipes, `curl -v`, chunked, gzip).
    public mutating func plainBodyRegion() throws -> PlainBodyRegion? {
        let head = try readHead()
        guard fd >= 0, !atEOF, head.format == .bareBody || head.format == .curlInclude else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let headers = head.response?.headers ?? HTTPFields()
        if headers["Transfer-Encoding"]?.lowercased().contains("chunked") ?? false { return nil }
        if let coding = headers["Content-Encoding"]?.lowercased(), coding.contains("gzip") || coding.contains("deflate") { return nil }
        // The file may be read from a position other than 0 (stdin redirected from a file).
        let position = lseek(fd, 0, SEEK_CUR)
        guard position >= 0 else { return nil }
        let start = Int(position) - pending.count
        let end = Int(info.st_size)
        guard start >= 0, end >= start else { return nil }
        return PlainBodyRegion(
            fd: fd, start: start, end: end,
            declaredLength: headers["Content-Length"].flatMap { Int($0.trimmingASCIIWhitespace()) },
            isCapture: head.format == .curlInclude)
    }

    /// A body stored unchanged in a regular file: bytes `start..<end` of `fd`.
    public struct PlainBodyRegion: Sendable {
        public var fd: Int32
        public var start: Int
        public var end: Int
        public var declaredLength: Int?
        public var isCapture: Bool
        public var count: Int { end - start }

        /// What ``CaptureReader/readBody(_:)`` would have said of this body's framing.
        public var bodyInfo: BodyInfo {
            var info = BodyInfo(bytes: count)
            info.declaredLength = declaredLength
            if isCapture, let declaredLength, count < declaredLength { info.isTruncated = true }
            return info
        }

        /// Reads `range` of the body (offsets within the body) in pieces of up to `chunk` bytes.
        public func read(_ range: Range<Int>, chunk: Int = 1 << 20, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
            var buffer = [UInt8](repeating: 0, count: chunk)
            var offset = range.lowerBound
            while offset < range.upperBound {
                let want = min(chunk, range.upperBound - offset)
                let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(start + offset)) }
                if got < 0 {
                    if errno == EINTR { continue }
                    throw DAVCoreError(.io, "cannot read the body: \(String(cString: strerror(errno)))")
                }
                if got == 0 { throw DAVCoreError(.io, "the file became shorter while it was read") }
                try buffer.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
                offset += got
            }
        }
    }

    /// Streams the body with chunked framing and gzip/deflate removed, as the headers and the bytes say.
    @discardableResult
    public mutating func readBody(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> BodyInfo {
        let head = try readHead()
        var info = BodyInfo()
        let headers = head.response?.headers ?? HTTPFields()
        info.declaredLength = headers["Content-Length"].flatMap { Int($0.trimmingASCIIWhitespace()) }
        while pending.count < 64, try fill() {}
        let teChunked = headers["Transfer-Encoding"]?.lowercased().contains("chunked") ?? false
        let coding = headers["Content-Encoding"]?.lowercased() ?? ""
        var chunked: ChunkedDecoder?
        if head.format == .curlInclude, teChunked, pending.withUnsafeBytes({ ChunkedDecoder.looksChunked($0) }) {
            chunked = ChunkedDecoder()
            info.wasChunked = true
        } else if head.format == .curlInclude, teChunked, headers["Content-Type"]?.lowercased().contains("xml") == true,
            let line = pending.withUnsafeBytes({ ChunkedDecoder.startsWithBadSizeLine($0) })
        {
            info.framingFaults.append(
                FramingFault(.badChunkSize, lines: [line], detail: "Transfer-Encoding: chunked, but the first chunk-size line is not a hex number"))
        }
        var inflater: Inflater?
        let mayBeCompressed = coding.contains("gzip") || coding.contains("deflate")
        var decidedCompression = !mayBeCompressed
        var total = 0

        func deliver(_ bytes: UnsafeRawBufferPointer) throws {
            if !decidedCompression {
                decidedCompression = true
                if Inflater.looksCompressed(bytes) || coding.contains("deflate") && !bytes.starts(with: Array("<".utf8)) {
                    inflater = Inflater()
                    info.wasCompressed = true
                }
            }
            if let inflater {
                try inflater.inflate(bytes) { out in
                    total += out.count
                    try sink(out)
                }
            } else {
                total += bytes.count
                try sink(bytes)
            }
        }

        var chunkingBroken = false
        var tail: [UInt8] = []  // the last bytes off the wire: did a chunked body end with its last-chunk marker?
        var extraPastLength = false  // a byte other than white space past Content-Length
        func wire(_ bytes: UnsafeRawBufferPointer) throws {
            if let declared = info.declaredLength, !extraPastLength, info.wireBytes + bytes.count > declared {
                let start = max(0, declared - info.wireBytes)
                extraPastLength = bytes[start...].contains { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }
            }
            info.wireBytes += bytes.count
            if chunked != nil {
                tail = Array((tail + bytes.suffix(Self.lastChunkMarker.count)).suffix(Self.lastChunkMarker.count))
            }
            if chunked != nil {
                guard !chunkingBroken else { return }
                do {
                    try chunked!.decode(bytes) { try deliver($0) }
                } catch let error as DAVCoreError where error.code == .malformedCapture {
                    // The framing is the fault, not the capture: say so, and read what came before it.
                    chunkingBroken = true
                    info.framingFaults.append(FramingFault(.badChunkSize, detail: error.message))
                }
            } else {
                try deliver(bytes)
            }
        }

        if !pending.isEmpty {
            let chunk = pending
            pending = []
            try chunk.withUnsafeBytes { try wire($0) }
        }
        if !atEOF, fd >= 0 {
            var buffer = [UInt8](repeating: 0, count: 128 << 10)  // small enough to stay in cache while it is parsed
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw DAVCoreError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
                }
                if count == 0 { break }
                try buffer.withUnsafeBytes { try wire(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            atEOF = true
        }
        info.bytes = total
        if let chunked, !chunked.isComplete, !chunkingBroken {
            if let owed = chunked.owedInChunk, tail == Self.lastChunkMarker {
                // The server ended its body as chunked bodies end, but inside a chunk: the size was wrong.
                info.framingFaults.append(
                    FramingFault(
                        .badChunkSize,
                        detail: "the body ends with the last-chunk marker while a chunk still owes \(owed) bytes: its size is larger than its data"))
            } else {
                info.isTruncated = true
            }
        }
        // Bytes past the announced length, read off the wire until the close: the next answer on a kept
        // connection would start with them.
        // In a saved file only when nothing explains it: curl stops reading at Content-Length, so longer means
        // the bytes were saved raw (nc, socat); with Content-Encoding, curl --compressed saves the decoded
        // body under the coded length; a trailing line end is an editor's.
        let savedRaw = headers["Content-Encoding"] == nil && extraPastLength
        if lineEndsAsSent || savedRaw, chunked == nil, !teChunked, inflater == nil, let declared = info.declaredLength, info.wireBytes > declared {
            info.framingFaults.append(
                FramingFault(.bodyLonger, detail: "\(info.wireBytes) bytes came after the head; Content-Length announced \(declared)"))
        }
        if let inflater, !inflater.isComplete { info.isTruncated = true }
        // With Transfer-Encoding the length is not the framing (RFC 9112 §6.3): curl saved the body de-chunked.
        if chunked == nil, inflater == nil, !teChunked, let declared = info.declaredLength, head.format == .curlInclude,
            info.wireBytes < declared
        {
            info.isTruncated = true  // BrokenDocument.cut names it (body-shorter-than-announced)
        }
        return info
    }

    /// How a chunked body ends on the wire: the zero-size last chunk and the empty line after it.
    static let lastChunkMarker: [UInt8] = Array("0\r\n\r\n".utf8)

    /// Streams the file as it is, with no capture format: gzip is undone when the bytes start with its
    /// magic number (for rotated logs). Call instead of ``readHead()``.
    public mutating func readRaw(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        while pending.count < 2, try fill() {}
        var inflater: Inflater?
        if pending.count >= 2, pending[0] == 0x1F, pending[1] == 0x8B { inflater = Inflater() }
        func deliver(_ bytes: UnsafeRawBufferPointer) throws {
            if let inflater { try inflater.inflate(bytes, sink) } else { try sink(bytes) }
        }
        if !pending.isEmpty {
            let chunk = pending
            pending = []
            try chunk.withUnsafeBytes { try deliver($0) }
        }
        guard !atEOF, fd >= 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 128 << 10)  // small enough to stay in cache while it is parsed
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DAVCoreError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try buffer.withUnsafeBytes { try deliver(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        atEOF = true
    }

    /// The whole decoded body in memory, bounded.
    public mutating func readWholeBody(limit: Int = 64 << 20) throws -> ([UInt8], BodyInfo) {
        var body: [UInt8] = []
        let info = try readBody { chunk in
            guard body.count + chunk.count <= limit else {
                throw DAVCoreError(.limitExceeded, "the body exceeds \(limit >> 20) MiB")
            }
            body.append(contentsOf: chunk)
        }
        return (body, info)
    }

    /// `Dec  4 21:27:06 ` — the time a traditional syslog file writes before each line.
    static func startsLikeSyslog(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 16, let month = String(validating: bytes[0..<3], as: UTF8.self) else { return false }
        return HTTPDate.month(Substring(month)) != nil && bytes[3] == 0x20 && bytes[9] == 0x3A && bytes[12] == 0x3A
    }

    /// `2026/12/04 20:37:26 ` — the date and time Go's log package writes before each line.
    public static func startsLikeGoLog(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 20 else { return false }
        let shape = Array("dddd/dd/dd dd:dd:dd ".utf8)
        return zip(bytes, shape).allSatisfy { byte, want in want == UInt8(ascii: "d") ? (0x30...0x39).contains(byte) : byte == want }
    }

    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}
