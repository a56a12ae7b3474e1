import DAVCore

/// A 412 says that a condition the request itself set did not hold, so the cause is whichever condition
/// the request carried: an ETag condition (If-Match, If-None-Match, If-Unmodified-Since, an entity tag in
/// If) means the client's copy is stale; a lock token in If means the lock is not what the client thinks;
/// `Overwrite: F` on COPY or MOVE means the destination exists. A 412 with none of them was caused by
/// something else than the client's own condition.
enum PreconditionRule {
    /// What the request made conditional, in the order a 412 is most likely to come from.
    enum Condition: Equatable {
        case etag(header: String, value: String)
        case noneMatchAny
        case lockToken(String)
        case overwriteFalse(destination: String)
        case unmodifiedSince(String)
    }

    static func conditions(of request: RequestInfo, method: String) -> [Condition] {
        var found: [Condition] = []
        let headers = request.headers
        if let ifHeader = headers["If"], let parsed = IfHeader(headerValue: ifHeader) {
            let conditions = parsed.lists.flatMap(\.conditions).filter { !$0.isNegated }
            found += conditions.compactMap(\.stateToken).filter { !$0.hasPrefix("DAV:") }.map(Condition.lockToken)
            found += conditions.compactMap(\.entityTag).map { Condition.etag(header: "If", value: $0) }
        }
        if let value = headers["If-Match"] { found.append(.etag(header: "If-Match", value: value)) }
        if let value = headers["If-None-Match"] {
            found.append(value.trimmingASCIIWhitespace() == "*" ? .noneMatchAny : .etag(header: "If-None-Match", value: value))
        }
        if let value = headers["If-Unmodified-Since"] { found.append(.unmodifiedSince(value)) }
        if method == "COPY" || method == "MOVE", headers["Overwrite"]?.trimmingASCIIWhitespace().uppercased() == "F" {
            found.append(.overwriteFalse(destination: headers["Destination"].map { Href($0).displayPath } ?? "the destination"))
        }
        return found
    }

    /// The findings for a 412 on the whole request; `evidence` is what the answer itself showed.
    static func findings(_ input: RuleInput, evidence: [String]) -> [Finding] {
        let path = input.context.requestPath
        let method = input.context.method
        let conditions = conditions(of: input.context.request, method: method)
        func finding(_ cause: Cause, _ title: String, _ fixes: [Fix], _ extra: [String], resources: [String]? = nil) -> Finding {
            Finding(
                cause: cause, likelihood: .high, title: title, resources: resources ?? [path], evidence: evidence + extra, fixes: fixes, status: 412)
        }
        // A lock token weighs more than an ETag beside it: clients send both, and the lock is what changed hands.
        if case .lockToken(let token)? = conditions.first(where: { if case .lockToken = $0 { true } else { false } }) {
            return [
                finding(
                    .lock, "the lock token sent for \(path) is not a lock the server holds there (412)",
                    [Fix("Refresh the lock token the client holds (PROPFIND lockdiscovery shows the current one), then retry", .easy)],
                    [
                        "If submits \(token); the server matched it with no lock on \(path): the lock expired, was released, or is another resource's (RFC 4918 §10.4)"
                    ])
            ]
        }
        if let overwrite = conditions.first(where: { if case .overwriteFalse = $0 { true } else { false } }),
            case .overwriteFalse(let destination) = overwrite
        {
            return [
                finding(
                    .path, "\(destination) already exists and Overwrite: F forbids replacing it (412)",
                    [Fix("Choose another destination name, or send Overwrite: T to replace \(destination)", .easy)],
                    ["Overwrite: F was sent; RFC 4918 §9.8.4 answers 412 when the destination exists"], resources: [destination])
            ]
        }
        if conditions.contains(.noneMatchAny) {
            return [
                finding(
                    .cache, "\(path) already exists, though the client sent If-None-Match: * to create it only if new (412)",
                    [
                        Fix(
                            "The client's view of the collection is stale: list it again (PROPFIND Depth 1 or a sync-collection REPORT) and update the existing resource with If-Match",
                            .easy)
                    ],
                    [
                        "If-None-Match: * asks the server to refuse when the resource exists (RFC 9110 §13.1.2): another client created it since this one last synchronised"
                    ])
            ]
        }
        if let etag = conditions.first(where: { if case .etag = $0 { true } else { false } }), case .etag(let header, let value) = etag {
            let weak = value.contains("W/") ? " (a weak W/ ETag never matches for a write)" : ""
            return [
                finding(
                    .cache, "the client's copy of \(path) is stale: its ETag no longer matches (412)",
                    [Fix("Fetch \(path) again (GET, or PROPFIND getetag), merge the change, and retry with the new ETag", .easy)],
                    ["\(header): \(value) did not match the current ETag\(weak): the resource changed since the client read it (RFC 9110 §13.1.1)"])
            ]
        }
        if case .unmodifiedSince(let date)? = conditions.first {
            return [
                finding(
                    .cache, "\(path) changed after \(date), the date the client's copy is from (412)",
                    [Fix("Fetch \(path) again and retry", .easy)], ["If-Unmodified-Since: \(date)"])
            ]
        }
        return [
            finding(
                .lock, "a precondition failed on \(path) (412), though the request set none of its own",
                [Fix("Compare the request as sent with what reached the server (davdoctor proxy); read the server's error log", .medium)],
                [
                    "the request carried no If, If-Match, If-None-Match or Overwrite: F, so the condition came from elsewhere (a proxy adding headers, or the server's lock check)"
                ])
        ]
    }
}
