import BridgeCore
import BridgeHTTP
import BridgeTopology
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Sends the cluster to the StackState receiver as the StackState agent does
/// (reference/stackstate-receiver.md): topology snapshots and health every topology interval,
/// Kubernetes events as they happen, and the enriched metrics to `/api/v1/series` every metrics
/// interval — through one bounded retry queue, one post at a time, oldest first.
///
/// Answers follow the agent's forwarder: 400, 404 and 413 drop the post with a log line quoting
/// the receiver; 403 drops it and reports the API key as invalid (once per topology interval);
/// 401, 429, 5xx and network errors keep it at the head of the queue and back off from 2 s to
/// 64 s (`2·2^errors`, randomised between half and all of that; each success takes two errors
/// off), while new posts queue behind it up to the queue's byte capacity.
public final class StackStateForwarder: ServiceLifecycle.Service, Sendable {
    /// Where the forwarder reads what it sends.
    public struct Sources: Sendable {
        /// The current topology, nil until the first sync completed.
        public var topology: @Sendable () -> Topology?
        /// Health of nodes, workloads and pods by URN.
        public var health: @Sendable () -> [(urn: String, health: Health)]
        /// The latest enriched batches with their scrape time (ms).
        public var series: @Sendable () -> [(batch: MetricBatch, timestamp: Int64)]
        /// Events that happened since the last call.
        public var events: @Sendable () -> [KubernetesEvent]
        /// Whether this replica forwards (it leads); a standby produces nothing and drops events.
        public var active: @Sendable () -> Bool
        /// Signalled when ``active`` may have changed (a leadership change); nil when it never does.
        public var activity: Wakeup?
        /// The node agents' latest process reports, for `processes: agent-protocol`.
        public var processReports: @Sendable () -> [ProcessReport]

        /// Sources from closures.
        public init(
            topology: @escaping @Sendable () -> Topology?,
            health: @escaping @Sendable () -> [(urn: String, health: Health)],
            series: @escaping @Sendable () -> [(batch: MetricBatch, timestamp: Int64)],
            events: @escaping @Sendable () -> [KubernetesEvent],
            active: @escaping @Sendable () -> Bool = { true }, activity: Wakeup? = nil,
            processReports: @escaping @Sendable () -> [ProcessReport] = { [] }
        ) {
            self.processReports = processReports
            self.active = active
            self.activity = activity
            self.topology = topology
            self.health = health
            self.series = series
            self.events = events
        }
    }

    /// Counters for the telemetry.
    public struct Counters: Sendable {
        /// Posts by kind and outcome (`sent`, `dropped`, `retried`).
        public var posts: [PayloadKind: [String: Int]] = [:]
        /// Topology and health snapshots by how they ended: `completed` (the receiver accepted
        /// every chunk) or `abandoned` (given up partway).
        public var snapshots: [PayloadKind: [String: Int]] = [:]
        /// Things in accepted posts by kind: topology elements, check states, events, series.
        public var itemsSent: [PayloadKind: Int] = [:]
        /// Seconds since the epoch of the last accepted post; 0 before the first.
        public var lastSuccess = 0.0
        /// 1 after an accepted post, 0 after a 403, -1 before either.
        public var apiKeyValid = -1
    }

    /// The settings.
    public let settings: ForwarderSettings
    /// The queue.
    public let queue: IntakeQueue
    let cluster: String
    let hostname: String
    let options: EnrichmentOptions
    let sources: Sources
    let client: StackStateClient
    let logger: Logger
    private let counters = Mutex(Counters())
    private let pacing: Mutex<SnapshotPacing>
    /// Signalled when the receiver answered a snapshot chunk, for the producer making the next.
    private let snapshotProgress = Wakeup()
    private let lastKeyWarning = Mutex<ContinuousClock.Instant?>(nil)
    /// One line per kind of post and failure a minute, with the count left out.
    private let lines = LogThrottle(interval: .seconds(60))

    /// A forwarder for `cluster`, reading `sources`; series tags use `options`' label names.
    public init(
        settings: ForwarderSettings, cluster: String, options: EnrichmentOptions, sources: Sources, client: HTTPClient,
        userAgent: String, logger: Logger
    ) {
        self.settings = settings
        self.cluster = cluster
        // The agent chart sets `<node>-<cluster>`; a cluster-wide bridge has no node of its own.
        hostname = "stackbridge-\(cluster)"
        self.options = options
        self.sources = sources
        self.client = StackStateClient(endpoint: settings.endpoint, client: client, userAgent: userAgent)
        self.logger = logger
        queue = IntakeQueue(capacityBytes: settings.queueBytes)
        pacing = Mutex(
            SnapshotPacing(topologySnapshots: TopologySnapshots(clusterName: cluster, capacity: settings.batchCapacity))
        )
    }

    /// The counters now.
    public var snapshot: Counters { counters.withLock { $0 } }

    /// Produces and sends until shutdown.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.produce() }
            group.addTask { await self.send() }
        }
    }

    // MARK: Producing

    /// Enqueues each kind of payload when its interval is due, and sleeps until the next one is
    /// (or leadership changes, or the receiver answered a snapshot chunk) rather than looking every
    /// so often: the intervals in ``ForwarderSettings`` are the only times. A snapshot due while the
    /// last is still under way starts when that one ends. A standby wakes to drop the events it
    /// would not send, once an events interval, and when it may have become leader.
    private func produce() async {
        let clock = ContinuousClock()
        var nextTopology = clock.now
        var nextMetrics = clock.now + settings.metricsInterval
        var nextEvents = clock.now
        var nextProcesses = clock.now + settings.processesInterval
        var processGroup: Int32 = 0
        let sendsProcesses = settings.processes == .agentProtocol
        var wasActive = true
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let seen = sources.activity?.generation ?? 0
            let progress = snapshotProgress.generation
            let now = clock.now
            guard sources.active() else {
                // The leader forwards these events; a standby only keeps its queue from growing,
                // and leaves the snapshot it was sending to the new leader's.
                _ = sources.events()
                abandonSnapshots()
                wasActive = false
                await waitForActivity(after: seen, atMost: settings.eventsInterval)
                continue
            }
            if !wasActive {
                // A new leader sends the topology at once rather than leaving it a whole interval old.
                (nextTopology, nextMetrics, wasActive) = (now, now + settings.metricsInterval, true)
            }
            let snapshotting = settings.topology || settings.health
            if snapshotting, now >= nextTopology, !pacing.withLock({ $0.isBusy }) {
                // Until the first sync there is nothing to send; look again soon.
                nextTopology = now + (startSnapshots() ? settings.topologyInterval : settings.topologyNotReadyRetry)
            }
            feedSnapshots()
            if now >= nextEvents {
                if settings.events { enqueueEvents() }
                nextEvents = now + settings.eventsInterval
            }
            if now >= nextMetrics {
                if settings.metrics { enqueueMetrics() }
                nextMetrics = now + settings.metricsInterval
            }
            if sendsProcesses, now >= nextProcesses {
                processGroup &+= 1
                enqueueProcessAgentMessages(group: processGroup)
                nextProcesses = now + settings.processesInterval
            }
            var next = min(nextEvents, nextMetrics)
            // While a snapshot is under way, the receiver's answers to it wake the loop instead.
            if snapshotting, !pacing.withLock({ $0.isBusy }) { next = min(next, nextTopology) }
            if sendsProcesses { next = min(next, nextProcesses) }
            // Losing the lead ends the wait too, so that a standby stops sending at once.
            await waitForActivity(after: seen, progress: progress, atMost: max(.zero, next - clock.now))
        }
    }

    /// Waits `atMost`, or until ``Sources/activity`` signals after `seen` or the receiver answered
    /// a snapshot chunk after `progress`, or a graceful shutdown.
    private func waitForActivity(after seen: UInt64, progress: UInt64? = nil, atMost timeout: Duration) async {
        var wakeups: [(Wakeup, UInt64)] = progress.map { [(snapshotProgress, $0)] } ?? []
        if let activity = sources.activity { wakeups.append((activity, seen)) }
        _ = await cancelWhenGracefulShutdown { [wakeups] in
            await Wakeup.waitForAny(wakeups, timeout: timeout)
        }
    }

    /// Starts one topology snapshot and one health snapshot, whose chunks ``feedSnapshots()``
    /// then queues as the receiver takes them; false when there is no topology yet.
    func startSnapshots() -> Bool {
        guard let topology = sources.topology() else { return false }
        // Made outside the lock (sorting a million URNs takes seconds); none is under way, so the
        // record of the last snapshot cannot change meanwhile.
        var started: [SnapshotPacing.Chunks] = []
        if settings.topology {
            // With the process agent's messages, the receiver builds processes from those.
            let snapshots = pacing.withLock { $0.topologySnapshots }
            let snapshot = snapshots.begin(
                topology, hostname: hostname, leavingOutProcesses: settings.processes == .agentProtocol)
            started.append(.topology(snapshot))
        }
        if settings.health {
            let snapshot = HealthSnapshot(
                sources.health(), cluster: cluster, repeatInterval: settings.topologyInterval,
                capacity: settings.batchCapacity)
            started.append(.health(snapshot, hostname: hostname))
        }
        pacing.withLock { pacing in
            for chunks in started { pacing.start(chunks) }
        }
        return true
    }

    /// Queues the next chunks of the snapshots under way, up to ``SnapshotPacing/window`` of each
    /// in the queue. A chunk is made outside the lock (encoding 10,000 elements takes a while) from
    /// a copy of its snapshot, and kept only if the snapshot was not given up meanwhile.
    func feedSnapshots() {
        for kind in [PayloadKind.topology, .health] {
            while let (id, chunks) = pacing.withLock({ $0.wantsChunk(kind) }) {
                var advanced = chunks
                guard let (payload, elements, last) = advanced.nextPayload(),
                    let body = encode(payload, kind: kind)
                else {
                    // Cannot happen short of a broken encoder; a snapshot that cannot go on is given up.
                    if pacing.withLock({ $0.abandon(kind, id: id, queue: queue) }) != nil { count(kind, "abandoned") }
                    break
                }
                let post = PendingPost(kind: kind, path: "/intake/", body: body, items: elements, snapshot: id)
                let kept = pacing.withLock { pacing in
                    guard pacing.advance(kind, id: id, to: advanced, last: last) else { return false }
                    push(post)
                    return true
                }
                if !kept { break }
            }
        }
    }

    /// Counts a snapshot of `kind` that ended with `result` (`completed` or `abandoned`).
    private func count(_ kind: PayloadKind, _ result: String) {
        counters.withLock { $0.snapshots[kind, default: [:]][result, default: 0] += 1 }
    }

    /// Gives up the snapshots under way (this replica is a standby): their queued chunks go.
    private func abandonSnapshots() {
        let given = pacing.withLock { pacing in
            [PayloadKind.topology, .health].compactMap { kind in pacing.abandon(kind, queue: queue) }
        }
        for kind in given { count(kind, "abandoned") }
    }

    /// Notes the receiver's answer to a snapshot chunk: the last one accepted completes its
    /// snapshot; one refused for good gives the snapshot up, since the receiver would take the rest
    /// for the whole and delete what the refused chunk carried.
    private func settle(_ post: PendingPost, accepted: Bool) {
        guard let id = post.snapshot else { return }
        let outcome = pacing.withLock { pacing in
            accepted ? pacing.accepted(post.kind, id: id) : pacing.abandon(post.kind, id: id, queue: queue)
        }
        if let outcome {
            count(outcome, accepted ? "completed" : "abandoned")
            if !accepted {
                logger.error(
                    "stackstate snapshot given up after a refused chunk; the next one starts afresh",
                    metadata: ["stackstate.kind": "\(post.kind)"])
            }
        }
        // Room for the next chunk, or a snapshot over: either way the producer has work.
        snapshotProgress.signal()
    }

    /// Queues the events that happened since the last call, `eventsPerPost` per post.
    func enqueueEvents() {
        let events = sources.events()
        guard !events.isEmpty else { return }
        let categorizer = EventCategorizer(overrides: settings.eventCategories)
        let mapped = events.map { EventPayload($0, cluster: cluster, categorizer: categorizer) }
        for start in stride(from: 0, to: mapped.count, by: max(1, settings.eventsPerPost)) {
            var payload = IntakePayload(internalHostname: hostname)
            let part = Array(mapped[start..<min(mapped.count, start + settings.eventsPerPost)])
            payload.events = ["kubernetes": part]
            enqueue(.events, path: "/intake/", payload: payload, elements: part.count)
        }
    }

    /// Queues the latest enriched series.
    func enqueueMetrics() {
        var body = SeriesBody(cluster: cluster, options: options)
        for (batch, timestamp) in sources.series() { body.append(batch, timestamp: timestamp) }
        for (json, series) in body.finish() {
            push(PendingPost(kind: .metrics, path: "/api/v1/series", body: Gzip.compress(json), items: series))
        }
    }

    /// Queues every node's processes and connections as the process agent's messages, the
    /// messages of one round sharing `group` per node and type.
    func enqueueProcessAgentMessages(group: Int32) {
        let timestamp = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let interval = Int32(clamping: settings.processesInterval.components.seconds)
        for report in sources.processReports() {
            for message in ProcessAgentMessages.messages(
                of: report, cluster: cluster, intervalSeconds: interval, groupID: group, timestamp: timestamp)
            {
                push(
                    PendingPost(
                        kind: message.type == .collectorProc ? .processes : .connections, path: message.type.path,
                        body: message.body, items: message.items, processAgentHost: message.hostname))
            }
        }
    }

    private func enqueue(_ kind: PayloadKind, path: String, payload: IntakePayload, elements: Int) {
        guard let body = encode(payload, kind: kind) else { return }
        push(PendingPost(kind: kind, path: path, body: body, items: elements))
    }

    /// `payload` as gzip-compressed JSON; nil (logged) if it cannot be encoded.
    private func encode(_ payload: IntakePayload, kind: PayloadKind) -> [UInt8]? {
        guard let json = try? payload.json() else {
            logger.error("stackstate payload could not be encoded", metadata: ["stackstate.kind": "\(kind)"])
            return nil
        }
        return Gzip.compress(json)
    }

    private func push(_ post: PendingPost) {
        let evicted = queue.push(post)
        if evicted > 0 {
            logger.error(
                "stackstate queue full, oldest posts dropped",
                metadata: [
                    "stackstate.dropped_posts": .stringConvertible(evicted),
                    "stackstate.queue_bytes": .stringConvertible(settings.queueBytes),
                ])
        }
    }

    // MARK: Sending

    private func send() async {
        var errors = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let seen = queue.arrivals.generation
            guard let post = queue.front() else {
                // Until a post is queued (or shutdown): no polling of an empty queue.
                _ = await cancelWhenGracefulShutdown { [queue] in
                    await queue.arrivals.wait(after: seen, timeout: .seconds(3600))
                }
                continue
            }
            let outcome =
                if let host = post.processAgentHost {
                    await client.post(processAgentMessage: post.body, to: post.path, hostname: host)
                } else {
                    await client.post(gzipped: post.body, to: post.path)
                }
            switch outcome {
            case .sent:
                queue.remove(post)
                settle(post, accepted: true)
                errors = max(0, errors - 2)
                counters.withLock { counters in
                    counters.posts[post.kind, default: [:]]["sent", default: 0] += 1
                    counters.itemsSent[post.kind, default: 0] += post.items
                    counters.lastSuccess = Date().timeIntervalSince1970
                    counters.apiKeyValid = 1
                }
            case .drop(let reason):
                queue.remove(post)
                settle(post, accepted: false)
                let invalidKey = reason.hasPrefix("HTTP 403")
                counters.withLock { counters in
                    counters.posts[post.kind, default: [:]]["dropped", default: 0] += 1
                    if invalidKey { counters.apiKeyValid = 0 }
                }
                if invalidKey {
                    reportInvalidKey(reason)
                } else if let suppressed = lines.admit("\(post.kind) \(reason.prefix { $0 != ":" })") {
                    logger.error(
                        "stackstate receiver refused a post; dropped",
                        metadata: [
                            "stackstate.kind": "\(post.kind)", "stackstate.reason": .string(reason),
                            "stackstate.suppressed": .stringConvertible(suppressed),
                        ])
                }
            case .retry(let reason):
                errors += 1
                counters.withLock { $0.posts[post.kind, default: [:]]["retried", default: 0] += 1 }
                let delay = Self.backoff(errors: errors)
                if let suppressed = lines.admit("\(post.kind) retry \(reason)") {
                    logger.warning(
                        "stackstate post failed; retrying",
                        metadata: [
                            "stackstate.kind": "\(post.kind)", "stackstate.reason": .string(reason),
                            "stackstate.retry_in": .string("\(delay)"),
                            "stackstate.queued": .stringConvertible(queue.count),
                            "stackstate.suppressed": .stringConvertible(suppressed),
                        ])
                }
                // A graceful shutdown ends the backoff rather than waiting up to 64 s.
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
        }
    }

    /// The agent's endpoint backoff: `2·2^(errors-1)` s capped at 64 s, randomised between half and
    /// all of it so that many bridges do not retry in step.
    static func backoff(errors: Int, random: Double = Double.random(in: 0.5...1)) -> Duration {
        let full = min(64.0, 2.0 * pow(2.0, Double(max(0, errors - 1))))
        return .milliseconds(Int64(full * random * 1000))
    }

    /// A wrong key affects every post: one clear line per topology interval, not one per post.
    private func reportInvalidKey(_ reason: String) {
        let now = ContinuousClock.now
        let due = lastKeyWarning.withLock { last -> Bool in
            guard last.map({ now - $0 >= settings.topologyInterval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        logger.error(
            "stackstate receiver rejected the API key (HTTP 403); posts are dropped until the key is fixed",
            metadata: [
                "stackstate.url": .string(RedactedURL.string(settings.endpoint.url)),
                "stackstate.reason": .string(reason),
                "stackstate.hint": "check api_key_file or STS_API_KEY against the receiver's API key",
            ])
    }
}

extension StackStateForwarder: CustomStringConvertible {
    /// The name service lifecycle logs use; never the key.
    public var description: String { "StackStateForwarder(\(RedactedURL.string(settings.endpoint.url)))" }
}
