import BridgeCore
import BridgeKubernetes
import BridgeRemoteWrite
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
    private let destinations: [WriteDestination]
    private let leadership: Leadership
    /// Each target's last scraped series in remote-write form, with their series version: a scrape
    /// with the same series writes these again with its values instead of converting.
    private let encodings = Mutex<[String: (version: UInt64, series: [EncodedSeries])]>([:])
    /// The kube-state-metrics shard forwarded in `shard` mode: while the shards change, series that
    /// leave it moved to another shard, and get no staleness marker.
    private let shard: KubeStateMetricsShardReader?

    init(
        snapshot: ExpositionSnapshot, telemetry: Telemetry, readiness: Readiness, destinations: [WriteDestination],
        leadership: Leadership, shard: KubeStateMetricsShardReader? = nil
    ) {
        self.shard = shard
        self.destinations = destinations
        self.leadership = leadership
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

    /// No target is configured: readiness has no scrape round to wait for.
    func expectNothing() {
        let first = firstRound.withLock { pending -> Bool in
            guard pending == nil else { return false }
            pending = []
            return true
        }
        if first { readiness.mark(Bridge.firstScrapeRound) }
    }

    func deliver(_ result: ScrapeResult) async {
        snapshot.update(
            result.target.id, batches: [result.series, result.scrapeMetrics], timestamp: result.timestamp,
            interval: result.target.interval)
        telemetry.recordScrape(
            job: result.target.job, failureReason: result.failure?.reason, seconds: result.durationSeconds,
            duplicates: result.duplicates, enrichment: result.enrichment)
        // A failed scrape has no series to keep; the next success is encoded afresh.
        if result.seriesVersion == 0 { encodings.withLock { $0[result.target.id] = nil } }
        // A handover moves series to another shard's forwarder: no staleness marker for them.
        var handingOver = false
        if let shard, result.target.isShard {
            await shard.read()
            handingOver = shard.state.isHandingOver()
        }
        await forward(
            [
                (result.series, result.seriesVersion, false), (result.scrapeMetrics, 0, true),
                (handingOver ? MetricBatch() : result.stale, 0, false),
            ], of: result.target, timestamp: result.timestamp)
        let done = firstRound.withLock { pending -> Bool in
            guard pending != nil else { return false }
            pending!.remove(result.target.id)
            return pending!.isEmpty
        }
        if done { readiness.mark(Bridge.firstScrapeRound) }
    }

    /// Converts the batches once and queues them for every remote-write endpoint, with the `job`
    /// and `instance` a Prometheus scrape would give the series. Only the leader writes: two
    /// replicas writing the same series would interleave their samples at the receiver. Waits while
    /// a queue is full and its senders keep up, so a large scrape is paced by the receiver rather
    /// than dropped (``RemoteWriteQueue``).
    ///
    /// Batches are converted and queued a slice at a time; the queues hold references to the
    /// encoded series with each sample's value (``QueuedSamples``), and write a series' bytes only
    /// into the request that sends it. A batch with a series version (``ScrapeResult/seriesVersion``)
    /// keeps its encoded slices for the target's next scrape, which queues the same encoded series
    /// with its own values when its version is the same.
    private func forward(
        _ batches: [(MetricBatch, version: UInt64, ownSeries: Bool)], of target: ScrapeTarget, timestamp: Int64
    )
        async
    {
        guard !destinations.isEmpty, leadership.isLeader else {
            // A standby keeps nothing for a leadership it may never get.
            encodings.withLock { if !$0.isEmpty { $0.removeAll() } }
            return
        }
        let plain = destinations.filter { $0.relabeler.isEmpty }.map(\.queue)
        for (batch, version, ownSeries) in batches {
            let extra =
                ownSeries || !target.isShard
                ? [(name: "job", value: target.job), (name: "instance", value: target.instance)]
                : [(name: "job", value: target.job)]
            if !plain.isEmpty {
                await enqueue(batch, version: version, into: plain, of: target, extra: extra, timestamp: timestamp)
            }
            // Each endpoint with write_relabel_configs gets its own relabeled copy, converted
            // afresh: its series differ from the other endpoints' and from the last scrape's kept form.
            for destination in destinations where !destination.relabeler.isEmpty {
                var relabeled = batch
                destination.relabeler.apply(to: &relabeled, adding: extra.map { LabelPair($0.name, $0.value) })
                await enqueue(
                    relabeled, version: 0, into: [destination.queue], of: target, extra: extra, timestamp: timestamp)
            }
        }
    }

    /// Converts `batch` a slice at a time and queues it for `queues`, reusing (or keeping) the
    /// target's encoded series when the batch has a series version.
    private func enqueue(
        _ batch: MetricBatch, version: UInt64, into queues: [RemoteWriteQueue], of target: ScrapeTarget,
        extra: [(name: String, value: String)], timestamp: Int64
    ) async {
        let shardCounts = Set(queues.map(\.shardCount))
        let slices = stride(from: 0, to: batch.samples.count, by: Self.sliceSamples).map {
            $0..<min(batch.samples.count, $0 + Self.sliceSamples)
        }
        let kept =
            version == 0
            ? nil
            : encodings.withLock { encodings -> [EncodedSeries]? in
                if let kept = encodings[target.id], kept.version == version, kept.series.count == slices.count {
                    return kept.series
                }
                // Another version's series go before this one's are encoded beside them.
                encodings[target.id] = nil
                return nil
            }
        guard !batch.samples.isEmpty else { return }
        var converter = kept == nil ? SeriesConverter(batch, extraLabels: extra) : nil
        var encodedSlices: [EncodedSeries] = []
        for (number, slice) in slices.enumerated() {
            var encoded: EncodedSeries
            if let kept {
                encoded = kept[number]
            } else {
                // Each slice's series on their own, fitted before they are queued: the queue
                // holds them by reference until sent (QueuedSamples), so they must not grow after.
                encoded = EncodedSeries(first: slice.lowerBound)
                converter!.encode(slice, into: &encoded)
                encoded.shrinkToFit()
                encodedSlices.append(encoded)
            }
            // Split once per shard count (one for every queue with the default queue_config).
            var queued: [Int: [QueuedSamples]] = [:]
            for shardCount in shardCounts {
                queued[shardCount] = encoded.queued(slice, values: batch, timestamp: timestamp, shards: shardCount)
            }
            for queue in queues { await queue.enqueue(sharded: queued[queue.shardCount]!) }
        }
        if version != 0 && kept == nil {
            encodings.withLock { $0[target.id] = (version, encodedSlices) }
        }
    }

    /// Samples converted and queued at a time.
    static let sliceSamples = 8192

    func remove(_ target: ScrapeTarget, stale: MetricBatch) async {
        snapshot.remove(target.id)
        encodings.withLock { $0[target.id] = nil }
        await forward([(stale, 0, false)], of: target, timestamp: ScrapeClock.nowMilliseconds())
        _ = firstRound.withLock { $0?.remove(target.id) }
    }
}

/// A remote-write queue with the `write_relabel_configs` of its endpoint.
struct WriteDestination: Sendable {
    /// The endpoint's queue.
    let queue: RemoteWriteQueue
    /// Its rules; empty for most endpoints, which then share one conversion of each batch.
    let relabeler: Relabeler
}
