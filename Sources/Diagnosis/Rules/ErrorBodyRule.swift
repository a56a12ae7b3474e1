import DAVCore

/// Error bodies speak: a `<D:error>` precondition (RFC 4918 §16, RFC 6578, RFC 4791, RFC 6352, RFC 3744),
/// a SabreDAV/Nextcloud exception class, or the text a server writes into its error page ("No space left on
/// device", "Permission denied") names the cause more surely than the status, which servers pick by habit
/// (a 500 for a full disk, a 403 for an unknown sync token). The recognised text is quoted as evidence.
enum ErrorBodyRule {
    /// What the body said and what it means.
    struct Reading {
        var cause: Cause
        var title: String
        var quote: String
        var fixes: [Fix]
    }

    static func findings(_ input: RuleInput) -> [Finding] {
        guard let head = input.head, head.status >= 400, let reading = read(input) else { return [] }
        let path = input.context.requestPath
        // The server's own words are the reason; the status line and the Server header only say who spoke.
        return [
            Finding(
                cause: reading.cause, likelihood: .high, title: reading.title, resources: [path],
                evidence: ["\(input.context.method) \(path) answered \(head.statusLine)", reading.quote],
                seen: input.server.evidence.map { [$0] } ?? [], fixes: reading.fixes, status: head.status)
        ]
    }

    static func read(_ input: RuleInput) -> Reading? {
        // OPTIONS behind a login is a client problem whatever exception the server names (StatusRule says so).
        if input.context.method == "OPTIONS", input.head?.status == 401 { return nil }
        let path = input.context.requestPath
        let server = input.server.kind
        let conditions = input.errorBody?.elements.map(\.name) ?? []
        for condition in conditions {
            if let reading = precondition(condition, path: path, server: server) { return reading }
        }
        if let exception = sabreException(input.errorBody),
            let reading = sabre(exception, message: sabreMessage(input.errorBody), path: path, server: server)
        {
            return reading
        }
        if let reading = destinationRefused(input) { return reading }
        return message(input.bodyExcerpt, path: path, server: server)
    }

    /// Apache looks a COPY's or MOVE's Destination up as a subrequest with the same method and, when that
    /// fails, answers with the subrequest's status and "Destination URI had an error". A 405 or 403 there
    /// means the destination's location refuses the method: a share made read-only (AllowMethods,
    /// `<LimitExcept>`, Require) at the destination, while the source allows it.
    static func destinationRefused(_ input: RuleInput) -> Reading? {
        guard ["COPY", "MOVE"].contains(input.context.method), let status = input.head?.status, status == 403 || status == 405,
            input.bodyExcerpt.lowercased().contains("destination uri had an error"),
            let destination = input.context.request.headers["Destination"]
        else { return nil }
        let target = Href(destination.trimmingASCIIWhitespace()).displayPath
        return Reading(
            cause: .permission, title: "the destination \(target) refuses \(input.context.method): it is in a read-only share",
            quote:
                "the body says \"Destination URI had an error\": Apache looked the Destination up with the same method and was refused there (\(Wording.status(status)))",
            fixes: FixBook.readOnly(path: URLPath.parent(of: URLPath.withoutTrailingSlash(target)), server: input.server.kind))
    }

    /// A precondition element the server named.
    static func precondition(_ name: QualifiedName, path: String, server: ServerKind) -> Reading? {
        let quote = "<D:error> names \(name) (the server's own reason)"
        switch name {
        case DAV.validSyncToken:
            return Reading(
                cause: .cache, title: "the sync token the client holds for \(path) is no longer valid",
                quote: quote + ": RFC 6578 §3.2 — the token is unknown, expired, or from before the collection was recreated",
                fixes: [Fix("Drop the stored token and synchronise again from scratch (a sync-collection REPORT with an empty sync-token)", .easy)])
        case DAV.supportedReport:
            return Reading(
                cause: .serverConfig, title: "\(path) does not offer the report that was asked for",
                quote: quote + ": RFC 3253 §3.6 — the report is not in the resource's DAV:supported-report-set",
                fixes: [
                    Fix(
                        "Ask \(path) for its DAV:supported-report-set (PROPFIND Depth 0) and send a report it lists; a calendar or address-book report must go to a calendar or address-book collection, not to a principal, a home or a plain folder",
                        .easy)
                ])
        case DAV.numberOfMatchesWithinLimits:
            return Reading(
                cause: .serverConfig, title: "the server will not answer a report this large on \(path)",
                quote: quote + ": RFC 6578 §3.7 / RFC 5323 — more results than the server's limit",
                fixes: [Fix("Ask again with a smaller DAV:limit/nresults, or raise the server's result limit", .medium)])
        case CalDAV.validFilter, CalDAV.supportedFilterCondition, CardDAV.supportedFilterCondition:
            return Reading(
                cause: .serverConfig, title: "the server does not take the query's filter on \(path)",
                quote: quote + ": RFC 4791 §7.8 / RFC 6352 §8.6 — a filter element or value the server cannot evaluate",
                fixes: [
                    Fix(
                        "Send a simpler filter (component and time-range only), or fetch the objects with a multiget and filter in the client",
                        .medium)
                ])
        case CalDAV.supportedCalendarData, CardDAV.supportedAddressData:
            return Reading(
                cause: .serverConfig, title: "the server cannot return object data in the media type asked for",
                quote: quote + ": RFC 4791 §9.6 / RFC 6352 §10.4",
                fixes: [Fix("Ask for text/calendar 2.0 (calendar-data) or text/vcard 3.0 (address-data), which every server supports", .easy)])
        case CalDAV.noUIDConflict, CardDAV.noUIDConflict:
            return Reading(
                cause: .cache, title: "another resource in this collection already holds the UID the client uploads",
                quote: quote + ": RFC 4791 §5.3.2.1 / RFC 6352 §6.3.2.1 — the client's map from UIDs to hrefs is stale",
                fixes: [
                    Fix(
                        "Synchronise the collection again and update the existing resource (its href is inside <D:href> of the error) instead of creating a new one",
                        .easy)
                ])
        case DAV.needPrivileges:
            return Reading(
                cause: .permission, title: "the user lacks a privilege on \(path)", quote: quote + ": RFC 3744 §7.1.1",
                fixes: FixBook.permission([path], status: 403, server: server))
        case DAV.quotaNotExceeded, DAV.sufficientDiskSpace:
            return Reading(
                cause: .storage, title: "no space left to store \(path)", quote: quote + ": RFC 4331 §6", fixes: FixBook.storage(server: server))
        case DAV.cannotModifyProtectedProperty:
            return Reading(
                cause: .permission, title: "a protected property of \(path) cannot be changed", quote: quote + ": RFC 4918 §16",
                fixes: [Fix("Do not PROPPATCH live properties the server computes; change the resource itself instead", .easy)])
        default:
            return nil
        }
    }

    /// SabreDAV's `<s:exception>Sabre\DAV\Exception\Locked</s:exception>` (Nextcloud, ownCloud, Baïkal).
    static func sabreException(_ error: XMLElement?) -> String? {
        error?.elements.first { $0.name.name == "exception" && $0.name.namespace.contains("sabredav") }?.text.trimmingASCIIWhitespace()
    }

    static func sabreMessage(_ error: XMLElement?) -> String? {
        error?.elements.first { $0.name.name == "message" && $0.name.namespace.contains("sabredav") }?.text.trimmingASCIIWhitespace()
    }

    static func sabre(_ exception: String, message: String?, path: String, server: ServerKind) -> Reading? {
        let kind = exception.split(separator: "\\").last.map(String.init) ?? exception
        let quote = "SabreDAV says \(exception)\(message.map { ": \"\($0.prefix(200))\"" } ?? "")"
        // A message can name a more precise cause than its class (a full disk behind a generic exception).
        if let message, let said = Self.message(message, path: path, server: server) {
            return Reading(cause: said.cause, title: said.title, quote: quote, fixes: said.fixes)
        }
        switch kind {
        case "Locked", "ConflictingLock", "LockTokenMatchesRequestUri":
            return Reading(cause: .lock, title: "\(path) is locked", quote: quote, fixes: FixBook.lock(roots: [path], server: server))
        case "NotFound":
            return Reading(cause: .path, title: "\(path) does not exist", quote: quote, fixes: FixBook.notFound(server: server))
        case "Conflict":
            let parent = URLPath.parent(of: path)
            return Reading(
                cause: .path, title: "the parent collection \(parent) does not exist", quote: quote,
                fixes: FixBook.missingParent(parent, server: server))
        case "Forbidden", "NeedPrivileges", "NotAuthenticated":
            return Reading(
                cause: .permission, title: "\(path) is refused to this user", quote: quote,
                fixes: FixBook.permission([path], status: kind == "NotAuthenticated" ? 401 : 403, server: server))
        case "InsufficientStorage":
            return Reading(cause: .storage, title: "no space left to store \(path)", quote: quote, fixes: FixBook.storage(server: server))
        case "InvalidSyncToken":
            return precondition(DAV.validSyncToken, path: path, server: server).map {
                Reading(cause: $0.cause, title: $0.title, quote: quote, fixes: $0.fixes)
            }
        case "MethodNotAllowed", "NotImplemented", "ReportNotSupported", "UnsupportedMediaType":
            return Reading(
                cause: .serverConfig, title: "the server does not support this request on \(path)", quote: quote,
                fixes: FixBook.methodNotAllowed("the method", allow: nil, server: server))
        default:
            return nil
        }
    }

    /// A phrase servers write into error pages and plain-text bodies, and what it means.
    struct Phrase: Sendable {
        var needles: [String]
        var cause: Cause
        var title: @Sendable (String) -> String
        var fixes: @Sendable (String, ServerKind) -> [Fix]
    }

    /// What each server says, by meaning (lower case; Apache, lighttpd, nginx, WsgiDAV, rclone, Radicale, Xandikos texts).
    static let phrases: [Phrase] = [
        Phrase(
            needles: [
                "no space left on device", "errno 28", "enospc", "insufficient storage", "disk full", "quota exceeded",
                "not enough space", "not enough free space", "diskquota",
            ],
            cause: .storage, title: { "the server ran out of space storing \($0)" }, fixes: { FixBook.storage(server: $1) }),
        Phrase(
            needles: ["read-only file system", "errno 30", "erofs"],
            cause: .permission, title: { "the file system behind \($0) is mounted read-only" },
            fixes: { _, _ in
                [
                    Fix(
                        "Remount the file system read-write (or point the share at a writable one); nothing in the WebDAV configuration can fix this",
                        .medium)
                ]
            }),
        Phrase(
            needles: ["permission denied", "errno 13", "eacces", "access is denied"],
            cause: .permission, title: { "the server's own account may not write \($0) on disk" },
            fixes: { _, _ in
                [Fix("Give the server's user (www-data, nginx, the rclone or WsgiDAV process owner) access to that directory only", .medium)]
            }),
        Phrase(
            needles: ["must be xml compatible", "control characters", "not xml compatible", "invalid xml character"],
            cause: .payload, title: { "the server cannot write a name under \($0) into XML, so the whole answer fails" },
            fixes: { _, _ in
                [
                    Fix(
                        "Rename the files whose names hold control characters (XML 1.0 cannot carry them), or upgrade the server to one that escapes or skips them",
                        .medium)
                ]
            }),
        Phrase(
            needles: ["unicodeencodeerror", "unicodedecodeerror", "surrogates not allowed", "invalid utf-8", "not valid utf-8"],
            cause: .payload, title: { "the server cannot encode a name under \($0): a file name on disk is not UTF-8" },
            fixes: { _, _ in
                [Fix("Rename the files whose names are not UTF-8 (convmv -f latin1 -t utf-8 -r --notest DIR); the server cannot list them", .medium)]
            }),
        Phrase(
            needles: ["cannot put to a collection", "is a collection", "is a directory"],
            cause: .path, title: { "\($0) is a collection: PUT cannot write a folder" },
            fixes: { path, _ in [Fix("PUT a file inside it (\(URLPath.withoutTrailingSlash(path))/NAME); a collection is made with MKCOL", .easy)] }),
        Phrase(
            needles: ["directory browsing is not enabled"],
            cause: .serverConfig, title: { "GET of the collection \($0) is switched off (no directory listing)" },
            fixes: { _, _ in
                [Fix("List it with PROPFIND, or enable the server's directory browser for that share (WsgiDAV: dir_browser.enable)", .easy)]
            }),
        Phrase(
            needles: ["inter-realm copy/move", "across shares", "cross-share"],
            cause: .serverConfig, title: { "the server cannot COPY or MOVE \($0) into another share" },
            fixes: { _, _ in [Fix("Copy between shares with GET and PUT, or map both paths into one share (WsgiDAV: one provider for both)", .medium)]
            }),
    ]

    /// A server's own words in an HTML page or a plain-text body.
    static func message(_ text: String, path: String, server: ServerKind) -> Reading? {
        let lower = text.lowercased()
        for phrase in phrases {
            guard let needle = phrase.needles.first(where: lower.contains) else { continue }
            return Reading(
                cause: phrase.cause, title: phrase.title(path), quote: "the body says \"\(excerpt(around: needle, in: text))\"",
                fixes: phrase.fixes(path, server))
        }
        return nil
    }

    /// About 120 characters of `text` around the first occurrence of `needle` (case-insensitive), on one line.
    static func excerpt(around needle: String, in text: String) -> String {
        var flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        // HTML error pages escape what they quote; show it as the server meant it.
        for (entity, character) in [("&#x27;", "'"), ("&#39;", "'"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")] {
            flat = flat.replacing(entity, with: character)
        }
        let lowered = flat.lowercased()
        guard lowered.count == flat.count, let range = lowered.firstRange(of: needle) else { return String(flat.prefix(120)) }
        let offset = lowered.distance(from: lowered.startIndex, to: range.lowerBound)
        let start = flat.index(flat.startIndex, offsetBy: max(0, offset - 50))
        let end = flat.index(start, offsetBy: min(120, flat.distance(from: start, to: flat.endIndex)))
        return String(flat[start..<end]).trimmingASCIIWhitespace()
    }
}
