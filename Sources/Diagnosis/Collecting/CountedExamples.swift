/// The first examples of one kind of oddity and how many there were in all: a report names a few and
/// counts the rest, in memory that does not grow with the body.
public struct CountedExamples<Element: Sendable>: Sendable {
    /// How many examples are kept.
    public let limit: Int
    /// The first ``limit`` taken, in the order they came.
    public private(set) var examples: [Element] = []
    /// Every one taken, kept or not.
    public private(set) var count = 0

    public init(keeping limit: Int = ResponseCollector.examplesKept) {
        self.limit = limit
    }

    /// Counts one more and keeps it while there is room; the element is only made when it is kept.
    mutating func take(_ element: @autoclosure () -> Element) {
        count += 1
        if examples.count < limit { examples.append(element()) }
    }

    /// Takes in what the same kind gathered over the piece of the body that follows (see ``SplitReading``).
    mutating func merge(_ later: Self) {
        count += later.count
        examples.append(contentsOf: later.examples, upTo: limit)
    }
}

extension CountedExamples: Equatable where Element: Equatable {}

extension Array {
    /// Appends the first of `other` until this array holds `limit` elements: how a bounded list of examples
    /// takes in the examples of the piece that follows it.
    mutating func append(contentsOf other: [Element], upTo limit: Int) {
        if count < limit { append(contentsOf: other.prefix(limit - count)) }
    }
}
