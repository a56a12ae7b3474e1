/// Checks a multistatus against RFC 4918 as it streams past, one response at a time, and collects
/// each rule's findings with a count and a few examples, in bounded memory.
public struct Linter: Sendable {
    public static let exampleLimit = 5
    private var findings: [String: LintFinding] = [:]
    private var order: [String] = []
    /// The exact repeat check (internal: a test hands it a spill file that cannot be read back).
    var duplicates = DuplicateHrefs()
    /// What the checks could not do, for the report's notes.
    public private(set) var notes: [String] = []
    private var firstOrigin: String??
    private var mixedOrigins = false
    private var firstOriginIsAbsolute = false
    /// Where the first href was seen (for a mixed-origin report when two pieces of a body are merged).
    private var firstOriginAt: String?

    /// Whether live properties must carry values. A propname answer names properties with empty elements by
    /// design (RFC 4918 §9.1), and so may one whose request is unknown: an empty value is then no fault.
    public var valuesExpected = true

    public init() {}

    /// Records one occurrence of `rule` (`problem`: the XML reader's account of it, when it found it).
    public mutating func report(_ rule: LintRule, _ message: @autoclosure () -> String, at href: String? = nil, problem: XMLProblem? = nil) {
        if var finding = findings[rule.id] {
            finding.count += 1
            if let href, finding.examples.count < Self.exampleLimit, !finding.examples.contains(href) { finding.examples.append(href) }
            findings[rule.id] = finding
        } else {
            findings[rule.id] = LintFinding(rule: rule, message: message(), count: 1, examples: href.map { [$0] } ?? [], problem: problem)
            order.append(rule.id)
        }
    }

    /// Runs every per-response check. `path` is the first href's decoded path, and `isCollection` the
    /// response's ``Response/isCollection``, when the caller has them.
    public mutating func check(_ response: Response, path: String? = nil, isCollection: Bool? = nil) {
        let location = path ?? response.href.map { Href($0).displayPath } ?? "response #\(response.index)"
        ShapeChecks.check(response, at: location, into: &self)
        for raw in response.hrefs { checkHref(raw, at: location) }
        PropertyChecks.check(response, isCollection: isCollection, at: location, into: &self)
        if response.href != nil, let repeated = duplicates.insert(location) {
            report(LintRules.duplicateHref, "\(repeated) appears in more than one <D:response>", at: repeated)
        }
    }

    /// One pass over the href's bytes finds unencoded characters, `//` and dot segments.
    /// Bytes that need no look in an href's path: neither a delimiter (`/ ? # %`) nor a byte that must be
    /// percent-encoded (controls, space, non-ASCII, `" < > \\ ^ ` { | }` and DEL).
    private static let ordinaryHrefBytes: ByteSet = {
        var set = ByteSet()
        for b in UInt8(0)...UInt8(0xFF) where !PercentEncoding.mustBeEscaped(b) && ![0x2F, 0x3F, 0x23, 0x25].contains(b) {
            set.insert(b)
        }
        return set
    }()

    private mutating func checkHref(_ raw: String, at location: String) {
        var invalid: String?
        var doubleSlash = false
        var dotSegment = false
        var escapedPercent = false
        var pathStart = 0
        var utf8 = raw.utf8
        let scan: Bool =
            utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                let n = bytes.count
                // Skip scheme://authority for absolute URLs.
                if n > 0, bytes[0] != 0x2F {
                    var k = 0
                    while k + 2 < n, bytes[k] != 0x2F {
                        if bytes[k] == 0x3A, bytes[k + 1] == 0x2F, bytes[k + 2] == 0x2F {
                            k += 3
                            break
                        }
                        k += 1
                    }
                    while k < n, bytes[k] != 0x2F { k += 1 }
                    pathStart = k
                }
                var i = pathStart
                var segmentStart = pathStart
                let ordinary = Self.ordinaryHrefBytes
                while i < n {
                    let b = bytes[i]
                    // Most bytes of a path are letters and digits: one bit test and on to the next.
                    if ordinary.contains(b) {
                        i += 1
                        continue
                    }
                    if b == 0x3F || b == 0x23 { break }
                    if b == 0x2F {
                        if i + 1 < n, bytes[i + 1] == 0x2F { doubleSlash = true }
                        let length = i - segmentStart
                        if (length == 2 && bytes[segmentStart + 1] == 0x2E)
                            || (length == 3 && bytes[segmentStart + 1] == 0x2E && bytes[segmentStart + 2] == 0x2E)
                        {
                            dotSegment = true
                        }
                        segmentStart = i
                    } else if invalid == nil {
                        if b == 0x25 {
                            if !(i + 2 < n && Hex.value(bytes[i + 1]) != nil && Hex.value(bytes[i + 2]) != nil) { invalid = "%" }
                            if i + 2 < n, bytes[i + 1] == 0x32, bytes[i + 2] == 0x35 { escapedPercent = true }
                        } else if PercentEncoding.mustBeEscaped(b) {
                            invalid = b == 0x20 ? "space" : (b >= 0x80 ? URLPath.firstInvalidCharacter(raw) ?? "non-ASCII" : String(UnicodeScalar(b)))
                        }
                    }
                    i += 1
                }
                let length = min(i, n) - segmentStart
                if (length == 2 && bytes[segmentStart + 1] == 0x2E)
                    || (length == 3 && bytes[segmentStart + 1] == 0x2E && bytes[segmentStart + 2] == 0x2E)
                {
                    dotSegment = true
                }
                return pathStart > 0
            } ?? false
        _ = utf8
        utf8 = raw.utf8
        if let bad = invalid {
            report(LintRules.hrefNotEncoded, "the href \"\(raw)\" holds \(bad == "space" ? "a raw space" : "\"\(bad)\"") unencoded", at: location)
        } else if escapedPercent, let once = URLPath.encodedTwice(raw) {
            report(LintRules.hrefDoubleEncoded, "the href \"\(raw)\" decodes to \"\(once)\", which is itself still percent-encoded", at: location)
        }
        if doubleSlash { report(LintRules.hrefDoubleSlash, "the href \"\(raw)\" contains \"//\"", at: location) }
        if dotSegment { report(LintRules.hrefDotSegment, "the href \"\(raw)\" has a dot segment", at: location) }
        let absolute = scan
        if firstOrigin == nil || absolute || firstOriginIsAbsolute {
            let href = Href(raw)
            let origin: String? = href.authority.map { (href.scheme ?? "") + "://" + (href.normalizedAuthority ?? $0) }
            if let first = firstOrigin {
                if first != origin && !mixedOrigins {
                    mixedOrigins = true
                    report(LintRules.hrefMixedOrigins, "hrefs mix \(first ?? "plain paths") and \(origin ?? "plain paths")", at: location)
                }
            } else {
                firstOrigin = .some(origin)
                firstOriginIsAbsolute = origin != nil
                firstOriginAt = location
            }
        }
    }

    /// Records a recoverable XML fault found by the parser.
    public mutating func check(_ problem: XMLProblem) {
        switch problem.kind {
        case .unboundPrefix:
            report(LintRules.unboundPrefix, "\(problem.detail) uses an undeclared prefix (byte \(problem.offset))", problem: problem)
        case .undefinedEntity:
            report(LintRules.undefinedEntity, "\(problem.detail) is not an XML entity", problem: problem)
        case .forbiddenCharacter:
            let path = problem.href.map { Href($0).displayPath }
            report(
                LintRules.forbiddenCharacter,
                "the character \(problem.detail) at byte offset \(problem.offset)\(Self.inResource(path)) is not allowed in XML", at: path,
                problem: problem)
        case .invalidUTF8:
            let path = problem.href.map { Href($0).displayPath }
            let several = problem.detail.contains(" ")
            report(
                LintRules.notUTF8,
                "the \(several ? "bytes" : "byte") \(problem.detail) at byte offset \(problem.offset)\(Self.inResource(path)) "
                    + "\(several ? "are" : "is") not UTF-8", at: path, problem: problem)
        }
    }

    /// ` in the response for /dav/a.txt`, or nothing when the resource is not known.
    private static func inResource(_ path: String?) -> String {
        path.map { " in the response for \($0)" } ?? ""
    }

    /// Checks what only the whole document shows: its root, its media type, whether it had responses.
    public mutating func checkDocument(root: QualifiedName?, responses: Int, head: ResponseHead?, method: String?) {
        if let root, root != DAV.multistatus {
            report(LintRules.nonDAVRoot, "the root element is \(root)")
        }
        if let head, head.status == 207 {
            if let type = head.mediaType, type != "application/xml" && type != "text/xml" {
                report(LintRules.contentType, "the 207 is labelled \(head.headers["Content-Type"] ?? type)")
            }
        }
        if responses == 0, (method ?? "PROPFIND").uppercased() == "PROPFIND" {
            report(LintRules.emptyMultistatus, "the multistatus holds no <D:response>")
        }
    }

    /// Takes in what a linter found over the piece of the same body that follows this linter's piece, so
    /// that the result is what one linter reading both pieces in order would have found.
    public mutating func merge(_ later: Linter) {
        notes += later.notes
        for repeated in duplicates.merge(later.duplicates) {
            report(LintRules.duplicateHref, "\(repeated) appears in more than one <D:response>", at: repeated)
        }
        var skipMixed = false
        if let first = firstOrigin, let laterFirst = later.firstOrigin {
            skipMixed = true
            if !mixedOrigins && first != laterFirst {
                mixedOrigins = true
                report(LintRules.hrefMixedOrigins, "hrefs mix \(first ?? "plain paths") and \(laterFirst ?? "plain paths")", at: later.firstOriginAt)
            } else if !mixedOrigins && later.mixedOrigins {
                skipMixed = false
                mixedOrigins = true
            }
        } else if firstOrigin == nil {
            firstOrigin = later.firstOrigin
            firstOriginIsAbsolute = later.firstOriginIsAbsolute
            firstOriginAt = later.firstOriginAt
            mixedOrigins = later.mixedOrigins
        }
        for id in later.order {
            guard let finding = later.findings[id], !(skipMixed && id == LintRules.hrefMixedOrigins.id) else { continue }
            if var existing = findings[id] {
                existing.count += finding.count
                for example in finding.examples where existing.examples.count < Self.exampleLimit && !existing.examples.contains(example) {
                    existing.examples.append(example)
                }
                findings[id] = existing
            } else {
                findings[id] = finding
                order.append(id)
            }
        }
    }

    /// The findings so far, in the order first seen.
    public var results: [LintFinding] {
        order.compactMap { findings[$0] }
    }

    /// Merges the duplicate check's blocks of hashes into one sorted run. For the reader of one piece of a
    /// split body, while the others are still reading: what is left for ``finishDuplicates()`` gets smaller.
    public mutating func compactDuplicates() {
        duplicates.compact()
    }

    /// How many repeated hrefs the exact check found in all (some may not be named in examples). When the
    /// check could not be whole, a note says so: a count that is short without a word reads as a clean one.
    public mutating func finishDuplicates() {
        let repeats = duplicates.finish()
        if duplicates.unreadHashes > 0 {
            notes.append(
                "the duplicate-href check could not read back \(duplicates.unreadHashes) of its hashes from its temporary file: "
                    + "repeated hrefs among those responses are not counted")
        }
        if duplicates.isSaturated {
            notes.append("the duplicate-href check stopped after \(DuplicateHrefs.maxHashes) responses: repeats beyond them are not counted")
        }
        if repeats > 0 {
            if var finding = findings[LintRules.duplicateHref.id] {
                // The exact count replaces the named ones' tally (a short read keeps whichever is larger).
                finding.count = max(finding.count, repeats)
                findings[LintRules.duplicateHref.id] = finding
            } else {
                report(LintRules.duplicateHref, "\(repeats) hrefs appear more than once (seen far apart, so not named)")
                findings[LintRules.duplicateHref.id]?.count = repeats
            }
        }
    }
}
