import DAVCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the hrefs point: outside the Request-URI, deeper than the Depth asked, at another origin, or
/// at the Request-URI itself.
public struct ScopeTally: Sendable, Equatable {
    /// Examples kept per foreign origin.
    public static let examplesPerOrigin = 5

    private let requestPath: String
    /// `scheme://authority` of the request, nil when the request named no authority.
    private let requestOrigin: String?
    /// How deep a PROPFIND's Depth lets hrefs go below the Request-URI (nil: no limit, or not a PROPFIND).
    private let maximumLevels: Int?
    /// Whether the request's URL is known at all: without it nothing here can be judged.
    private let judges: Bool

    public private(set) var outOfScope = CountedExamples<String>()
    public private(set) var tooDeep = CountedExamples<String>()
    /// Absolute hrefs whose origin differs from the request's: origin → examples and count.
    public private(set) var foreignOrigins: [String: CountedExamples<String>] = [:]
    /// The hrefs that name the Request-URI itself (with or without its trailing slash): a listing names
    /// it once, so a second is a member whose own name the server lost.
    public private(set) var selfHrefs = CountedExamples<String>()

    init(context: AnalysisContext) {
        judges = context.urlKnown
        requestPath = context.requestPath
        let request = context.requestHref
        requestOrigin = request.authority == nil ? nil : (request.scheme ?? "") + "://" + (request.normalizedAuthority ?? "")
        maximumLevels = context.method == "PROPFIND" ? context.depth?.maximumLevels : nil
    }

    /// Takes one response's first href and decoded path. `reportKind` is the REPORT's kind as known so
    /// far: a report that answers from elsewhere has no scope to leave.
    mutating func take(_ href: Href, path: String, reportKind: ReportKind?) {
        guard judges else { return }
        if let authority = href.normalizedAuthority, let requestOrigin {
            let origin = (href.scheme ?? "") + "://" + authority
            if origin != requestOrigin {
                foreignOrigins[origin, default: CountedExamples(keeping: Self.examplesPerOrigin)].take(href.raw)
            }
        }
        if let kind = reportKind, kind.answersOutsideRequestURI || kind.isMultiget { return }
        guard let levels = URLPath.levels(of: path, below: requestPath) else {
            outOfScope.take(path)
            return
        }
        if levels == 0 { selfHrefs.take(href.raw) }
        if let maximumLevels, levels > maximumLevels { tooDeep.take(path) }
    }

    mutating func merge(_ later: Self) {
        outOfScope.merge(later.outOfScope)
        tooDeep.merge(later.tooDeep)
        for (origin, examples) in later.foreignOrigins {
            foreignOrigins[origin, default: CountedExamples(keeping: Self.examplesPerOrigin)].merge(examples)
        }
        selfHrefs.merge(later.selfHrefs)
    }
}

/// For a Depth infinity PROPFIND: collections one level down, and whether anything deeper came back
/// (a server that lists one level only and calls it infinity).
public struct DepthTally: Sendable, Equatable {
    private let requestPath: String
    /// The Request-URI's path without its trailing slash, as bytes, when a byte comparison reads it as
    /// ``levelsBelowRequest(_:)``'s string comparisons do (ASCII, starting with `/`, no CR); else nil.
    private let asciiBase: [UInt8]?
    public private(set) var firstLevelCollections = 0
    public private(set) var sawBelowFirstLevel = false

    init(requestPath: String) {
        self.requestPath = requestPath
        let base = Array(URLPath.withoutTrailingSlash(requestPath).utf8)
        asciiBase = base.first == 0x2F && base.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) ? base : nil
    }

    mutating func take(_ path: String, isCollection: Bool) {
        guard let levels = levelsBelowRequest(path) else { return }
        if levels >= 2 { sawBelowFirstLevel = true } else if levels == 1, isCollection { firstLevelCollections += 1 }
    }

    mutating func merge(_ later: Self) {
        firstLevelCollections += later.firstLevelCollections
        sawBelowFirstLevel = sawBelowFirstLevel || later.sawBelowFirstLevel
    }

    /// How many levels `path` lies below the Request-URI, or nil when it is not below it. Asked of every
    /// response of a listing (a PROPFIND without Depth is infinity): read from the bytes when they settle
    /// it, as a string otherwise (the canonical comparisons cost a tenth of a whole response's reading).
    func levelsBelowRequest(_ path: String) -> Int? {
        if let levels = levelsFromBytes(path) { return levels }
        return levelsByStrings(path)
    }

    /// ``levelsBelowRequest(_:)`` by canonical string comparisons, for any path.
    func levelsByStrings(_ path: String) -> Int? {
        let base = URLPath.withoutTrailingSlash(requestPath)
        let bare = URLPath.withoutTrailingSlash(path)
        guard bare != base, URLPath.isWithin(bare, base == "/" ? "/" : base + "/") else { return bare == base ? 0 : nil }
        let rest = bare.dropFirst(base == "/" ? 1 : base.count + 1)
        return rest.split(separator: "/").count
    }

    /// ``levelsBelowRequest(_:)`` for a path whose bytes give the same answer as its string comparisons: the
    /// Request-URI's bytes then a `/`, and every `/` that matters between bytes below 0x80, so that each
    /// is a character of its own (a combining mark after a `/`, or a prepended mark before it, would join
    /// them) and the Request-URI's ASCII compares as bytes. Nil leaves the path to the string comparisons.
    func levelsFromBytes(_ path: String) -> Int?? {
        guard let base = asciiBase else { return nil }
        var path = path
        return path.withUTF8 { p -> Int?? in
            let n = p.count
            // The path without one trailing slash (a `/` after a byte from 0x80 up may end a longer character).
            var end = n
            if n > 1, p[n - 1] == 0x2F {
                guard p[n - 2] < 0x80 else { return nil }
                end = n - 1
            }
            let b = base.count
            let root = b == 1
            if root {
                guard end >= 1, p[0] == 0x2F else { return nil }
                if end == 1 { return .some(0) }
            } else {
                guard end >= b + 2, p[b] == 0x2F,
                    base.withUnsafeBufferPointer({ memcmp($0.baseAddress!, p.baseAddress!, b) == 0 })
                else { return nil }
            }
            // The segments after the Request-URI's `/`: runs of bytes other than `/`, empty ones not counted.
            let start = root ? 1 : b + 1
            guard p[start] < 0x80 else { return nil }
            var segments = 0
            var inSegment = false
            for k in start..<end {
                if p[k] == 0x2F {
                    guard p[k - 1] < 0x80, k + 1 >= end || p[k + 1] < 0x80 else { return nil }
                    inSegment = false
                } else if !inSegment {
                    inSegment = true
                    segments += 1
                }
            }
            return .some(segments)
        }
    }
}
