/// A cumulative histogram of durations in seconds with Prometheus client_golang's default
/// buckets (`prometheus.DefBuckets`: 5 ms … 10 s), rendered as the `_bucket`, `_sum` and
/// `_count` series Prometheus' `histogram_quantile` reads.
public struct DurationHistogram: Sendable, Hashable {
    /// The upper bounds of the buckets, `+Inf` left implicit.
    public static let defaultBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// The bucket bounds.
    public let bounds: [Double]
    /// Observations at or below each bound (not cumulative), then the ones above the last.
    private var counts: [Int]
    /// The sum of every observation.
    public private(set) var sum = 0.0
    /// How many observations there were.
    public private(set) var count = 0

    /// An empty histogram over `bounds` (ascending).
    public init(bounds: [Double] = Self.defaultBounds) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Adds one duration.
    public mutating func observe(_ seconds: Double) {
        let index = bounds.firstIndex { seconds <= $0 } ?? bounds.count
        counts[index] += 1
        sum += seconds
        count += 1
    }

    /// The samples of family `name` with `labels` on each: cumulative `_bucket`s with `le`, then
    /// `_sum` and `_count`.
    public func samples(_ name: String, labels: [LabelPair] = []) -> [MetricSampleValue] {
        var samples: [MetricSampleValue] = []
        var cumulative = 0
        for (index, bound) in bounds.enumerated() {
            cumulative += counts[index]
            samples.append(
                MetricSampleValue(
                    name: name + "_bucket", labels: labels + [LabelPair("le", Self.text(bound))],
                    value: Double(cumulative)))
        }
        samples.append(
            MetricSampleValue(name: name + "_bucket", labels: labels + [LabelPair("le", "+Inf")], value: Double(count)))
        samples.append(MetricSampleValue(name: name + "_sum", labels: labels, value: sum))
        samples.append(MetricSampleValue(name: name + "_count", labels: labels, value: Double(count)))
        return samples
    }

    /// A bound as Go's `strconv.FormatFloat(bound, 'g', -1, 64)` writes it for `le`.
    private static func text(_ bound: Double) -> String {
        bound == bound.rounded() ? String(Int(bound)) : String(bound)
    }
}
