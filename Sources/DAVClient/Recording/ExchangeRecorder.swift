import DAVCore
import Foundation
import Synchronization

/// Keeps every exchange in a directory for `--save DIR`, byte for byte, so a run can be analysed,
/// compared (`davdoctor diff`) or shown to someone later:
///
/// - `001-PROPFIND-request.http`: request line, header fields (`Authorization: [redacted]`), body;
/// - `001-PROPFIND-response.http`: status line, header fields, body as received (what
///   `davdoctor analyze` reads);
/// - `exchanges.json`: the index (number, method, URL, status, timings, file names), rewritten after
///   every exchange so that it is whole even when a run is interrupted.
///
/// Safe to share between tasks: numbers are handed out and the index written under one lock.
public final class ExchangeRecorder: Sendable {
    /// One line of `exchanges.json`.
    public struct Entry: Sendable, Hashable, Codable {
        public var number: Int
        public var method: String
        public var url: String
        /// nil when no response head came (the stream failed first).
        public var status: Int?
        public var authenticationScheme: String?
        public var timings: ExchangeTimings?
        public var requestFile: String
        public var responseFile: String
        /// Body bytes as received (content coding intact, chunk framing removed).
        public var bodyBytes: Int
        /// Why the exchange ended early, when it did (a timeout mid-body, a closed connection).
        public var error: String?
    }

    struct Index: Codable {
        var version = 1
        var exchanges: [Entry] = []
    }

    private struct State {
        var next = 1
        var index = Index()
    }

    public let directory: String
    private let state = Mutex(State())

    /// Creates `directory` (and its parents) when missing.
    public init(directory: String) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DAVClientError.recording("cannot create \(directory): \(error.localizedDescription)")
        }
    }

    /// The entries written so far, in order.
    public var entries: [Entry] { state.withLock { $0.index.exchanges } }

    /// Writes a whole exchange, after the earlier attempts it carries (the 401 before a Digest retry).
    @discardableResult
    public func record(_ exchange: RecordedExchange) throws -> Entry {
        for attempt in exchange.earlierAttempts { try record(attempt) }
        let number = takeNumber()
        let (requestFile, responseFile) = fileNames(number, exchange.request.method)
        try write(exchange.requestBytes, to: requestFile)
        try write(exchange.responseBytes, to: responseFile)
        let entry = Entry(
            number: number,
            method: exchange.request.method,
            url: exchange.request.url,
            status: exchange.response.status,
            authenticationScheme: exchange.authenticationScheme,
            timings: exchange.timings,
            requestFile: requestFile,
            responseFile: responseFile,
            bodyBytes: exchange.body.count,
            error: nil
        )
        try add(entry)
        return entry
    }

    /// Starts writing an exchange whose body is streamed (Depth infinity): the request now, the response
    /// as it comes. Finish it with ``StreamRecording/finish(timings:error:)``.
    public func beginStream(request: RequestInfo, requestTarget: String, authenticationScheme: String?) throws -> StreamRecording {
        let number = takeNumber()
        let (requestFile, responseFile) = fileNames(number, request.method)
        try write(
            RecordedExchange.requestHeadBytes(method: request.method, target: requestTarget, headers: request.headers) + (request.body ?? []),
            to: requestFile)
        let path = directory + "/" + responseFile
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw DAVClientError.recording("cannot create \(path)")
        }
        let entry = Entry(
            number: number, method: request.method, url: request.url, status: nil, authenticationScheme: authenticationScheme,
            timings: nil, requestFile: requestFile, responseFile: responseFile, bodyBytes: 0, error: nil
        )
        return StreamRecording(recorder: self, handle: handle, entry: entry)
    }

    // MARK: - Internals

    private func takeNumber() -> Int {
        state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
    }

    private func fileNames(_ number: Int, _ method: String) -> (String, String) {
        let digits = String(number)
        let padded = String(repeating: "0", count: max(0, 3 - digits.count)) + digits
        let safeMethod = String(method.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return ("\(padded)-\(safeMethod)-request.http", "\(padded)-\(safeMethod)-response.http")
    }

    private func write(_ bytes: [UInt8], to name: String) throws {
        let path = directory + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw DAVClientError.recording("cannot write \(path)")
        }
    }

    func add(_ entry: Entry) throws {
        try state.withLock { state in
            state.index.exchanges.append(entry)
            state.index.exchanges.sort { $0.number < $1.number }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            do {
                let data = try encoder.encode(state.index)
                try data.write(to: URL(fileURLWithPath: directory + "/exchanges.json"), options: .atomic)
            } catch {
                throw DAVClientError.recording("cannot write \(directory)/exchanges.json: \(error.localizedDescription)")
            }
        }
    }
}

/// A response being written to `--save DIR` as it streams in. Not shared between tasks: the one task
/// reading the body writes it.
public final class StreamRecording {
    private let recorder: ExchangeRecorder
    private let handle: FileHandle
    private var entry: ExchangeRecorder.Entry
    private var chunked = false
    private var finished = false

    init(recorder: ExchangeRecorder, handle: FileHandle, entry: ExchangeRecorder.Entry) {
        self.recorder = recorder
        self.handle = handle
        self.entry = entry
    }

    public func head(_ head: ResponseHead) throws {
        entry.status = head.status
        chunked = RecordedExchange.isChunked(head.headers)
        try append(RecordedExchange.responseHeadBytes(head))
    }

    public func body(_ bytes: UnsafeRawBufferPointer) throws {
        entry.bodyBytes += bytes.count
        if chunked {
            try append(RecordedExchange.chunk(bytes))
        } else {
            try append(Array(bytes))
        }
    }

    /// Closes the file and adds the index line. A failed stream is kept as far as it came, with `error`
    /// saying why (and, for a chunked body, without the last chunk, so a reader sees it was cut).
    @discardableResult
    public func finish(timings: ExchangeTimings?, error: (any Error)? = nil) throws -> ExchangeRecorder.Entry {
        guard !finished else { return entry }
        finished = true
        if chunked, error == nil { try append(RecordedExchange.lastChunk) }
        try? handle.close()
        entry.timings = timings
        entry.error = error.map { String(describing: $0) }
        try recorder.add(entry)
        return entry
    }

    private func append(_ bytes: [UInt8]) throws {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw DAVClientError.recording("cannot write \(entry.responseFile): \(error.localizedDescription)")
        }
    }

    deinit {
        if !finished { try? handle.close() }
    }
}

extension ExchangeRecorder {
    /// The reading side of the layout above: the index of a directory written by `--save`, in order. A
    /// directory without `exchanges.json` is not such a run; an index that does not decode is said so.
    public static func savedExchanges(in directory: String) throws -> [Entry] {
        let path = directory + "/exchanges.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DAVClientError.recording("\(directory) is not a run saved by check --save (no exchanges.json in it)")
        }
        do {
            return try JSONDecoder.iso8601.decode(Index.self, from: data).exchanges.sorted { $0.number < $1.number }
        } catch {
            throw DAVClientError.recording("\(path) is not an index written by check --save: \(error.localizedDescription)")
        }
    }
}

extension JSONDecoder {
    /// Dates as the recorder writes them.
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
