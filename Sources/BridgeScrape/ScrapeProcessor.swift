import BridgeCore
import BridgeTopology
import Synchronization

/// Turns the bodies one target serves into ``ScrapeResult``s and remembers what the previous scrape
/// had, so that series which vanish, and all series of a failed scrape, get staleness markers.
///
/// Steps, as Prometheus orders them: parse (bad lines skipped and counted), drop explicit timestamps
/// unless honoured, add the target's series labels, join each series to its place in the cluster
/// (``Enricher``), apply `metric_relabel_configs`, drop duplicate
/// series (a second sample for the same series in one scrape, counted), apply `sample_limit` and
/// the label limits (``ScrapeLimitCheck``). A parse error or an exceeded limit fails the whole
/// scrape, as in Prometheus 2.42.
///
/// The symbol table of the previous scrape is reused while it stays within a few times the size of a
/// body, so steady-state scrapes intern nothing new; interning only appends, so the previous scrape's
/// symbols stay valid in the reused table.
///
/// Most scrapes expose exactly the series of the one before with new values. When the parsed
/// series have the same shape as last time (``MetricBatch/SeriesShape``) and the cluster state's
/// join version has not moved, the labels, enrichment, relabeling and duplicate check of the last
/// scrape all hold again: the last result takes the new values and nothing is worked out anew
/// (docs/performance.md).
public struct ScrapeProcessor: Sendable {
    /// The target.
    public let target: ScrapeTarget
    private let relabeler: Relabeler
    private let labeler: SeriesLabeler
    private let enricher: Enricher?
    private var previous: MetricBatch?
    private var previousIdentities: Set<UInt64> = []
    private var reuse: Reuse?
    /// Bytes of the last body processed, successful or not: the size to make room for when
    /// reading the next one.
    public private(set) var lastBodyBytes = 0

    /// What the last successful scrape's result was worked out from, to tell whether it holds for
    /// the next one.
    private struct Reuse {
        /// The parsed series, before any label was added or rewritten.
        var shape: MetricBatch.SeriesShape
        /// The enricher's join version when they were joined (0 without an enricher).
        var joinVersion: UInt64
        /// For each series of the result, the index of the parsed sample it came from.
        var sources: [Int32]
        var enrichment: Enricher.Outcome
        var duplicates: Int
        /// The result's ``ScrapeResult/seriesVersion``.
        var seriesVersion: UInt64
    }

    /// Series versions are unique in the process, so that a target removed and added again never
    /// matches what was kept for the old one.
    private static let seriesVersions = Atomic<UInt64>(1)

    /// Creates the processor for `target`, joining series through `enricher` when given.
    public init(target: ScrapeTarget, enricher: Enricher? = nil) {
        self.target = target
        self.enricher = enricher
        relabeler = Relabeler(target.metricRelabelConfigs)
        labeler = SeriesLabeler(target.seriesLabels)
    }

    /// Processes a successful HTTP response body. `duration` is read when processing is done, so
    /// `scrape_duration_seconds` covers parsing and relabeling too, as in Prometheus.
    ///
    /// The body is taken and released as soon as it is parsed: it is the largest thing a scrape
    /// holds (19 MB for kube-state-metrics of 11,000 pods), and what follows (joining, copying
    /// into the kept result, sending) needs only what was parsed from it.
    public mutating func process(
        body: consuming [UInt8], contentType: String?, timestamp: Int64, duration: () -> Double
    ) -> ScrapeResult {
        lastBodyBytes = body.count
        let reused = borrowLastTable(for: body.count)
        var issues = ParseIssues()
        // The last shape lets lines that repeat last scrape's series skip lexing their labels; its
        // symbols are valid only in the table it was taken over, reused here.
        var batch = MetricBatch.parse(
            body, format: ExpositionFormat(contentType: contentType), symbols: reused ?? SymbolTable(),
            expected: reused != nil ? reuse?.shape : nil, issues: &issues)
        _ = consume body
        let scraped = batch.samples.count
        if let first = issues.kept.first {
            // Prometheus 2.42 fails the whole scrape at the first parse error (a malformed line,
            // invalid UTF-8, an out-of-range value, OpenMetrics without `# EOF`): a half-read
            // exposition is not passed off as the target's state.
            if reused != nil { returnTable(batch.symbols) }
            let message =
                scraped == 0
                ? "no sample could be parsed from \(issues.count) lines; first: \(first)"
                : "\(issues.count) bad lines (\(scraped) samples parsed); first: \(first)"
            var result = fail(
                ScrapeFailure(reason: "parse", message: message), timestamp: timestamp, duration: duration(),
                samplesScraped: scraped)
            result.parseIssues = issues
            return result
        }
        if !target.honorTimestamps { batch.removeTimestamps() }
        let joinVersion: UInt64? = if let enricher { enricher.joinVersion } else { 0 }
        // Shapes compare symbols, which mean the same strings only in a table that extends the
        // last scrape's.
        if reused != nil, let joinVersion, let reuse, reuse.joinVersion == joinVersion, reuse.shape.describes(batch),
            var series = previous
        {
            series.symbols = batch.symbols
            series.copySampleValues(from: batch, sources: reuse.sources)
            previous = series
            return result(
                series: series, failure: nil, timestamp: timestamp, duration: duration(), scraped: scraped,
                added: 0, stale: MetricBatch(symbols: SymbolTable(capacity: 1)), issues: issues,
                duplicates: reuse.duplicates, enrichment: reuse.enrichment, seriesVersion: reuse.seriesVersion)
        }
        reuse = nil
        let shape = joinVersion != nil ? MetricBatch.SeriesShape(batch) : nil
        let worked = work(batch)
        if let exceeded = ScrapeLimitCheck.firstExceeded(in: worked.series, target: target) {
            if reused != nil { returnTable(worked.series.symbols) }
            var failed = fail(exceeded, timestamp: timestamp, duration: duration(), samplesScraped: scraped)
            failed.parseIssues = issues
            failed.duplicates = worked.duplicates
            failed.scrapeMetrics = ScrapeMetrics(
                up: false, durationSeconds: duration(), samplesScraped: scraped,
                samplesPostRelabeling: worked.series.samples.count, seriesAdded: 0
            ).batch(labels: target.targetLabels)
            return failed
        }
        let stale = staleSeries(
            keeping: worked.identities,
            symbols: reused != nil ? worked.series.symbols : previous?.symbols ?? SymbolTable(capacity: 1))
        let added = worked.identities.subtracting(previousIdentities).count
        previous = worked.series
        previousIdentities = worked.identities
        let seriesVersion = Self.seriesVersions.wrappingAdd(1, ordering: .relaxed).oldValue
        if let shape, let joinVersion {
            reuse = Reuse(
                shape: shape, joinVersion: joinVersion, sources: worked.sources, enrichment: worked.enrichment,
                duplicates: worked.duplicates, seriesVersion: seriesVersion)
        }
        return result(
            series: worked.series, failure: nil, timestamp: timestamp, duration: duration(), scraped: scraped,
            added: added, stale: stale, issues: issues, duplicates: worked.duplicates, enrichment: worked.enrichment,
            seriesVersion: seriesVersion)
    }

    /// The last scrape's symbol table, taken over for this parse while it stays within a few times
    /// the size of a body (interning only appends, so the last scrape's symbols stay valid in it);
    /// nil when there is none to reuse.
    private mutating func borrowLastTable(for bodyBytes: Int) -> SymbolTable? {
        guard var last = previous, last.symbols.byteCount <= 2 * bodyBytes + (1 << 16) else { return nil }
        let table = last.symbols
        last.symbols = SymbolTable(capacity: 1)
        previous = last
        return table
    }

    /// What the steps after parsing made of a batch.
    private struct Worked {
        var series: MetricBatch
        /// For each sample of ``series``, the index of the parsed sample it came from.
        var sources: [Int32]
        var identities: Set<UInt64>
        var duplicates: Int
        var enrichment: Enricher.Outcome
    }

    /// Series labels, the join, relabeling and the duplicate check. Values travel unchanged
    /// through these steps, which may drop, reorder or move samples between families; numbered by
    /// index, they say where each sample came from, and the real values are put back at the end.
    private func work(_ parsed: MetricBatch) -> Worked {
        var batch = parsed
        batch.setSampleValues { Double($0) }
        labeler.apply(to: &batch)
        let enrichment = enricher?.apply(to: &batch) ?? Enricher.Outcome()
        relabeler.apply(to: &batch)
        var identities = Set<UInt64>(minimumCapacity: batch.samples.count)
        var duplicateIndices: Set<Int> = []
        for (index, sample) in batch.samples.enumerated()
        where !identities.insert(batch.seriesIdentity(of: sample)).inserted {
            duplicateIndices.insert(index)
        }
        if !duplicateIndices.isEmpty { batch = batch.filteringSamples { !duplicateIndices.contains($0) } }
        let sources = batch.samples.map { Int32($0.value) }
        batch.copySampleValues(from: parsed, sources: sources)
        return Worked(
            series: batch, sources: sources, identities: identities, duplicates: duplicateIndices.count,
            enrichment: enrichment)
    }

    /// A result with the target's synthetic series worked out from its parts.
    private func result(
        series: MetricBatch, failure: ScrapeFailure?, timestamp: Int64, duration: Double, scraped: Int, added: Int,
        stale: MetricBatch, issues: ParseIssues, duplicates: Int, enrichment: Enricher.Outcome = Enricher.Outcome(),
        seriesVersion: UInt64 = 0
    ) -> ScrapeResult {
        ScrapeResult(
            target: target,
            timestamp: timestamp,
            series: series,
            scrapeMetrics: ScrapeMetrics(
                up: failure == nil, durationSeconds: duration, samplesScraped: scraped,
                samplesPostRelabeling: series.samples.count, seriesAdded: added
            ).batch(labels: target.targetLabels),
            stale: stale,
            failure: failure,
            parseIssues: issues,
            duplicates: duplicates,
            enrichment: enrichment,
            seriesVersion: seriesVersion)
    }

    /// Records a failed scrape: `up` 0 and staleness markers for every series of the last success.
    /// `samplesScraped` is what the body held when it was read but refused (a parse error, a limit).
    public mutating func fail(
        _ failure: ScrapeFailure, timestamp: Int64, duration: Double, samplesScraped: Int = 0
    ) -> ScrapeResult {
        let stale = staleSeries(keeping: [], symbols: previous?.symbols ?? SymbolTable(capacity: 1))
        previous = nil
        previousIdentities = []
        reuse = nil
        return result(
            series: MetricBatch(), failure: failure, timestamp: timestamp, duration: duration,
            scraped: samplesScraped, added: 0, stale: stale, issues: ParseIssues(), duplicates: 0)
    }

    /// Gives the previous scrape back the (grown) table it lent to a scrape that then failed.
    private mutating func returnTable(_ symbols: SymbolTable) {
        guard var last = previous else { return }
        last.symbols = symbols
        previous = last
    }

    /// Staleness markers for everything the target last exposed, when it is removed.
    public mutating func removed() -> MetricBatch {
        let stale = staleSeries(keeping: [], symbols: previous?.symbols ?? SymbolTable(capacity: 1))
        previous = nil
        previousIdentities = []
        reuse = nil
        return stale
    }

    /// The previous scrape's series whose identity is not in `current`, valued as stale, over
    /// `symbols` (a table in which the previous scrape's symbols are valid).
    private func staleSeries(keeping current: Set<UInt64>, symbols: SymbolTable) -> MetricBatch {
        var stale = MetricBatch(symbols: symbols)
        guard var last = previous else { return stale }
        last.symbols = symbols
        var lastName: Symbol?
        for sample in last.samples where !current.contains(last.seriesIdentity(of: sample)) {
            if sample.name != lastName {
                stale.beginFamily(name: sample.name, type: nil, help: nil, unit: nil)
                lastName = sample.name
            }
            stale.appendCopy(of: sample, from: last, value: .staleMarker)
        }
        return stale
    }
}
