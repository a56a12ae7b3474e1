import DAVCore
import Transcripts

/// The guide's "keep a before-and-after payload": what happened to each resource between two answers to
/// the same request — fixed, regressed, still failing, unchanged, new or gone.
public struct ResultDiff: Sendable {
    public enum Change: String, Sendable, Codable, CaseIterable {
        /// Failing before, succeeding after.
        case fixed
        /// Succeeding (or absent) before, failing after.
        case regressed
        /// Failing before and after (the status may differ).
        case stillFailing = "still-failing"
        case unchanged
        /// Only in the later answer.
        case new
        /// Only in the earlier answer.
        case gone
    }

    /// One resource's state in one answer: its status and the statuses of properties that failed.
    public struct State: Sendable, Hashable, Codable {
        public var status: Int?
        /// Clark name → status, for propstats other than 2xx and 404 (a 404 propstat is not a failure).
        public var failedProperties: [String: Int]

        public var isFailure: Bool {
            !(status.map { (200..<300).contains($0) } ?? false) || !failedProperties.isEmpty
        }

        public var summary: String {
            var text = status.map { "\($0) \(HTTPStatus.reason(for: $0))" } ?? "no status"
            if !failedProperties.isEmpty {
                text += " (" + failedProperties.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
            }
            return text
        }
    }

    public struct Entry: Sendable, Codable {
        public var path: String
        public var before: State?
        public var after: State?
        public var change: Change
    }

    public var entries: [Entry]

    public func count(_ change: Change) -> Int { entries.filter { $0.change == change }.count }
    public var hasRegression: Bool { entries.contains { $0.change == .regressed } }

    /// Compares two snapshots, in the order of the later one (then what is gone).
    public init(before: ResourceStates, after: ResourceStates) {
        var entries: [Entry] = []
        for path in after.order {
            let new = after.states[path]!
            guard let old = before.states[path] else {
                entries.append(Entry(path: path, before: nil, after: new, change: new.isFailure ? .regressed : .new))
                continue
            }
            let change: Change
            switch (old.isFailure, new.isFailure) {
            case (true, false): change = .fixed
            case (false, true): change = .regressed
            case (true, true): change = .stillFailing
            case (false, false): change = .unchanged
            }
            entries.append(Entry(path: path, before: old, after: new, change: change))
        }
        // A success that is not a multistatus (DELETE of a collection answering 204) covers every member:
        // a member that failed before is fixed, not gone.
        let wholeSuccess = after.wholeAnswer.flatMap { $0.state.isFailure ? nil : $0 }
        for path in before.order where after.states[path] == nil {
            let old = before.states[path]!
            if let whole = wholeSuccess, old.isFailure, URLPath.isWithin(path, whole.path) {
                entries.append(Entry(path: path, before: old, after: whole.state, change: .fixed))
            } else {
                entries.append(Entry(path: path, before: old, after: nil, change: .gone))
            }
        }
        self.entries = entries
    }
}

/// Every resource's state in one answer, read in a streaming pass (bounded to a million resources).
public struct ResourceStates: Sendable {
    public static let limit = 1_000_000
    public private(set) var states: [String: ResultDiff.State] = [:]
    public private(set) var order: [String] = []
    public var status: Int?
    public var method: String
    public var url: String
    /// The request's path and status when the answer was not a multistatus: one state for the whole request.
    public private(set) var wholeAnswer: (path: String, state: ResultDiff.State)?

    /// Reads a capture the way `analyze` does; a non-multistatus answer is one resource, the request's. In a
    /// transcript (HAR, rclone log) it reads entry `entry`, or the first WebDAV exchange with an answer.
    public init(reader: inout CaptureReader, request overrides: RequestOverrides = RequestOverrides(), entry: Int? = nil) throws {
        let head = try reader.readHead()
        if head.format.isTranscript {
            let transcript = try Transcript.read(&reader)
            let chosen = try TranscriptAnalysis.entry(entry, of: transcript)
            var request = chosen.exchange.request ?? RequestInfo(method: "PROPFIND", url: "")
            overrides.apply(to: &request)
            let body = chosen.exchange.body ?? []
            try self.init(request: request, response: chosen.exchange.response) { sink in try body.withUnsafeBytes { try sink($0) } }
            return
        }
        var request = head.request ?? RequestInfo(method: "PROPFIND", url: "")
        overrides.apply(to: &request)
        try self.init(request: request, response: head.response) { sink in _ = try reader.readBody(sink) }
    }

    /// One answer to `request`, its body handed to the sink `readBody` is given.
    init(request: RequestInfo, response: ResponseHead?, readBody: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        method = request.method
        url = request.url
        status = response?.status
        var parser = MultiStatusParser(keepingValueTrees: [])
        var sniff: [UInt8] = []
        var isMultistatus: Bool?
        var collected: [Response] = []
        var overflow = false
        func take(_ response: Response) {
            if collected.count < Self.limit { collected.append(response) } else { overflow = true }
        }
        try readBody { chunk in
            if isMultistatus == nil {
                sniff.append(contentsOf: chunk)
                if let mode = BodyMode.decide(sniff, final: false) {
                    isMultistatus = mode == .multistatus
                    if isMultistatus == true {
                        try parser.feed(sniff) { take($0) }
                    }
                }
            } else if isMultistatus == true {
                try parser.feed(chunk) { take($0) }
            }
        }
        if isMultistatus == nil { isMultistatus = BodyMode.decide(sniff, final: true) == .multistatus }
        if isMultistatus == true {
            if !sniff.isEmpty && parser.bytesRead == 0 { try parser.feed(sniff) { take($0) } }
            try parser.finish { take($0) }
            if overflow { throw DAVCoreError(.limitExceeded, "diff reads at most \(Self.limit) resources per answer") }
            for response in collected {
                guard let href = response.href else { continue }
                let path = URLPath.withoutTrailingSlash(Href(href).displayPath)
                var failed: [String: Int] = [:]
                for propstat in response.propstats {
                    guard let code = propstat.status?.code, !(200..<300).contains(code), code != 404 else { continue }
                    for property in propstat.properties { failed[property.name.description] = code }
                }
                var statusCode = response.resourceStatus
                if request.method.uppercased() == "PROPPATCH", response.status == nil { statusCode = 200 }
                add(path, ResultDiff.State(status: statusCode, failedProperties: failed))
            }
            if status == nil { status = 207 }
        } else {
            let path = URLPath.withoutTrailingSlash(Href(request.url.isEmpty ? "/" : request.url).displayPath)
            let state = ResultDiff.State(status: response?.status, failedProperties: [:])
            add(path, state)
            wholeAnswer = (path, state)
        }
    }

    private mutating func add(_ path: String, _ state: ResultDiff.State) {
        if states[path] == nil { order.append(path) }
        states[path] = state
    }
}
