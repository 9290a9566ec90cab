/// The type of a metric family, as declared by a `# TYPE` line.
///
/// Text format 0.0.4 knows counter, gauge, histogram, summary and untyped; OpenMetrics 1.0 adds
/// gaugehistogram, info and stateset and calls untyped "unknown". Both spellings of the untyped
/// family map to ``unknown`` so that a family reads the same whichever format carried it.
public enum MetricType: String, Sendable, CaseIterable, Hashable {
    case counter
    case gauge
    case histogram
    case gaugeHistogram = "gaugehistogram"
    case summary
    case info
    case stateset
    case unknown

    /// Parses the type token of a `# TYPE` line in `format`; nil if that format has no such type.
    public init?(token: String, format: ExpositionFormat) {
        switch (token, format) {
        case ("untyped", .text): self = .unknown
        case ("unknown", .openMetrics): self = .unknown
        case ("counter", _): self = .counter
        case ("gauge", _): self = .gauge
        case ("histogram", _): self = .histogram
        case ("summary", _): self = .summary
        case ("gaugehistogram", .openMetrics): self = .gaugeHistogram
        case ("info", .openMetrics): self = .info
        case ("stateset", .openMetrics): self = .stateset
        default: return nil
        }
    }

    /// The token this type is written as in `format`. Types that text 0.0.4 lacks are written
    /// there as `untyped`, which is what Prometheus would store for them anyway.
    public func token(in format: ExpositionFormat) -> String {
        switch (self, format) {
        case (.unknown, .text), (.gaugeHistogram, .text), (.info, .text), (.stateset, .text): "untyped"
        default: rawValue
        }
    }

    /// The sample-name suffixes a family of this type may carry in `format`; "" is the bare name.
    ///
    /// From the text format (exposition_formats.md) and OpenMetrics 1.0 §"Metric types".
    public func sampleSuffixes(in format: ExpositionFormat) -> [String] {
        switch (self, format) {
        case (.histogram, .text): ["_bucket", "_sum", "_count"]
        case (.summary, .text): ["", "_sum", "_count"]
        case (_, .text): [""]
        case (.counter, .openMetrics): ["_total", "_created"]
        case (.histogram, .openMetrics): ["_bucket", "_sum", "_count", "_created"]
        case (.gaugeHistogram, .openMetrics): ["_bucket", "_gsum", "_gcount"]
        case (.summary, .openMetrics): ["", "_sum", "_count", "_created"]
        case (.info, .openMetrics): ["_info"]
        case (.gauge, .openMetrics), (.stateset, .openMetrics), (.unknown, .openMetrics): [""]
        }
    }
}
