import BridgeCore
import BridgeHTTP
import Logging
import ServiceLifecycle
import Synchronization

/// Sends everything enqueued to one endpoint: series are spread over shards by their hash (so one
/// series' samples stay in order), each shard sends batches of up to `max_samples_per_send` once
/// full or after `batch_send_deadline`, and retries with exponential backoff by the rules of
/// ``RemoteWriteClient``. Enqueueing never blocks scraping: a shard over `capacity` drops its
/// oldest samples, counted and logged.
///
/// With a spool, a batch whose first attempt fails goes to disk, and while a shard has spooled
/// batches its new batches follow them there, so each series stays in order; the shard sends from
/// the spool, oldest first, with backoff, until it is empty. On shutdown what is in memory is
/// spooled. On SIGKILL during an outage at most the samples of one `batch_send_deadline` and the
/// batch being built are lost (docs/configuration.md, "Remote write").
public final class RemoteWriteQueue: ServiceLifecycle.Service, Sendable {
    /// Counters in Prometheus' remote-write vocabulary (docs/metrics.md).
    public struct Counters: Sendable, Hashable {
        /// Samples the receiver accepted.
        public var samplesSent = 0
        /// Samples the receiver refused for good (4xx).
        public var samplesFailed = 0
        /// Samples sent again after a retryable failure.
        public var samplesRetried = 0
        /// Samples dropped because a shard was full.
        public var samplesDropped = 0
        /// Compressed bytes accepted.
        public var bytesSent = 0
        /// The newest sample timestamp accepted, in milliseconds.
        public var highestSentTimestamp: Int64 = 0
        /// Samples waiting in memory.
        public var pending = 0
        /// Samples deleted from a full spool.
        public var samplesDroppedSpoolFull = 0
        /// Bytes of request bodies in the spool.
        public var spoolBytes = 0
        /// When the oldest spooled batch was written, in milliseconds; 0 when the spool is empty.
        public var spoolOldest: Int64 = 0

        /// All zero.
        public init() {}
    }

    private struct Shard {
        var pending = RemoteWriteBatch()
        var firstArrival: ContinuousClock.Instant?
    }

    /// One shard's state behind its own lock (a class, since `Mutex` cannot live in an array).
    private final class LockedShard: Sendable {
        let state = Mutex(Shard())

        func withLock<R>(_ body: (inout Shard) -> R) -> R { state.withLock { body(&$0) } }
    }

    /// The endpoint.
    public let endpoint: RemoteWriteEndpoint
    /// Its queue settings.
    public let config: QueueConfig
    private let client: RemoteWriteClient
    private let logger: Logger
    private let shards: [LockedShard]
    private let counters = Mutex(Counters())
    private let lastDropLog = Mutex<ContinuousClock.Instant?>(nil)
    /// Where batches wait while the receiver is away; nil keeps them in memory only.
    public let spool: RemoteWriteSpool?

    /// A queue for `endpoint` sending through `client`.
    public init(
        endpoint: RemoteWriteEndpoint, config: QueueConfig = QueueConfig(), client: HTTPClient, userAgent: String,
        logger: Logger, spool: RemoteWriteSpool? = nil
    ) {
        self.spool = spool
        self.endpoint = endpoint
        self.config = config
        self.client = RemoteWriteClient(endpoint: endpoint, client: client, userAgent: userAgent)
        self.logger = logger
        shards = (0..<max(1, config.maxShards)).map { _ in LockedShard() }
    }

    /// The counters so far.
    public var snapshot: Counters {
        var copy = counters.withLock { $0 }
        copy.pending = shards.reduce(0) { total, shard in total + shard.withLock { $0.pending.count } }
        if let spool, let usage = try? spool.usage() {
            copy.spoolBytes = usage.bytes
            copy.spoolOldest = usage.oldest ?? 0
            copy.samplesDroppedSpoolFull = spool.evictions.samples
        }
        return copy
    }

    /// Queues every series of `batch`; returns at once.
    public func enqueue(_ batch: RemoteWriteBatch) {
        guard !batch.isEmpty else { return }
        var perShard = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: shards.count)
        for index in 0..<batch.count {
            perShard[Int(batch.hash(of: index) % UInt64(shards.count))].append(index, of: batch)
        }
        enqueue(sharded: perShard)
    }

    /// How many parts ``enqueue(sharded:)`` expects: one per shard.
    public var shardCount: Int { shards.count }

    /// Queues batches already split by shard (``RemoteWriteBatch/append(_:extraLabels:timestamp:sharding:)``
    /// with ``shardCount`` destinations): each part is taken whole.
    public func enqueue(sharded parts: [RemoteWriteBatch]) {
        precondition(parts.count == shards.count, "\(parts.count) parts for \(shards.count) shards")
        var dropped = 0
        let now = ContinuousClock.now
        for (shardIndex, part) in parts.enumerated() where !part.isEmpty {
            dropped += shards[shardIndex].withLock { shard -> Int in
                if shard.firstArrival == nil { shard.firstArrival = now }
                shard.pending.append(contentsOf: part)
                let excess = shard.pending.count - config.capacity
                guard excess > 0 else { return 0 }
                // Keep the newest: a dashboard wants the present, and the spool takes over outages.
                _ = shard.pending.removeFirst(excess)
                return excess
            }
        }
        if dropped > 0 {
            counters.withLock { $0.samplesDropped += dropped }
            let time = ContinuousClock.now
            let shouldLog = lastDropLog.withLock { last -> Bool in
                guard last.map({ time - $0 > .seconds(60) }) ?? true else { return false }
                last = time
                return true
            }
            if shouldLog {
                logger.error(
                    "remote write queue full, oldest samples dropped",
                    metadata: [
                        "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                        "remote_write.dropped": .stringConvertible(dropped),
                        "remote_write.capacity": .stringConvertible(config.capacity),
                    ])
            }
        }
    }

    /// Runs one sender per shard until shutdown; on shutdown each shard tries once more to send
    /// what it holds.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for index in shards.indices {
                group.addTask { await self.runShard(index) }
            }
        }
    }

    private func runShard(_ index: Int) async {
        var backoff = config.minBackoff
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let spool, (try? spool.hasBatches(shard: index, of: shards.count)) == true {
                // Behind: new batches queue up on disk after the spooled ones, keeping series order.
                while let batch = takeReady(index) { spoolBatch(batch, shard: index) }
                guard let entry = try? spool.oldest(shard: index, of: shards.count) else { continue }
                switch await attempt(body: entry.body, samples: entry.samples, newest: entry.spooledAt) {
                case .sent, .drop:
                    try? spool.remove(entry.id)
                    backoff = config.minBackoff
                case .retry(let after, _):
                    counters.withLock { $0.samplesRetried += entry.samples }
                    try? await Task.sleep(for: max(after ?? backoff, backoff))
                    backoff = min(backoff * 2, config.maxBackoff)
                }
                continue
            }
            guard let batch = takeReady(index) else {
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            if spool != nil {
                // One attempt; a retryable failure moves the batch to disk, where the loop above retries it.
                if case .retry = await attempt(batch) {
                    counters.withLock { $0.samplesRetried += batch.count }
                    spoolBatch(batch, shard: index)
                }
            } else {
                await deliver(batch)
            }
        }
        let rest = shards[index].withLock { shard -> RemoteWriteBatch in
            defer { shard = Shard() }
            return shard.pending
        }
        guard !rest.isEmpty else { return }
        if spool != nil {
            // Shutting down: what is in memory goes to disk and is sent after the restart.
            spoolBatch(rest, shard: index)
        } else {
            _ = await attempt(rest)
        }
    }

    private func spoolBatch(_ batch: RemoteWriteBatch, shard: Int) {
        guard let spool else { return }
        do {
            let before = spool.evictions.samples
            try spool.append(
                shard: shard, body: batch.encoded(), samples: batch.count, at: batch.newestTimestamp ?? 0)
            let evicted = spool.evictions.samples - before
            if evicted > 0 {
                logger.error(
                    "remote write spool full, oldest batches deleted",
                    metadata: [
                        "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                        "remote_write.spool": .string(spool.path), "remote_write.dropped": .stringConvertible(evicted),
                        "remote_write.max_disk_bytes": .stringConvertible(spool.maxDiskBytes),
                    ])
            }
        } catch {
            counters.withLock { $0.samplesDropped += batch.count }
            logger.error(
                "remote write spool failed; batch dropped",
                metadata: [
                    "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                    "remote_write.spool": .string(spool.path), "remote_write.error": .string("\(error)"),
                ])
        }
    }

    /// Up to `max_samples_per_send` series once the shard has that many or its oldest waited for
    /// the deadline.
    private func takeReady(_ index: Int) -> RemoteWriteBatch? {
        let now = ContinuousClock.now
        return shards[index].withLock { shard -> RemoteWriteBatch? in
            guard let first = shard.firstArrival, !shard.pending.isEmpty else { return nil }
            guard shard.pending.count >= config.maxSamplesPerSend || now - first >= config.batchSendDeadline else {
                return nil
            }
            let batch = shard.pending.removeFirst(config.maxSamplesPerSend)
            shard.firstArrival = shard.pending.isEmpty ? nil : now
            return batch
        }
    }

    /// Sends `batch` until it is accepted or refused, backing off between retryable failures.
    private func deliver(_ batch: RemoteWriteBatch) async {
        var backoff = config.minBackoff
        while !Task.isCancelled {
            switch await attempt(batch) {
            case .sent, .drop:
                return
            case .retry(let after, _):
                counters.withLock { $0.samplesRetried += batch.count }
                try? await Task.sleep(for: max(after ?? backoff, backoff))
                backoff = min(backoff * 2, config.maxBackoff)
            }
        }
    }

    private func attempt(_ batch: RemoteWriteBatch) async -> RemoteWriteClient.Outcome {
        await attempt(body: batch.encoded(), samples: batch.count, newest: batch.newestTimestamp ?? 0)
    }

    private func attempt(body: [UInt8], samples: Int, newest: Int64) async -> RemoteWriteClient.Outcome {
        let outcome = await client.send(body)
        switch outcome {
        case .sent:
            counters.withLock { counters in
                counters.samplesSent += samples
                counters.bytesSent += body.count
                counters.highestSentTimestamp = max(counters.highestSentTimestamp, newest)
            }
        case .drop(let reason):
            counters.withLock { $0.samplesFailed += samples }
            logger.warning(
                "remote write refused a batch; dropped",
                metadata: [
                    "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                    "remote_write.samples": .stringConvertible(samples),
                    "remote_write.reason": .string(String(reason.prefix(300))),
                ])
        case .retry:
            break
        }
        return outcome
    }
}

extension RemoteWriteQueue: CustomStringConvertible {
    /// `RemoteWriteQueue(<url with secrets redacted>)`, the name service lifecycle logs use.
    public var description: String { "RemoteWriteQueue(\(RedactedURL.string(endpoint.url)))" }
}
