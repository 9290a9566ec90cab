import BridgeCore
import BridgeScrape
import BridgeServer
import Synchronization

/// Delivers scrape results to `/metrics` (the latest enriched series and scrape metrics of every
/// target), to the telemetry, and to readiness once every target of the first set has reported.
final class SnapshotSink: ScrapeSink {
    private let snapshot: ExpositionSnapshot
    private let telemetry: Telemetry
    private let readiness: Readiness
    private let firstRound = Mutex<Set<String>?>(nil)

    init(snapshot: ExpositionSnapshot, telemetry: Telemetry, readiness: Readiness) {
        self.snapshot = snapshot
        self.telemetry = telemetry
        self.readiness = readiness
    }

    /// The first non-empty target set: readiness waits for each of them to report once.
    func expect(_ targets: [ScrapeTarget]) {
        firstRound.withLock { pending in
            if pending == nil && !targets.isEmpty { pending = Set(targets.map(\.id)) }
        }
    }

    func deliver(_ result: ScrapeResult) async {
        snapshot.update(
            result.target.id, batches: [result.series, result.scrapeMetrics], timestamp: result.timestamp,
            interval: result.target.interval)
        telemetry.recordScrape(job: result.target.job, up: result.up, enrichment: result.enrichment)
        let done = firstRound.withLock { pending -> Bool in
            guard pending != nil else { return false }
            pending!.remove(result.target.id)
            return pending!.isEmpty
        }
        if done { readiness.mark(Bridge.firstScrapeRound) }
    }

    func remove(_ target: ScrapeTarget, stale: MetricBatch) async {
        snapshot.remove(target.id)
        _ = firstRound.withLock { $0?.remove(target.id) }
    }
}
