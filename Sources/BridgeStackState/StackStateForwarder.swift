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
    private let snapshots: Mutex<TopologySnapshots>
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
        snapshots = Mutex(TopologySnapshots(clusterName: cluster, capacity: settings.batchCapacity))
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
    /// (or leadership changes) rather than looking every so often: the intervals in
    /// ``ForwarderSettings`` are the only times. A standby wakes to drop the events it would not
    /// send, once an events interval, and when it may have become leader.
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
            let now = clock.now
            guard sources.active() else {
                // The leader forwards these events; a standby only keeps its queue from growing.
                _ = sources.events()
                wasActive = false
                await waitForActivity(after: seen, atMost: settings.eventsInterval)
                continue
            }
            if !wasActive {
                // A new leader sends the topology at once rather than leaving it a whole interval old.
                (nextTopology, nextMetrics, wasActive) = (now, now + settings.metricsInterval, true)
            }
            if now >= nextTopology, settings.topology || settings.health {
                // Until the first sync there is nothing to send; look again soon.
                nextTopology = now + (enqueueTopology() ? settings.topologyInterval : settings.topologyNotReadyRetry)
            }
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
            if settings.topology || settings.health { next = min(next, nextTopology) }
            if sendsProcesses { next = min(next, nextProcesses) }
            // Losing the lead ends the wait too, so that a standby stops sending at once.
            await waitForActivity(after: seen, atMost: max(.zero, next - clock.now))
        }
    }

    /// Waits `atMost`, or until ``Sources/activity`` signals after `seen`, or a graceful shutdown.
    private func waitForActivity(after seen: UInt64, atMost timeout: Duration) async {
        _ = await cancelWhenGracefulShutdown { [sources] in
            if let activity = sources.activity {
                await activity.wait(after: seen, timeout: timeout)
            } else {
                try? await Task.sleep(for: timeout)
            }
        }
    }

    /// Queues one topology snapshot and one health snapshot; false when there is no topology yet.
    func enqueueTopology() -> Bool {
        guard var topology = sources.topology() else { return false }
        if settings.processes == .agentProtocol {
            // The receiver builds these from the process agent's messages.
            topology = Topology(
                components: topology.components.values.filter { $0.type != .process },
                relations: topology.relations.values.filter { $0.type != .runs && $0.type != .directionalConnection })
        }
        if settings.topology {
            let payloads = snapshots.withLock { $0.snapshot(of: topology, hostname: hostname) }
            for payload in payloads {
                let elements = payload.topologies.reduce(0) { $0 + $1.components.count + $1.relations.count }
                enqueue(.topology, path: "/intake/", payload: payload, elements: elements)
            }
        }
        if settings.health {
            let chunks = HealthSyncPayload.snapshot(
                sources.health(), cluster: cluster, repeatInterval: settings.topologyInterval,
                capacity: settings.batchCapacity)
            for chunk in chunks {
                var payload = IntakePayload(internalHostname: hostname)
                payload.health = [chunk]
                enqueue(.health, path: "/intake/", payload: payload, elements: chunk.checkStates.count)
            }
        }
        return true
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(payload) else {
            logger.error("stackstate payload could not be encoded", metadata: ["stackstate.kind": "\(kind)"])
            return
        }
        push(PendingPost(kind: kind, path: path, body: Gzip.compress([UInt8](json)), items: elements))
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
                errors = max(0, errors - 2)
                counters.withLock { counters in
                    counters.posts[post.kind, default: [:]]["sent", default: 0] += 1
                    counters.itemsSent[post.kind, default: 0] += post.items
                    counters.lastSuccess = Date().timeIntervalSince1970
                    counters.apiKeyValid = 1
                }
            case .drop(let reason):
                queue.remove(post)
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
