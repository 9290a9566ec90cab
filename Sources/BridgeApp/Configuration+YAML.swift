import BridgeCore
import BridgeHTTP
import BridgeTopology
import Foundation
import Yams

extension Configuration {
    /// Reads and validates the configuration in `file`; errors name the file, key, value and what
    /// was expected.
    public static func load(file: String) throws(ConfigurationError) -> Configuration {
        // FileManager reads regular files; a FIFO or /dev/stdin is read through a handle.
        var contents = FileManager.default.contents(atPath: file)
        if contents == nil, let handle = FileHandle(forReadingAtPath: file) {
            // nil at once is an empty stream; a throw (a directory) leaves the file unreadable.
            do { contents = try handle.readToEnd() ?? Data() } catch { contents = nil }
        }
        guard let data = contents else {
            throw ConfigurationError.unreadable(file: file, expected: "a readable YAML file")
        }
        do {
            return try parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw error.inFile(file)
        }
    }

    /// Parses and validates YAML text. Keys are those of ``ConfigurationSchema``; defaults are
    /// Prometheus' where it has the key.
    public static func parse(_ text: String) throws(ConfigurationError) -> Configuration {
        let root: Yams.Node
        do {
            root = try Yams.compose(yaml: text) ?? Yams.Node.mapping([:])
        } catch {
            throw ConfigurationError(path: "", value: "", expected: "valid YAML (\(error))")
        }
        var configuration = Configuration()
        let top = try Section(root, path: "").keys(ConfigurationSchema.top)
        if let node = top["cluster_name"] { configuration.clusterName = try clusterName(node) }
        if let node = top["mode"] { configuration.mode = try node.choice(Mode.self) }
        if let node = top["kubernetes"] { configuration.kubernetes = try kubernetes(node) }
        if let node = top["scrape"] { configuration.scrape = try scrape(node) }
        if let node = top["enrich"] { configuration.enrich = try enrich(node) }
        if let section = try top["server"]?.keys(ConfigurationSchema.server) {
            if let node = section["listen"] {
                let listen = try node.string()
                guard let address = ListenAddress(parsing: listen) else {
                    throw node.error(listen, ListenAddress.expected)
                }
                configuration.server.listen = address
            }
            configuration.server.webConfigFile = try section["web_config_file"]?.string()
            if let node = section["max_connections"] { configuration.server.maxConnections = try node.positiveInt() }
            if let node = section["enable_lifecycle"] { configuration.server.enableLifecycle = try node.bool() }
        }
        if let section = try top["topology_metrics"]?.keys(ConfigurationSchema.topologyMetrics) {
            if let node = section["relations"] { configuration.topologyMetrics.relations = try node.bool() }
            if let node = section["interval"] { configuration.topologyMetrics.interval = try node.duration() }
        }
        if let section = try top["processes"]?.keys(ConfigurationSchema.processes) {
            if let node = section["enabled"] { configuration.processes.enabled = try node.bool() }
            if let node = section["proc_root"] { configuration.processes.procRoot = try node.string() }
            if let node = section["interval"] { configuration.processes.interval = try node.duration() }
            if let node = section["qualify_after"] { configuration.processes.qualifyAfter = try node.duration() }
            if let node = section["expire_after"] { configuration.processes.expireAfter = try node.duration() }
            if let node = section["node_port"] {
                let port = try node.positiveInt()
                guard port <= 65_535 else { throw node.error(String(port), "a TCP port, 1 to 65535") }
                configuration.processes.nodePort = port
            }
        }
        if let node = top["remote_write"] { configuration.remoteWrite = try remoteWrites(node) }
        if let node = top["stackstate"] { configuration.stackState = try stackState(node) }
        if let url = configuration.scrape.kubeStateMetricsNodeLocalURL, configuration.mode != .node {
            // Every replica of a cluster Deployment would scrape the one node's instance it reaches.
            throw ConfigurationError(
                path: "scrape.kube_state_metrics.node_local_url", value: url,
                expected: "only in node mode, where each DaemonSet pod scrapes the kube-state-metrics of its own node")
        }
        try checkShardMode(configuration)
        return configuration
    }

    /// `shard` mode forwards one kube-state-metrics shard: one URL, the shard's own, and its
    /// telemetry, which says when the shards change (``KubeStateMetricsShardState``).
    private static func checkShardMode(_ configuration: Configuration) throws(ConfigurationError) {
        let scrape = configuration.scrape
        guard configuration.mode == .shard else {
            if let url = scrape.kubeStateMetricsTelemetryURL {
                throw ConfigurationError(
                    path: "scrape.kube_state_metrics.telemetry_url", value: url,
                    expected:
                        "only in shard mode, where the sidecar of one kube-state-metrics shard reads its telemetry")
            }
            return
        }
        guard scrape.kubeStateMetricsURLs.count == 1, scrape.kubeStateMetricsService == nil else {
            throw ConfigurationError(
                path: "scrape.kube_state_metrics.urls", value: scrape.kubeStateMetricsURLs.joined(separator: ", "),
                expected:
                    "in shard mode, exactly one URL, the shard's own (http://localhost:8080/metrics), and no service")
        }
        guard scrape.kubeStateMetricsTelemetryURL != nil else {
            throw ConfigurationError(
                path: "scrape.kube_state_metrics.telemetry_url", value: "",
                expected: "in shard mode, the shard's telemetry URL (http://localhost:8081/metrics)")
        }
    }

    /// A cluster name as the StackState agent accepts it (lower-case RFC 1123 labels joined by
    /// dots, at most 80 characters): it goes into every URN (`urn:cluster:/kubernetes:<name>`),
    /// where `:` or `/` would split it, and into the `cluster_name` tag StackState binds on.
    static func clusterName(_ node: Section) throws(ConfigurationError) -> String {
        let name = try node.string()
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            !name.isEmpty && name.utf8.count <= 80
            && labels.allSatisfy { label in
                guard let first = label.utf8.first, let last = label.utf8.last else { return false }
                return (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
                    && (last != UInt8(ascii: "-"))
                    && label.utf8.allSatisfy { byte in
                        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    }
            }
        guard valid else {
            throw node.error(
                name,
                "lower-case letters, digits, '-' and '.', starting with a letter and ending with a letter or digit, "
                    + "at most 80 characters, as StackState URNs and the agent's cluster names need")
        }
        return name
    }

    private static func kubernetes(_ node: Section) throws(ConfigurationError) -> Kubernetes {
        let section = try node.keys(ConfigurationSchema.kubernetes)
        var kubernetes = Kubernetes()
        kubernetes.apiServer = try section["api_server"]?.url()
        kubernetes.kubeconfig = try section["kubeconfig"]?.string()
        if let node = section["kubelet_access"] {
            kubernetes.kubeletAccess = try node.choice(KubeletAccessMode.self)
        }
        if let node = section["streaming_lists"] { kubernetes.streamingLists = try node.bool() }
        kubernetes.security = try section.security()
        if let election = section["leader_election"] { kubernetes.leaderElection = try election.leaderElection() }
        return kubernetes
    }

    private static func enrich(_ node: Section) throws(ConfigurationError) -> EnrichmentOptions {
        let section = try node.keys(ConfigurationSchema.enrich)
        var enrich = EnrichmentOptions()
        if let node = section["cluster_label"] { enrich.clusterLabel = try node.labelName() }
        enrich.podLabels =
            try section["pod_labels"]?.list { label throws(ConfigurationError) in try label.string() } ?? []
        if let node = section["overwrite"] { enrich.overwrite = try node.bool() }
        if let names = try section["label_names"]?.keys(ConfigurationSchema.labelNames) {
            if let node = names["node"] { enrich.nodeLabel = try node.labelName() }
            if let node = names["workload_kind"] { enrich.workloadKindLabel = try node.labelName() }
            if let node = names["workload"] { enrich.workloadLabel = try node.labelName() }
            if let node = names["owner_kind"] { enrich.ownerKindLabel = try node.labelName() }
            if let node = names["owner"] { enrich.ownerLabel = try node.labelName() }
            if let node = names["zone"] { enrich.zoneLabel = try node.labelName() }
            if let node = names["region"] { enrich.regionLabel = try node.labelName() }
        }
        return enrich
    }
}

extension Section {
    /// `kubernetes.leader_election`, with client-go's ordering of the timings enforced
    /// (lease duration > renew deadline > 1.2 × retry period), without which two replicas could
    /// both believe they lead.
    func leaderElection() throws(ConfigurationError) -> Configuration.LeaderElection {
        let section = try keys(ConfigurationSchema.leaderElection)
        var election = Configuration.LeaderElection()
        if let node = section["enabled"] { election.enabled = try node.bool() }
        if let node = section["lease_name"] { election.leaseName = try node.string() }
        if let node = section["lease_namespace"] { election.namespace = try node.string() }
        if let node = section["lease_duration"] { election.leaseDuration = try node.duration() }
        if let node = section["renew_deadline"] { election.renewDeadline = try node.duration() }
        if let node = section["retry_period"] { election.retryPeriod = try node.duration() }
        try section.ordered("renew_deadline", election.renewDeadline, below: "lease_duration", election.leaseDuration)
        try section.ordered(
            "retry_period", election.retryPeriod, below: "renew_deadline", election.renewDeadline, factor: 1.2)
        return election
    }
}
