import Foundation

/// When an exchange started, when the response head came and when the body ended.
///
/// Wall-clock dates for the record; durations measured on a monotonic clock, in milliseconds.
public struct ExchangeTimings: Sendable, Hashable, Codable {
    public var start: Date
    /// When the status line and headers had arrived; nil if they never did.
    public var responseHead: Date?
    public var end: Date
    /// From sending to the response head (time to first byte, connection set-up included).
    public var headMilliseconds: Double?
    /// From sending to the end of the body.
    public var totalMilliseconds: Double

    public init(start: Date, responseHead: Date?, end: Date, headMilliseconds: Double?, totalMilliseconds: Double) {
        self.start = start
        self.responseHead = responseHead
        self.end = end
        self.headMilliseconds = headMilliseconds
        self.totalMilliseconds = totalMilliseconds
    }
}

/// Measures one exchange: a wall-clock start and a monotonic clock for the durations.
struct ExchangeStopwatch {
    private let started = ContinuousClock.now
    private let startDate = Date()
    private var headAt: ContinuousClock.Instant?
    private var headDate: Date?

    mutating func markHead() {
        headAt = ContinuousClock.now
        headDate = Date()
    }

    func finish() -> ExchangeTimings {
        let now = ContinuousClock.now
        return ExchangeTimings(
            start: startDate,
            responseHead: headDate,
            end: startDate.addingTimeInterval(Self.milliseconds(now - started) / 1000),
            headMilliseconds: headAt.map { Self.milliseconds($0 - started) },
            totalMilliseconds: Self.milliseconds(now - started)
        )
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        // Microsecond resolution is plenty for network timings and keeps the JSON short.
        let microseconds = (Double(seconds) * 1e6 + Double(attoseconds) / 1e12).rounded()
        return microseconds / 1000
    }
}
