import BridgeCore
import BridgeHTTP
import BridgeKubernetes
import BridgeRemoteWrite
import BridgeStackState
import BridgeTopology
import Synchronization

/// The bridge's own metrics, served on `/telemetry` (docs/metrics.md lists every one).
///
/// Counters and gauges live behind one lock and are rendered through the same exposition writer
/// as `/metrics`, so the self-metrics get the same format negotiation and checks. Label values are
/// bounded: results, resources and job names, never pod names or URLs.
public final class Telemetry: Sendable {
    private struct Counters {
        var scrapes: [String: [String: Int]] = [:]  // job → result → count
        var scrapeFailures: [String: [String: Int]] = [:]  // job → reason → count
        var duplicateSeries: [String: Int] = [:]  // job → series dropped
        var scrapeDurations: [String: DurationHistogram] = [:]  // job
        var enrichedSeries: [String: Int] = [:]  // pod | node | unknown
        var enrichmentConflicts = 0
        var targets = 0
        var exposedSeries = 0
        var components = 0
        var relations = 0
        var topologyBuildSeconds = 0.0
        var objects: [String: Int] = [:]
        var exposureRequests: [String: Int] = [:]  // format
    }

    private let counters = Mutex(Counters())
    /// The series `/metrics` serves now, when the exposition is known (``add(exposedSeries:)``).
    private let exposedSeries = Mutex<(@Sendable () -> Int)?>(nil)
    private let queues = Mutex<[RemoteWriteQueue]>([])
    private let forwarders = Mutex<[StackStateForwarder]>([])
    private let election = Mutex<(leadership: Leadership, lease: String)?>(nil)
    private let store = Mutex<ClusterStore?>(nil)
    private let reloader = Mutex<ConfigurationReloader?>(nil)
    private let processes = Mutex<ProcessTelemetry?>(nil)
    private let shard = Mutex<KubeStateMetricsShardState?>(nil)
    /// The version, for `stackbridge_build_info`.
    public let version: String
    /// The cluster's name, on `stackbridge_build_info`: the dashboards pick a cluster's bridges by it.
    public let cluster: String

    /// Empty counters.
    public init(version: String, cluster: String = "") {
        self.version = version
        self.cluster = cluster
    }

    /// Every family name this type exposes (docs/metrics.md is checked against it).
    public static let familyNames =
        [
            "stackbridge_build_info", "stackbridge_scrapes_total", "stackbridge_scrape_failures_total",
            "stackbridge_scrape_duplicate_series_total", "stackbridge_scrape_duration_seconds",
            "stackbridge_remote_write_request_duration_seconds", "stackbridge_scrape_targets",
            "stackbridge_enrich_series_total", "stackbridge_enrich_conflicts_total", "stackbridge_exposition_series",
            "stackbridge_exposition_requests_total", "stackbridge_topology_components",
            "stackbridge_topology_relations",
            "stackbridge_topology_build_duration_seconds", "stackbridge_k8s_objects",
            "stackbridge_remote_write_samples_sent_total", "stackbridge_remote_write_samples_failed_total",
            "stackbridge_remote_write_samples_retried_total", "stackbridge_remote_write_samples_dropped_total",
            "stackbridge_remote_write_bytes_sent_total", "stackbridge_remote_write_pending_samples",
            "stackbridge_remote_write_highest_sent_timestamp_seconds", "stackbridge_remote_write_shards",
            "stackbridge_remote_write_spool_bytes", "stackbridge_remote_write_spool_oldest_timestamp_seconds",
            "stackbridge_remote_write_spool_dropped_samples_total",
            "stackbridge_remote_write_spool_corrupt_samples_total", "stackbridge_stackstate_posts_total",
            "stackbridge_stackstate_posts_evicted_total", "stackbridge_stackstate_items_sent_total",
            "stackbridge_stackstate_snapshots_total",
            "stackbridge_stackstate_queue_bytes", "stackbridge_stackstate_queue_posts",
            "stackbridge_stackstate_last_success_timestamp_seconds", "stackbridge_stackstate_api_key_valid",
            "stackbridge_leader_election_is_leader", "stackbridge_leader_election_acquired_total",
            "stackbridge_k8s_last_contact_timestamp_seconds", "stackbridge_kubernetes_sync_ok",
            "stackbridge_config_last_reload_successful", "stackbridge_config_last_reload_success_timestamp_seconds",
        ] + ProcessTelemetry.familyNames + KubeStateMetricsShardState.familyNames

    /// Reports `leadership` from now on when it is decided by an election on `lease`.
    public func add(_ leadership: Leadership, lease: String?) {
        guard let lease else { return }
        election.withLock { $0 = (leadership, lease) }
    }

    /// Reports the series `/metrics` serves as they are at each render, not as of the last
    /// topology build.
    public func add(exposedSeries count: @escaping @Sendable () -> Int) {
        exposedSeries.withLock { $0 = count }
    }

    /// Reports the outcome of configuration reloads.
    public func add(_ reloader: ConfigurationReloader) {
        self.reloader.withLock { $0 = reloader }
    }

    /// Reports process collection and correlation.
    public func add(_ processes: ProcessTelemetry) {
        self.processes.withLock { $0 = processes }
    }

    /// Reports the kube-state-metrics shard forwarded.
    public func add(_ shard: KubeStateMetricsShardState) {
        self.shard.withLock { $0 = shard }
    }

    /// Reports when each watched resource last heard from the API server.
    public func add(_ store: ClusterStore) {
        self.store.withLock { $0 = store }
    }

    /// Reports `forwarder`'s counters from now on.
    public func add(_ forwarder: StackStateForwarder) {
        forwarders.withLock { $0.append(forwarder) }
    }

    /// Reports `queue`'s counters from now on.
    public func add(_ queue: RemoteWriteQueue) {
        queues.withLock { $0.append(queue) }
    }

    /// Records one scrape of a `job` target: how long it took, why it failed (`failureReason`,
    /// nil for a success), the duplicate series it dropped and how its series were joined.
    public func recordScrape(
        job: String, failureReason: String?, seconds: Double, duplicates: Int = 0,
        enrichment: Enricher.Outcome = Enricher.Outcome()
    ) {
        counters.withLock { counters in
            counters.scrapes[job, default: [:]][failureReason == nil ? "success" : "failure", default: 0] += 1
            if let failureReason { counters.scrapeFailures[job, default: [:]][failureReason, default: 0] += 1 }
            if duplicates > 0 { counters.duplicateSeries[job, default: 0] += duplicates }
            counters.scrapeDurations[job, default: DurationHistogram()].observe(seconds)
            counters.enrichedSeries["pod", default: 0] += enrichment.joinedPods
            counters.enrichedSeries["node", default: 0] += enrichment.joinedNodes
            counters.enrichedSeries["unknown", default: 0] += enrichment.unknown
            counters.enrichmentConflicts += enrichment.conflicts
        }
    }

    /// Records the target set's size.
    public func recordTargets(_ count: Int) { counters.withLock { $0.targets = count } }

    /// Records one `/metrics` request in `format`.
    public func recordExposure(format: ExpositionFormat) {
        counters.withLock { $0.exposureRequests[format.rawValue, default: 0] += 1 }
    }

    /// Records a topology build.
    public func recordTopology(
        components: Int, relations: Int, seconds: Double, objects: [String: Int], exposedSeries: Int
    ) {
        counters.withLock { counters in
            counters.components = components
            counters.relations = relations
            counters.topologyBuildSeconds = seconds
            counters.objects = objects
            counters.exposedSeries = exposedSeries
        }
    }

    /// A one-line summary for `stackbridge demo`.
    public var summary: (targets: Int, upScrapes: Int, scrapes: Int, series: Int, components: Int) {
        counters.withLock { counters in
            let all = counters.scrapes.values.flatMap(\.values).reduce(0, +)
            let up = counters.scrapes.values.compactMap { $0["success"] }.reduce(0, +)
            return (counters.targets, up, all, counters.exposedSeries, counters.components)
        }
    }

    /// The current values as a batch.
    public func batch() -> MetricBatch {
        let counters = counters.withLock { $0 }
        func family(_ name: String, _ type: MetricType, _ help: String, _ samples: [MetricSampleValue])
            -> MetricFamilyValue
        {
            MetricFamilyValue(name: name, type: type, help: help, samples: samples)
        }
        func one(_ name: String, _ value: Double, _ labels: [LabelPair] = []) -> MetricSampleValue {
            MetricSampleValue(name: name, labels: labels, value: value)
        }
        var scrapes: [MetricSampleValue] = []
        for (job, results) in counters.scrapes.sorted(by: { $0.key < $1.key }) {
            for (result, count) in results.sorted(by: { $0.key < $1.key }) {
                scrapes.append(
                    one(
                        "stackbridge_scrapes_total", Double(count),
                        [LabelPair("job", job), LabelPair("result", result)]))
            }
        }
        let queues = queues.withLock { $0 }.map { ($0, $0.snapshot) }
        func perQueue(
            _ name: String, _ type: MetricType, _ help: String, _ value: (RemoteWriteQueue.Counters) -> Double
        )
            -> MetricFamilyValue
        {
            family(
                name, type, help,
                queues.map { queue, counters in
                    one(name, value(counters), Self.labels(of: queue))
                })
        }
        let forwarders = forwarders.withLock { $0 }.map { ($0, $0.snapshot) }
        var posts: [MetricSampleValue] = []
        var evicted: [MetricSampleValue] = []
        var items: [MetricSampleValue] = []
        var snapshots: [MetricSampleValue] = []
        for (forwarder, counters) in forwarders {
            for kind in [PayloadKind.topology, .health] {
                for result in ["completed", "abandoned"] {
                    snapshots.append(
                        one(
                            "stackbridge_stackstate_snapshots_total", Double(counters.snapshots[kind]?[result] ?? 0),
                            [LabelPair("kind", kind.rawValue), LabelPair("result", result)]))
                }
            }
            let evictions = forwarder.queue.evicted
            for kind in PayloadKind.allCases {
                for result in ["sent", "dropped", "retried"] {
                    posts.append(
                        one(
                            "stackbridge_stackstate_posts_total", Double(counters.posts[kind]?[result] ?? 0),
                            [LabelPair("kind", kind.rawValue), LabelPair("result", result)]))
                }
                evicted.append(
                    one(
                        "stackbridge_stackstate_posts_evicted_total", Double(evictions[kind] ?? 0),
                        [LabelPair("kind", kind.rawValue)]))
                items.append(
                    one(
                        "stackbridge_stackstate_items_sent_total", Double(counters.itemsSent[kind] ?? 0),
                        [LabelPair("kind", kind.rawValue)]))
            }
        }
        func perForwarder(
            _ name: String, _ help: String, _ value: (StackStateForwarder, StackStateForwarder.Counters) -> Double
        ) -> MetricFamilyValue {
            family(name, .gauge, help, forwarders.map { one(name, value($0, $1)) })
        }
        var optionalFamilies = [MetricFamilyValue]()
        if let (leadership, lease) = election.withLock({ $0 }) {
            let label = [LabelPair("lease", lease)]
            optionalFamilies.append(
                family(
                    "stackbridge_leader_election_is_leader", .gauge,
                    "1 while this replica holds the lease and forwards, 0 while it stands by.",
                    [one("stackbridge_leader_election_is_leader", leadership.isLeader ? 1 : 0, label)]))
            optionalFamilies.append(
                family(
                    "stackbridge_leader_election_acquired_total", .counter, "How often this replica became leader.",
                    [one("stackbridge_leader_election_acquired_total", Double(leadership.timesAcquired), label)]))
        }
        if let reloader = reloader.withLock({ $0 }) {
            let (successful, timestamp) = reloader.lastReload
            optionalFamilies.append(
                family(
                    "stackbridge_config_last_reload_successful", .gauge,
                    "Whether the last configuration reload succeeded (1 before any), as Prometheus' own.",
                    [one("stackbridge_config_last_reload_successful", successful ? 1 : 0)]))
            optionalFamilies.append(
                family(
                    "stackbridge_config_last_reload_success_timestamp_seconds", .gauge,
                    "When the configuration was last loaded successfully (start or reload).",
                    [one("stackbridge_config_last_reload_success_timestamp_seconds", timestamp)]))
        }
        if let contacts = store.withLock({ $0 })?.lastContacts, !contacts.isEmpty {
            optionalFamilies.append(
                family(
                    "stackbridge_k8s_last_contact_timestamp_seconds", .gauge,
                    "When the watcher of a resource last heard from the API server (a list, a watch opening, an event).",
                    contacts.sorted { $0.key < $1.key }.map {
                        one("stackbridge_k8s_last_contact_timestamp_seconds", $0.value, [LabelPair("resource", $0.key)])
                    }))
        }
        if let states = store.withLock({ $0 })?.syncStates, !states.isEmpty {
            optionalFamilies.append(
                family(
                    "stackbridge_kubernetes_sync_ok", .gauge,
                    "1 while the watcher of a resource has a complete list and a working watch; 0 from a failed "
                        + "list or watch, or a relist after lost history, until it has again.",
                    states.sorted { $0.key < $1.key }.map {
                        one("stackbridge_kubernetes_sync_ok", $0.value ? 1 : 0, [LabelPair("resource", $0.key)])
                    }))
        }
        let always = [
            family(
                "stackbridge_stackstate_posts_total", .counter,
                "Posts to the StackState receiver by kind and result (sent, dropped for good, retried).", posts),
            family(
                "stackbridge_stackstate_posts_evicted_total", .counter,
                "Posts dropped unsent because the retry queue was full (oldest first).", evicted),
            family(
                "stackbridge_stackstate_items_sent_total", .counter,
                "Topology elements, health states, events and series the receiver accepted, by kind.", items),
            family(
                "stackbridge_stackstate_snapshots_total", .counter,
                "Topology and health snapshots by how they ended: completed (every chunk accepted) or abandoned.",
                snapshots),
            perForwarder(
                "stackbridge_stackstate_queue_bytes", "Compressed bytes waiting in the StackState retry queue.",
                { forwarder, _ in Double(forwarder.queue.bytes) }),
            perForwarder(
                "stackbridge_stackstate_queue_posts", "Posts waiting in the StackState retry queue.",
                { forwarder, _ in Double(forwarder.queue.count) }),
            perForwarder(
                "stackbridge_stackstate_last_success_timestamp_seconds",
                "When the receiver last accepted a post; 0 before the first.", { $1.lastSuccess }),
            perForwarder(
                "stackbridge_stackstate_api_key_valid",
                "1 after the receiver accepted a post, 0 after it rejected the API key (403), -1 before either.",
                { Double($1.apiKeyValid) }),
            family(
                "stackbridge_build_info", .gauge, "The running version, and the cluster it serves.",
                [
                    one(
                        "stackbridge_build_info", 1,
                        [LabelPair("version", version)] + (cluster.isEmpty ? [] : [LabelPair("cluster", cluster)]))
                ]),
            family("stackbridge_scrapes_total", .counter, "Scrapes by job and result.", scrapes),
            family(
                "stackbridge_scrape_failures_total", .counter,
                "Failed scrapes by job and reason: a request error (connect, timeout, http_status, decode, …), "
                    + "parse, or a limit (sample_limit, label_limit, label_name_length_limit, "
                    + "label_value_length_limit, body_size_limit).",
                counters.scrapeFailures.sorted { $0.key < $1.key }.flatMap { job, reasons in
                    reasons.sorted { $0.key < $1.key }.map {
                        one(
                            "stackbridge_scrape_failures_total", Double($0.value),
                            [LabelPair("job", job), LabelPair("reason", $0.key)])
                    }
                }),
            family(
                "stackbridge_scrape_duplicate_series_total", .counter,
                "Samples dropped because the same series came earlier in the same scrape, by job.",
                counters.duplicateSeries.sorted { $0.key < $1.key }.map {
                    one("stackbridge_scrape_duplicate_series_total", Double($0.value), [LabelPair("job", $0.key)])
                }),
            family(
                "stackbridge_scrape_duration_seconds", .histogram,
                "How long scrapes took, request and processing, by job.",
                counters.scrapeDurations.sorted { $0.key < $1.key }.flatMap {
                    $0.value.samples("stackbridge_scrape_duration_seconds", labels: [LabelPair("job", $0.key)])
                }),
            family(
                "stackbridge_scrape_targets", .gauge, "Targets in the current target set.",
                [one("stackbridge_scrape_targets", Double(counters.targets))]),
            family(
                "stackbridge_enrich_series_total", .counter,
                "Scraped series by how they were joined to the cluster: pod, node, or unknown (pod or node not known).",
                ["pod", "node", "unknown"].map {
                    one(
                        "stackbridge_enrich_series_total", Double(counters.enrichedSeries[$0] ?? 0),
                        [LabelPair("result", $0)])
                }),
            family(
                "stackbridge_enrich_conflicts_total", .counter,
                "Added labels left out because the series had the label with another value.",
                [one("stackbridge_enrich_conflicts_total", Double(counters.enrichmentConflicts))]),
            family(
                "stackbridge_exposition_series", .gauge, "Series /metrics serves.",
                [
                    one(
                        "stackbridge_exposition_series",
                        Double(exposedSeries.withLock { $0 }?() ?? counters.exposedSeries))
                ]),
            family(
                "stackbridge_exposition_requests_total", .counter, "Requests to /metrics by negotiated format.",
                ExpositionFormat.allCases.map {
                    one(
                        "stackbridge_exposition_requests_total", Double(counters.exposureRequests[$0.rawValue] ?? 0),
                        [LabelPair("format", $0.rawValue)])
                }),
            family(
                "stackbridge_topology_components", .gauge, "Components of the last topology built.",
                [one("stackbridge_topology_components", Double(counters.components))]),
            family(
                "stackbridge_topology_relations", .gauge, "Relations of the last topology built.",
                [one("stackbridge_topology_relations", Double(counters.relations))]),
            family(
                "stackbridge_topology_build_duration_seconds", .gauge, "How long the last topology build took.",
                [one("stackbridge_topology_build_duration_seconds", counters.topologyBuildSeconds)]),
            family(
                "stackbridge_k8s_objects", .gauge, "Kubernetes objects held, by resource.",
                counters.objects.sorted(by: { $0.key < $1.key }).map {
                    one("stackbridge_k8s_objects", Double($0.value), [LabelPair("resource", $0.key)])
                }),
            perQueue(
                "stackbridge_remote_write_samples_sent_total", .counter, "Samples the receiver accepted.",
                { Double($0.samplesSent) }),
            family(
                "stackbridge_remote_write_request_duration_seconds", .histogram,
                "How long each remote-write request took, answered or not, by endpoint.",
                queues.flatMap { queue, counters in
                    counters.requestDurations.samples(
                        "stackbridge_remote_write_request_duration_seconds", labels: Self.labels(of: queue))
                }),
            perQueue(
                "stackbridge_remote_write_samples_failed_total", .counter,
                "Samples the receiver refused for good (4xx); logged with its message.", { Double($0.samplesFailed) }),
            perQueue(
                "stackbridge_remote_write_samples_retried_total", .counter,
                "Samples sent again after a retryable failure (5xx, 429, network).", { Double($0.samplesRetried) }),
            perQueue(
                "stackbridge_remote_write_samples_dropped_total", .counter,
                "Samples dropped because the in-memory queue was full.", { Double($0.samplesDropped) }),
            perQueue(
                "stackbridge_remote_write_bytes_sent_total", .counter, "Compressed request bytes accepted.",
                { Double($0.bytesSent) }),
            perQueue(
                "stackbridge_remote_write_pending_samples", .gauge, "Samples waiting in memory.",
                { Double($0.pending) }),
            perQueue(
                "stackbridge_remote_write_highest_sent_timestamp_seconds", .gauge,
                "Timestamp of the newest sample accepted.", { Double($0.highestSentTimestamp) / 1000 }),
            perQueue(
                "stackbridge_remote_write_spool_bytes", .gauge, "Bytes of request bodies waiting in the disk spool.",
                { Double($0.spoolBytes) }),
            perQueue(
                "stackbridge_remote_write_spool_oldest_timestamp_seconds", .gauge,
                "Newest sample time of the oldest spooled batch; 0 when the spool is empty.",
                { Double($0.spoolOldest) / 1000 }),
            perQueue(
                "stackbridge_remote_write_spool_dropped_samples_total", .counter,
                "Samples deleted from a spool over max_disk_bytes (oldest first).",
                { Double($0.samplesDroppedSpoolFull) }),
            perQueue(
                "stackbridge_remote_write_spool_corrupt_samples_total", .counter,
                "Samples of spooled batches dropped unsent because they failed their checksum.",
                { Double($0.samplesDroppedSpoolCorrupt) }),
            family(
                "stackbridge_remote_write_shards", .gauge, "Shards sending in parallel.",
                queues.map { queue, _ in
                    one(
                        "stackbridge_remote_write_shards", Double(queue.shardCount), Self.labels(of: queue))
                }),
        ]
        optionalFamilies += processes.withLock { $0 }?.families() ?? []
        optionalFamilies += shard.withLock { $0 }?.families() ?? []
        return MetricBatch(optionalFamilies + always + ProcessMetrics.families())
    }

    /// A queue's labels: `remote_name` when the endpoint is named, as Prometheus labels its
    /// remote-write metrics, and its `url` with secrets redacted.
    static func labels(of queue: RemoteWriteQueue) -> [LabelPair] {
        (queue.endpoint.name.map { [LabelPair("remote_name", $0)] } ?? [])
            + [LabelPair("url", RedactedURL.string(queue.endpoint.url))]
    }
}
