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

    /// A queue for `endpoint` sending through `client`.
    public init(
        endpoint: RemoteWriteEndpoint, config: QueueConfig = QueueConfig(), client: HTTPClient, userAgent: String,
        logger: Logger
    ) {
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
        return copy
    }

    /// Queues every series of `batch`; returns at once.
    public func enqueue(_ batch: RemoteWriteBatch) {
        guard !batch.isEmpty else { return }
        var perShard = [[Int]](repeating: [], count: shards.count)
        for index in 0..<batch.count { perShard[Int(batch.hash(of: index) % UInt64(shards.count))].append(index) }
        var dropped = 0
        let now = ContinuousClock.now
        for (shardIndex, indices) in perShard.enumerated() where !indices.isEmpty {
            dropped += shards[shardIndex].withLock { shard -> Int in
                if shard.firstArrival == nil { shard.firstArrival = now }
                for index in indices { shard.pending.append(index, of: batch) }
                let excess = shard.pending.count - config.capacity
                guard excess > 0 else { return 0 }
                // Keep the newest: a dashboard wants the present, and the spool takes over outages.
                var kept = RemoteWriteBatch()
                for index in excess..<shard.pending.count { kept.append(index, of: shard.pending) }
                shard.pending = kept
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
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            guard let batch = takeReady(index) else {
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            await deliver(batch)
        }
        // Shutting down: one last attempt for what is left (the spool will keep it otherwise).
        let rest = shards[index].withLock { shard -> RemoteWriteBatch in
            defer { shard = Shard() }
            return shard.pending
        }
        if !rest.isEmpty { _ = await attempt(rest) }
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
            let take = min(config.maxSamplesPerSend, shard.pending.count)
            var batch = RemoteWriteBatch()
            var rest = RemoteWriteBatch()
            for series in 0..<shard.pending.count {
                if series < take {
                    batch.append(series, of: shard.pending)
                } else {
                    rest.append(series, of: shard.pending)
                }
            }
            shard.pending = rest
            shard.firstArrival = rest.isEmpty ? nil : now
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
        let body = batch.encoded()
        let outcome = await client.send(body)
        switch outcome {
        case .sent:
            counters.withLock { counters in
                counters.samplesSent += batch.count
                counters.bytesSent += body.count
                counters.highestSentTimestamp = max(counters.highestSentTimestamp, batch.newestTimestamp ?? 0)
            }
        case .drop(let reason):
            counters.withLock { $0.samplesFailed += batch.count }
            logger.warning(
                "remote write refused a batch; dropped",
                metadata: [
                    "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                    "remote_write.samples": .stringConvertible(batch.count),
                    "remote_write.reason": .string(String(reason.prefix(300))),
                ])
        case .retry:
            break
        }
        return outcome
    }
}
