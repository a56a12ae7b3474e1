import DAVCore

/// Names that some client cannot use: not UTF-8, holding `%` or control characters, collections whose
/// href lacks the trailing slash.
public struct NameTally: Sendable, Equatable {
    /// Hrefs whose %XX bytes do not decode to UTF-8 (Latin-1 names written by a local user).
    public private(set) var notUTF8 = CountedExamples<String>()
    /// Decoded paths whose last segment holds a literal `%`.
    public private(set) var withPercent = CountedExamples<String>()
    /// Decoded names holding control characters, which Windows cannot create or open.
    public private(set) var withControls = CountedExamples<String>()
    /// Hrefs of collections that lack the trailing slash.
    public private(set) var collectionsWithoutSlash = CountedExamples<String>()

    /// Takes one response's href, its decoded path (nil when its bytes are not UTF-8) and the path shown.
    mutating func take(_ href: Href?, decoded: String?, path: String, isCollection: Bool) {
        if isCollection, let href, !href.path.endsWithSlash { collectionsWithoutSlash.take(href.raw) }
        if let href, decoded == nil, href.path.utf8ContainsByte(0x25) {
            // %XX bytes that do not decode to UTF-8: a name in another encoding, not a literal %.
            notUTF8.take(href.path)
        } else if path.utf8ContainsByte(0x25), URLPath.lastSegment(of: path).contains("%") {
            withPercent.take(path)
        }
        if path.containsControlByte { withControls.take(path) }
    }

    mutating func merge(_ later: Self) {
        notUTF8.merge(later.notUTF8)
        withPercent.merge(later.withPercent)
        withControls.merge(later.withControls)
        collectionsWithoutSlash.merge(later.collectionsWithoutSlash)
    }
}

/// Two names that Swift holds equal but whose bytes differ: one NFC, one NFD.
public struct NormalizationTwin: Sendable, Hashable {
    /// The name seen first.
    public var first: String
    /// The one that came later in the other normalisation.
    public var second: String
}

/// The decoded paths of resources that are there (bounded), for near-match hints, and the names that
/// come back twice in different Unicode normalisations.
public struct KnownPaths: Sendable, Equatable {
    /// At most this many decoded paths are kept.
    public static let limit = 20_000
    /// A later piece keeps at most this many paths it saw again (repeats and twins) for its merge; past
    /// it, ``mergesExactly`` is false and the body is read in one piece.
    static let revisitLimit = limit

    public private(set) var paths: Set<String> = []
    public private(set) var twins = CountedExamples<NormalizationTwin>()
    /// Every path taken, in order (new ones and ones seen again), so that a merge can replay a later
    /// piece against this one's paths and find what one reader would have found.
    private var arrivals: [String] = []
    private var revisits = 0
    /// False once more paths came again than ``revisitLimit``: a merge could then miss twins.
    public private(set) var mergesExactly = true

    public var isFull: Bool { paths.count >= Self.limit }

    /// Takes the path of a resource that is there, while there is room.
    mutating func take(_ path: String) {
        guard !isFull else { return }
        // Swift compares strings by canonical equivalence: a "duplicate" here with other bytes is an NFC/NFD twin.
        let (inserted, existing) = paths.insert(path)
        if inserted {
            arrivals.append(path)
            return
        }
        if revisits < Self.revisitLimit {
            revisits += 1
            arrivals.append(path)
        } else {
            mergesExactly = false
        }
        if Array(existing.utf8) != Array(path.utf8) { twins.take(NormalizationTwin(first: existing, second: path)) }
    }

    /// Replays the later piece's paths in order, as one reader would have taken them after this piece's.
    mutating func merge(_ later: Self) {
        mergesExactly = mergesExactly && later.mergesExactly
        for path in later.arrivals where !isFull { take(path) }
    }
}

/// Files (resources that are not collections) a PROPFIND listed, and those among them without an ETag,
/// which clients need to tell a changed file from an unchanged one.
public struct FileETags: Sendable, Equatable {
    public private(set) var filesSeen = 0
    public private(set) var withoutETag = CountedExamples<String>()

    mutating func take(_ path: String, lacksETag: Bool) {
        filesSeen += 1
        if lacksETag { withoutETag.take(path) }
    }

    mutating func merge(_ later: Self) {
        filesSeen += later.filesSeen
        withoutETag.merge(later.withoutETag)
    }
}

/// A quota property reported with a negative value.
public struct NegativeQuota: Sendable, Hashable {
    public var path: String
    /// `name = value` as reported.
    public var value: String
}
