import BridgeCore
import BridgeHTTP
import Logging
import ServiceLifecycle
import Synchronization

/// Sends everything enqueued to one endpoint: series are spread over shards by their hash (so one
/// series' samples stay in order), each shard sends batches of up to `max_samples_per_send` once
/// full or after `batch_send_deadline`, and retries with exponential backoff by the rules of
/// ``RemoteWriteClient``.
///
/// A shard holds at most `capacity` samples. Enqueueing more waits for room while the shard's
/// sender keeps taking batches, so one large scrape (kube-state-metrics of a big cluster alone can
/// be many times `capacity`) is paced by a healthy receiver instead of overflowing; this is the
/// backpressure Prometheus' shards give its WAL reader. While the shard is behind (its last
/// attempt is being retried, or its batches wait in the spool) or its sender has taken nothing
/// for `remote_timeout`, waiting stops: with a spool the oldest in memory go to disk, without one
/// they are dropped, counted and logged; either way the scrape goes on.
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
        /// Samples of spooled batches dropped unsent because they failed their checksum.
        public var samplesDroppedSpoolCorrupt = 0
        /// Bytes of request bodies in the spool.
        public var spoolBytes = 0
        /// When the oldest spooled batch was written, in milliseconds; 0 when the spool is empty.
        public var spoolOldest: Int64 = 0
        /// How long each request took, answered or not (a timeout counts at its length).
        public var requestDurations = DurationHistogram()

        /// All zero.
        public init() {}
    }

    private struct Shard {
        var pending = PendingSeries()
        var firstArrival: ContinuousClock.Instant?
        /// When the sender last took a batch out of `pending`: a recent take means it keeps up,
        /// and an enqueuer waits for room rather than dropping.
        var lastTake = ContinuousClock.now
        /// The receiver is not taking this shard's batches now: the last attempt is being retried,
        /// or batches wait in the spool (set under the lock with the spool's state, so that
        /// enqueuers only spool behind what is already there).
        var behind = false
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
    /// Per shard: signalled when samples arrive (the sender waits on it).
    private let arrivals: [Wakeup]
    /// Per shard: signalled when room appears or the shard falls behind (enqueuers wait on it).
    private let departures: [Wakeup]
    private let counters = Mutex(Counters())
    /// One line per refusal reason (or full spool) a minute, with the count left out.
    private let lines = LogThrottle(interval: .seconds(60))
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
        shards = (0..<config.shardCount).map { _ in LockedShard() }
        arrivals = shards.map { _ in Wakeup() }
        departures = shards.map { _ in Wakeup() }
    }

    /// The counters so far.
    public var snapshot: Counters {
        var copy = counters.withLock { $0 }
        copy.pending = shards.reduce(0) { total, shard in total + shard.withLock { $0.pending.count } }
        if let spool, let usage = try? spool.usage() {
            copy.spoolBytes = usage.bytes
            copy.spoolOldest = usage.oldest ?? 0
            copy.samplesDroppedSpoolFull = spool.evictions.samples
            copy.samplesDroppedSpoolCorrupt = spool.corruptions.samples
        }
        return copy
    }

    /// Queues every series of `batch`, waiting for room while the senders keep up.
    public func enqueue(_ batch: RemoteWriteBatch) async {
        guard !batch.isEmpty else { return }
        var perShard = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: shards.count)
        for index in 0..<batch.count {
            perShard[Int(batch.hash(of: index) % UInt64(shards.count))].append(index, of: batch)
        }
        await enqueue(sharded: perShard)
    }

    /// How many parts ``enqueue(sharded:)`` expects: one per shard.
    public var shardCount: Int { shards.count }

    /// Queues batches already split by shard (``RemoteWriteBatch/append(_:extraLabels:timestamp:sharding:)``
    /// with ``shardCount`` destinations), each whole: a part that does not fit waits for room while
    /// its shard's sender keeps up, and otherwise moves the shard's oldest to the spool or drops them.
    public func enqueue(sharded parts: [RemoteWriteBatch]) async {
        await enqueue(parts: parts.map { .written($0) })
    }

    /// Queues samples of encoded series already split by shard (``EncodedSeries/queued(_:values:timestamp:shards:)``
    /// with ``shardCount`` shards), as batches in wire form are: their series are written
    /// into a request only when it is taken.
    public func enqueue(sharded parts: [QueuedSamples]) async {
        await enqueue(parts: parts.map { .queued($0) })
    }

    private func enqueue(parts: [PendingSeries.Part]) async {
        precondition(parts.count == shards.count, "\(parts.count) parts for \(shards.count) shards")
        var dropped = 0
        for (shardIndex, part) in parts.enumerated() where part.count > 0 {
            // Series of `part` from `next` on are still to be queued.
            var next = 0
            while next < part.count {
                let seen = departures[shardIndex].generation
                let now = ContinuousClock.now
                let cancelled = Task.isCancelled
                var patience = Duration.zero
                var wakeSender = false
                dropped += shards[shardIndex].withLock { shard -> Int in
                    // The sender needs waking only to start its deadline (it idles while the
                    // shard is empty) or to send a full request at once; otherwise its wait
                    // already ends at the oldest sample's deadline.
                    let before = shard.pending.count
                    defer {
                        let ready = config.maxSamplesPerSend
                        wakeSender = before == 0 || (before < ready && shard.pending.count >= ready)
                    }
                    if shard.pending.isEmpty {
                        // Nothing was waiting, so the sender is not late: its clock starts now.
                        shard.firstArrival = now
                        shard.lastTake = now
                    }
                    let room = config.capacity - shard.pending.count
                    let rest = part.count - next
                    if room < rest && shard.behind && spool != nil {
                        // Behind the spool: the oldest in memory follow the spooled batches to disk.
                        shard.pending.append(part, range: next..<part.count)
                        next = part.count
                        while shard.pending.count > config.capacity {
                            spoolBatch(shard.pending.removeFirst(config.maxSamplesPerSend), shard: shardIndex)
                        }
                        return 0
                    }
                    if rest <= room {
                        shard.pending.append(part, range: next..<part.count)
                        next = part.count
                        return 0
                    }
                    if room > 0 {
                        shard.pending.append(part, range: next..<(next + room))
                        next += room
                    }
                    patience = shard.lastTake + endpoint.timeout - now
                    guard shard.behind || patience <= .zero || cancelled else { return 0 }
                    // No room will come soon: keep the newest, since a dashboard wants the present.
                    shard.pending.append(part, range: next..<part.count)
                    next = part.count
                    return shard.pending.dropFirst(shard.pending.count - config.capacity)
                }
                if wakeSender { arrivals[shardIndex].signal() }
                if next < part.count { await departures[shardIndex].wait(after: seen, timeout: patience) }
            }
        }
        if dropped > 0 { recordDrop(dropped) }
    }

    private func recordDrop(_ dropped: Int) {
        counters.withLock { $0.samplesDropped += dropped }
        let time = ContinuousClock.now
        let shouldLog = lastDropLog.withLock { last -> Bool in
            guard last.map({ time - $0 > .seconds(60) }) ?? true else { return false }
            last = time
            return true
        }
        guard shouldLog else { return }
        logger.error(
            "remote write queue full while its receiver is away, oldest samples dropped",
            metadata: [
                "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                "remote_write.dropped": .stringConvertible(dropped),
                "remote_write.capacity": .stringConvertible(config.capacity),
            ])
    }

    /// Runs one sender per shard until shutdown; on shutdown each shard tries once more to send
    /// what it holds.
    ///
    /// Each sender runs on an event loop of the write client (``BridgeHTTP/HTTPLoop``) and waits on
    /// its clock: taking a request, compressing it, sending it and handling the answer then happen
    /// on that loop's thread. On the cooperative pool, with the global executor's timers, a request
    /// woke about a dozen threads in turn (docs/performance.md, "Where the time goes").
    public func run() async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for index in shards.indices {
                    let loop = client.client.loop(for: UInt64(index))
                    group.addTask(executorPreference: loop.executor) { await self.runShard(index, clock: loop.clock) }
                }
            }
        } onGracefulShutdown: {
            for arrival in self.arrivals { arrival.signal() }
        }
    }

    private func runShard(_ index: Int, clock: HTTPLoopClock) async {
        var backoff = config.minBackoff
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if let spool, behindSpool(index) {
                let entry: RemoteWriteSpool.Entry?
                let corruptBefore = spool.corruptions.batches
                do {
                    entry = try spool.oldest(shard: index, of: shards.count)
                } catch {
                    // A spool that cannot be read is retried after a backoff, not in a busy loop.
                    logSpoolProblem("remote write spool unreadable; retrying", error: "\(error)")
                    await Wakeup.sleep(for: backoff, on: clock)
                    backoff = min(backoff * 2, config.maxBackoff)
                    continue
                }
                if spool.corruptions.batches > corruptBefore {
                    logSpoolProblem(
                        "remote write spool batch failed its checksum; dropped unsent",
                        error: "\(spool.corruptions.batches - corruptBefore) batches")
                }
                guard let entry else { continue }
                switch await attempt(body: entry.body, samples: entry.samples, newest: entry.spooledAt) {
                case .sent, .drop:
                    try? spool.remove(entry.id)
                    backoff = config.minBackoff
                case .retry(let after, _):
                    counters.withLock { $0.samplesRetried += entry.samples }
                    await Wakeup.sleep(for: max(after ?? backoff, backoff), on: clock)
                    backoff = min(backoff * 2, config.maxBackoff)
                }
                continue
            }
            let seen = arrivals[index].generation
            guard let batch = takeReady(index) else {
                // Until the oldest waiting sample's deadline, or the next arrival.
                await arrivals[index].wait(after: seen, timeout: timeUntilDeadline(index), clock: clock)
                continue
            }
            if spool != nil {
                // One attempt; a retryable failure moves the batch to disk, where the loop above retries it.
                if case .retry = await attempt(batch) {
                    counters.withLock { $0.samplesRetried += batch.count }
                    spoolBatch(batch, shard: index)
                }
            } else {
                await deliver(batch, shard: index, clock: clock)
            }
        }
        let rest = shards[index].withLock { shard -> RemoteWriteBatch in
            defer { shard = Shard() }
            return shard.pending.removeFirst(shard.pending.count)
        }
        guard !rest.isEmpty else { return }
        if spool != nil {
            // Shutting down: what is in memory goes to disk and is sent after the restart.
            spoolBatch(rest, shard: index)
        } else {
            _ = await attempt(rest)
        }
    }

    /// Whether the shard has batches in the spool; if so, its ready batches join them there (new
    /// batches queue up on disk after the spooled ones, keeping series order). Checked and moved
    /// under the shard's lock, so that an enqueuer spooling at the same time cannot get between.
    private func behindSpool(_ index: Int) -> Bool {
        guard let spool else { return false }
        let now = ContinuousClock.now
        let behind = shards[index].withLock { shard -> Bool in
            shard.behind = (try? spool.hasBatches(shard: index, of: shards.count)) == true
            guard shard.behind else { return false }
            while var taken = Self.takeReady(&shard, now: now, config: config) {
                spoolBatch(taken.batch(), shard: index)
            }
            return true
        }
        if behind { departures[index].signal() }
        return behind
    }

    /// One error line per kind of spool problem a minute, with the count left out.
    private func logSpoolProblem(_ message: Logger.Message, error: String) {
        guard let spool, let suppressed = lines.admit("spool \(message)") else { return }
        logger.error(
            message,
            metadata: [
                "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                "remote_write.spool": .string(spool.path), "remote_write.error": .string(error),
                "remote_write.suppressed": .stringConvertible(suppressed),
            ])
    }

    private func spoolBatch(_ batch: RemoteWriteBatch, shard: Int) {
        guard let spool else { return }
        do {
            let before = spool.evictions.samples
            try spool.append(
                shard: shard, body: batch.encoded(), samples: batch.count, at: batch.newestTimestamp ?? 0)
            let evicted = spool.evictions.samples - before
            if evicted > 0, let suppressed = lines.admit("spool full") {
                logger.error(
                    "remote write spool full, oldest batches deleted",
                    metadata: [
                        "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                        "remote_write.spool": .string(spool.path), "remote_write.dropped": .stringConvertible(evicted),
                        "remote_write.max_disk_bytes": .stringConvertible(spool.maxDiskBytes),
                        "remote_write.suppressed": .stringConvertible(suppressed),
                    ])
            }
        } catch {
            counters.withLock { $0.samplesDropped += batch.count }
            logSpoolProblem("remote write spool failed; batch dropped", error: "\(error)")
        }
    }

    /// Up to `max_samples_per_send` series once the shard has that many or its oldest waited for
    /// the deadline; enqueuers waiting for room are woken.
    private func takeReady(_ index: Int) -> RemoteWriteBatch? {
        let now = ContinuousClock.now
        // Taken as ranges under the lock, written into the request after it, so that enqueuers
        // (the scrapes) do not wait while a request's series are written.
        guard var taken = shards[index].withLock({ Self.takeReady(&$0, now: now, config: config) }) else { return nil }
        departures[index].signal()
        return taken.batch()
    }

    /// How long until the shard's oldest sample reaches `batch_send_deadline`; with nothing
    /// waiting, a second (a safety net: arrivals wake the sender).
    private func timeUntilDeadline(_ index: Int) -> Duration {
        let first = shards[index].withLock { $0.pending.isEmpty ? nil : $0.firstArrival }
        guard let first else { return .seconds(1) }
        return max(.milliseconds(1), first + config.batchSendDeadline - .now)
    }

    private static func takeReady(_ shard: inout Shard, now: ContinuousClock.Instant, config: QueueConfig)
        -> PendingSeries?
    {
        guard let first = shard.firstArrival, !shard.pending.isEmpty else { return nil }
        guard shard.pending.count >= config.maxSamplesPerSend || now - first >= config.batchSendDeadline else {
            return nil
        }
        let batch = shard.pending.takeFirst(config.maxSamplesPerSend)
        shard.firstArrival = shard.pending.isEmpty ? nil : now
        shard.lastTake = now
        return batch
    }

    /// Sends `batch` until it is accepted or refused, backing off between retryable failures.
    /// While it retries, the shard is behind: enqueuers stop waiting for room.
    private func deliver(_ batch: RemoteWriteBatch, shard index: Int, clock: HTTPLoopClock) async {
        var backoff = config.minBackoff
        defer { shards[index].withLock { $0.behind = false } }
        while !Task.isCancelled {
            switch await attempt(batch) {
            case .sent, .drop:
                return
            case .retry(let after, _):
                shards[index].withLock { $0.behind = true }
                departures[index].signal()
                counters.withLock { $0.samplesRetried += batch.count }
                await Wakeup.sleep(for: max(after ?? backoff, backoff), on: clock)
                backoff = min(backoff * 2, config.maxBackoff)
            }
        }
    }

    private func attempt(_ batch: RemoteWriteBatch) async -> RemoteWriteClient.Outcome {
        await attempt(body: batch.encoded(), samples: batch.count, newest: batch.newestTimestamp ?? 0)
    }

    private func attempt(body: [UInt8], samples: Int, newest: Int64) async -> RemoteWriteClient.Outcome {
        let started = ContinuousClock.now
        let outcome = await client.send(body)
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        counters.withLock { $0.requestDurations.observe(seconds) }
        switch outcome {
        case .sent:
            counters.withLock { counters in
                counters.samplesSent += samples
                counters.bytesSent += body.count
                counters.highestSentTimestamp = max(counters.highestSentTimestamp, newest)
            }
        case .drop(let reason):
            counters.withLock { $0.samplesFailed += samples }
            // One line per kind of refusal (its status) a minute: a receiver refusing every batch
            // would otherwise write a line per request.
            if let suppressed = lines.admit(String(reason.prefix { $0 != ":" })) {
                logger.warning(
                    "remote write refused a batch; dropped",
                    metadata: [
                        "remote_write.url": .string(RedactedURL.string(endpoint.url)),
                        "remote_write.samples": .stringConvertible(samples),
                        "remote_write.reason": .string(reason),
                        "remote_write.suppressed": .stringConvertible(suppressed),
                    ])
            }
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
