import BridgeCore
import BridgeHTTP
import BridgeTopology

/// What one scrape of one target produced, handed to the next stage.
public struct ScrapeResult: Sendable {
    /// The target.
    public var target: ScrapeTarget
    /// When the scrape started, in milliseconds since the epoch; the timestamp of its samples.
    public var timestamp: Int64
    /// The scraped series after series labels and relabeling; empty when the scrape failed.
    public var series: MetricBatch
    /// `up`, `scrape_duration_seconds`, `scrape_samples_scraped`,
    /// `scrape_samples_post_metric_relabeling` and `scrape_series_added`, with the target's labels.
    public var scrapeMetrics: MetricBatch
    /// Series of the previous scrape that are gone, each with the staleness marker as value.
    public var stale: MetricBatch
    /// Why the scrape failed, if it did.
    public var failure: ScrapeFailure?
    /// Lines of the body that could not be parsed (any fails the scrape).
    public var parseIssues: ParseIssues
    /// Samples dropped because another sample of the same scrape had the same series.
    public var duplicates: Int
    /// How the series were joined to the cluster (all zero without an enricher).
    public var enrichment = Enricher.Outcome()
    /// Names the series of ``series``, their labels and order: results with the same non-zero
    /// version carry the same series in the same order (values aside), so whatever was made from
    /// one's labels, such as their remote-write form, holds for the other. 0 promises nothing.
    public var seriesVersion: UInt64 = 0

    /// Whether the scrape succeeded.
    public var up: Bool { failure == nil }

    /// `scrape_duration_seconds` of this scrape.
    public var durationSeconds: Double {
        guard let name = scrapeMetrics.symbols.lookup("scrape_duration_seconds"),
            let sample = scrapeMetrics.samples.first(where: { $0.name == name })
        else { return 0 }
        return sample.value
    }
}

/// Why a scrape failed: a bounded `reason` for labels and a message for logs.
public struct ScrapeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short, bounded reason: an ``HTTPError/Kind`` raw value (`body_size_limit` for a body
    /// over the limit), `parse`, or the name of the limit exceeded (``ScrapeLimitCheck``).
    public var reason: String
    /// What happened, without credentials.
    public var message: String

    /// Creates a failure.
    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
