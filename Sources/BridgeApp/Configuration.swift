import BridgeCore
import BridgeHTTP
import BridgeRemoteWrite
import BridgeScrape
import BridgeStackState
import BridgeTopology

/// The bridge's configuration (DESIGN.md, "Configuration contract"; docs/configuration.md).
/// Keys may be added; the contract's keys are never renamed.
public struct Configuration: Sendable, Hashable {
    /// Which half of the work this instance does.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// A DaemonSet: the local kubelet and the local node's pods.
        case node
        /// A Deployment: kube-state-metrics, the whole topology, forwarding.
        case cluster
        /// Both in one process.
        case all
        /// A sidecar of one kube-state-metrics shard (its auto-sharded StatefulSet): that shard's
        /// series, forwarded as metrics only; nodes watched for their zone and region; no kubelets,
        /// topology, events, health or leader election (docs/install.md, large clusters).
        case shard

        /// Whether kubelets are scraped and the local node's processes read: `node` and `all`.
        public var scrapesKubelets: Bool { self == .node || self == .all }
        /// Whether the whole cluster is watched and its topology, events and health forwarded:
        /// `cluster` and `all`.
        public var watchesCluster: Bool { self == .cluster || self == .all }
    }

    /// How kubelets are reached.
    public enum KubeletAccessMode: String, Sendable, Hashable, CaseIterable {
        /// Through the apiserver's node proxy.
        case proxy
        /// Straight to `https://<InternalIP>:10250`.
        case direct
    }

    /// `kubernetes:`.
    public struct Kubernetes: Sendable, Hashable {
        /// Explicit API server URL; nil: in-cluster, else kubeconfig.
        public var apiServer: String?
        /// A kubeconfig file; nil: `$KUBECONFIG`, then `~/.kube/config`.
        public var kubeconfig: String?
        /// How kubelets are scraped.
        public var kubeletAccess = KubeletAccessMode.proxy
        /// Whether lists are asked for as streaming lists first (paged where the server has none).
        public var streamingLists = true
        /// TLS and credentials for an explicit `api_server` and for direct kubelet access.
        public var security = EndpointSecurity()
        /// `kubernetes.leader_election`.
        public var leaderElection = LeaderElection()
    }

    /// `kubernetes.leader_election:` — which replica of several forwards (DESIGN.md, deployment shapes).
    public struct LeaderElection: Sendable, Hashable {
        /// Whether to elect; nil: on in `cluster` mode, off otherwise.
        public var enabled: Bool?
        /// The Lease's name.
        public var leaseName = "stackbridge"
        /// The Lease's namespace; nil: `$POD_NAMESPACE`, the service account's namespace, else `default`.
        public var namespace: String?
        /// How long standbys wait after the last renewal.
        public var leaseDuration = Duration.seconds(15)
        /// How long the leader keeps trying to renew before it steps down.
        public var renewDeadline = Duration.seconds(10)
        /// How often every replica looks at the lease.
        public var retryPeriod = Duration.seconds(2)
    }

    /// One target of `scrape.static_targets`: an entry with a `url`, or one target of an entry's
    /// `static_configs` (a Prometheus `scrape_config`).
    public struct StaticTarget: Sendable, Hashable {
        /// The job label.
        public var job: String
        /// The metrics URL.
        public var url: String
        /// The `instance` label; nil: the URL's `host:port`.
        public var instance: String?
        /// Labels from `static_configs`, added to every series of the target.
        public var labels: [LabelPair] = []
        /// `scrape_interval`; nil: `scrape.interval`.
        public var interval: Duration?
        /// `scrape_timeout`; nil: `scrape.timeout`.
        public var timeout: Duration?
        /// `honor_timestamps`.
        public var honorTimestamps = true
        /// `sample_limit`, the label limits and `body_size_limit`.
        public var limits = ScrapeLimits()
        /// TLS, token, proxy and basic auth.
        public var security = EndpointSecurity()
        /// Rules applied after enrichment.
        public var metricRelabelConfigs: [RelabelConfig] = []

        /// A target of `job` at `url`, with every other setting from `scrape:`.
        public init(job: String, url: String) {
            self.job = job
            self.url = url
        }
    }

    /// `scrape:`.
    public struct Scrape: Sendable, Hashable {
        /// Scrape interval.
        public var interval: Duration = .seconds(30)
        /// Scrape timeout; unless set, 10 s or the interval when that is shorter (Prometheus' rule).
        public var timeout: Duration = .seconds(10)
        /// kube-state-metrics URLs.
        public var kubeStateMetricsURLs: [String] = []
        /// kube-state-metrics as a Service, `namespace/name`, discovered through its Endpoints.
        public var kubeStateMetricsService: String?
        /// `node` mode: the URL of the per-node kube-state-metrics on this node
        /// (`--resources=pods --node=$(NODE_NAME)`), which serves this node's pods only.
        public var kubeStateMetricsNodeLocalURL: String?
        /// The telemetry URL of the kube-state-metrics shard forwarded in `shard` mode, which says
        /// which shard it is and of how many.
        public var kubeStateMetricsTelemetryURL: String?
        /// Rules for kubelet series.
        public var kubeletRelabelConfigs: [RelabelConfig] = []
        /// The limits of kubelet targets.
        public var kubeletLimits = ScrapeLimits()
        /// Rules for kube-state-metrics series.
        public var kubeStateMetricsRelabelConfigs: [RelabelConfig] = []
        /// The limits of kube-state-metrics targets.
        public var kubeStateMetricsLimits = ScrapeLimits()
        /// Other endpoints, joined like the rest.
        public var staticTargets: [StaticTarget] = []
        /// Memory all scrape bodies in flight may take together; each target's own limit lies within it.
        public var bodyMemoryBudget = 1 << 30
    }

    /// `server:`.
    public struct Server: Sendable, Hashable {
        /// Where `/metrics` and the rest are served.
        public var listen: ListenAddress = "0.0.0.0:10057"
        /// Exporter-toolkit web configuration (TLS, basic auth).
        public var webConfigFile: String?
        /// Most connections open at once (Prometheus' `--web.max-connections`); past it, the
        /// quietest connection is closed for each new one.
        public var maxConnections = 512
        /// `POST /-/reload` re-reads the configuration (Prometheus' `--web.enable-lifecycle`).
        public var enableLifecycle = false
    }

    /// One `remote_write` entry.
    public struct RemoteWrite: Sendable, Hashable {
        /// Where and how to send.
        public var endpoint: RemoteWriteEndpoint
        /// `queue_config`.
        public var queue = QueueConfig()
        /// `write_relabel_configs`: applied to each series, its `job` and `instance` included,
        /// before it is queued for this endpoint only.
        public var writeRelabelConfigs: [RelabelConfig] = []
        /// `metadata_config.send`. The bridge sends no metadata requests, so either way none go out.
        public var sendMetadata = true
        /// `send_native_histograms`; text scrapes carry none, so it changes nothing.
        public var sendNativeHistograms = false
        /// `spool.path`: where batches that cannot be sent would wait on disk (not written yet).
        public var spoolPath: String?
        /// `spool.max_disk_bytes`.
        public var maxDiskBytes: Int?
    }

    /// `stackstate:`: the receiver and what is forwarded to it.
    public struct StackState: Sendable, Hashable {
        /// Intervals, switches and the endpoint (its API key is filled in when the bridge starts).
        public var forwarder: ForwarderSettings
        /// Where the API key is; without it, `STS_API_KEY`.
        public var apiKeyFile: String?
    }

    /// `topology_metrics:`.
    public struct TopologyMetricsSettings: Sendable, Hashable {
        /// Expose `stackbridge_topology_relation_info`.
        public var relations = true
        /// How often the topology and its series are rebuilt.
        public var interval: Duration = .seconds(15)
    }

    /// `processes:`: processes and their TCP connections (reference/process-connections.md).
    public struct Processes: Sendable, Hashable {
        /// Whether node agents walk `/proc` and the leader correlates what they report.
        public var enabled = false
        /// The host's `/proc` as the node agent sees it (`hostPID: true` makes it `/proc`).
        public var procRoot = "/proc"
        /// How often node agents walk `/proc` and the leader gathers their reports.
        public var interval: Duration = .seconds(30)
        /// How old a process must be to be reported, and how long a connection must have been
        /// observed to become a relation (the process agent's 60 s for both).
        public var qualifyAfter: Duration = .seconds(60)
        /// How long a connection unseen stays a relation.
        public var expireAfter: Duration = .seconds(300)
        /// The port node agents serve `/api/v1/processes` on, for the leader to reach them.
        public var nodePort = 10057
    }

    /// The cluster name; required outside a cluster.
    public var clusterName: String?
    /// node, cluster or all.
    public var mode = Mode.all
    /// `kubernetes:`.
    public var kubernetes = Kubernetes()
    /// `scrape:`.
    public var scrape = Scrape()
    /// `enrich:`.
    public var enrich = EnrichmentOptions()
    /// `server:`.
    public var server = Server()
    /// `topology_metrics:`.
    public var topologyMetrics = TopologyMetricsSettings()
    /// `processes:`.
    public var processes = Processes()
    /// `remote_write:`.
    public var remoteWrite: [RemoteWrite] = []
    /// `stackstate:`; nil when nothing is forwarded to StackState.
    public var stackState: StackState?

    /// Every default.
    public init() {}

    /// The commented default configuration `stackbridge config default` prints; it parses to
    /// ``init()`` with `cluster_name: my-cluster` (tested).
    public static let defaultYAML = """
        # stackbridge configuration (docs/configuration.md). Every key is optional except
        # cluster_name outside a cluster.
        cluster_name: my-cluster
        mode: all                      # node | cluster | all | shard
        kubernetes:
          # api_server: https://kubernetes.example:6443   # default: in-cluster, else $KUBECONFIG / ~/.kube/config
          kubelet_access: proxy        # proxy (through the apiserver) | direct (https://<InternalIP>:10250)
          # leader_election: {enabled: true, lease_name: stackbridge}   # default: on in cluster mode only
        scrape:
          interval: 30s
          timeout: 10s
          kube_state_metrics:
            urls: []                   # or service: kube-system/kube-state-metrics
          static_targets: []
        enrich:
          cluster_label: cluster
          pod_labels: []               # for example [app.kubernetes.io/name]
          overwrite: false
        server:
          listen: 0.0.0.0:10057
        topology_metrics:
          relations: true
          interval: 15s

        """
}
