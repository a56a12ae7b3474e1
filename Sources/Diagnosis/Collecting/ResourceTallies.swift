import DAVCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How far the reading got: responses taken, where the last one was, and how many had no href.
public struct ReadingProgress: Sendable, Equatable {
    public private(set) var responses = 0
    /// The decoded path of the last response read, to say where a body that breaks off stopped.
    public private(set) var lastPath: String?
    /// Responses with no href: the lint names them by their position, which only a reader of the whole
    /// body knows (a split reading is done again in one piece when a later piece has any).
    public private(set) var withoutHref = 0

    mutating func take(path: String, hasHref: Bool) {
        responses += 1
        lastPath = path
        if !hasHref { withoutHref += 1 }
    }

    mutating func merge(_ later: Self) {
        responses += later.responses
        lastPath = later.lastPath ?? lastPath
        withoutHref += later.withoutHref
    }
}

/// Each resource's status counted, and the failing resources kept by name.
public struct StatusTally: Sendable, Equatable {
    /// At most this many failing resources are kept by name (the counts stay exact).
    public static let failureLimit = 100_000

    /// Status code (0 when there was none) → how many resources answered it.
    public private(set) var byStatus: [Int: Int] = [:]
    public private(set) var failing: [ResourceRecord] = []
    public private(set) var failingCount = 0
    /// How many responses this tally took: where the next piece's positions start when merged.
    private var responses = 0
    /// The position (among the responses taken) of each record in ``failing``, to merge pieces exactly.
    private var failingPositions: [Int] = []

    /// Takes one response's status, with its record when it failed.
    mutating func take(_ status: Int?, failure: ResourceRecord?) {
        responses += 1
        byStatus[status ?? 0, default: 0] += 1
        guard let failure else { return }
        failingCount += 1
        if failing.count < Self.failureLimit {
            failing.append(failure)
            failingPositions.append(responses)
        }
    }

    /// Drops the failing records that `isProtocol` shows to be the protocol working after all, and returns
    /// their paths.
    mutating func drop(where isProtocol: (ResourceRecord) -> Bool) -> [String] {
        var kept: [ResourceRecord] = []
        var positions: [Int] = []
        var dropped: [String] = []
        for (record, position) in zip(failing, failingPositions) {
            if isProtocol(record) {
                dropped.append(record.path)
                failingCount -= 1
            } else {
                kept.append(record)
                positions.append(position)
            }
        }
        failing = kept
        failingPositions = positions
        return dropped
    }

    mutating func merge(_ later: Self) {
        let offset = responses
        responses += later.responses
        byStatus.merge(later.byStatus, uniquingKeysWith: +)
        for (record, position) in zip(later.failing, later.failingPositions) where failing.count < Self.failureLimit {
            var record = record
            // One reader keeps per-property statuses only for the first responses of the whole body.
            if offset + position > TreeRecords.limit { record.properties = [] }
            failing.append(record)
            failingPositions.append(offset + position)
        }
        failingCount += later.failingCount
    }
}

/// Every resource of the body's first responses, for the report's tree.
public struct TreeRecords: Sendable, Equatable {
    /// Every resource is kept for the tree up to this many responses; past it only failing ones.
    public static let limit = 20_000

    public private(set) var records: [ResourceRecord] = []

    mutating func take(_ record: ResourceRecord) {
        if records.isEmpty { records.reserveCapacity(Self.limit) }  // pages are only touched as records arrive
        if records.count < Self.limit { records.append(record) }
    }

    mutating func merge(_ later: Self) {
        records.append(contentsOf: later.records, upTo: Self.limit)
    }
}

/// Direct members per collection, for collapsing failures into subtrees.
public struct MemberCounts: Sendable, Equatable {
    /// Past this many collections the counts stop (a body of millions of folders would otherwise keep a
    /// counter for each).
    public static let collectionLimit = 500_000

    /// Collection path without its trailing slash → how many direct members it listed.
    public private(set) var perCollection: [String: Int] = [:]
    public private(set) var saturated = false
    /// The parent being counted in place, and its members so far (see ``take(_:)``).
    private var currentParent: String?
    private var currentCount = 0

    /// Counts `path` as a member of its parent collection. Members of one collection usually come
    /// together: they are counted in place until the parent changes, compared as bytes, so no string is
    /// made for the members of the same collection.
    mutating func take(_ path: String) {
        guard !saturated else { return }
        var path = path
        path.withUTF8 { bytes in
            guard let length = Self.parentLength(bytes) else { return }
            if var last = currentParent, last.withUTF8({ $0.count == length && memcmp($0.baseAddress!, bytes.baseAddress!, length) == 0 }) {
                currentCount += 1
            } else {
                flush()
                currentParent = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self)
                currentCount = 1
            }
        }
    }

    /// Call when the last response has been taken.
    mutating func finish() { flush() }

    private mutating func flush() {
        guard let parent = currentParent else { return }
        perCollection[parent, default: 0] += currentCount
        currentParent = nil
        currentCount = 0
        if perCollection.count > Self.collectionLimit { saturated = true }
    }

    /// Takes in the counts of the piece that follows (both finished).
    mutating func merge(_ later: Self) {
        perCollection.merge(later.perCollection, uniquingKeysWith: +)
        saturated = saturated || later.saturated || perCollection.count > Self.collectionLimit
    }

    /// How many of a path's bytes its parent's key takes (`/a/b/c` → 4 for `/a/b`, `/a` → 1 for `/`), nil
    /// when it has no parent.
    private static func parentLength(_ path: UnsafeBufferPointer<UInt8>) -> Int? {
        var end = path.count
        if end > 0, path[end - 1] == 0x2F { end -= 1 }
        guard end > 0 else { return nil }
        var slash = end - 1
        while slash >= 0, path[slash] != 0x2F { slash -= 1 }
        guard slash >= 0 else { return nil }
        return max(slash, 1)
    }
}
