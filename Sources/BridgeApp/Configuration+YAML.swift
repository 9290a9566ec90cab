import BridgeCore
import BridgeHTTP
import BridgeRemoteWrite
import BridgeStackState
import BridgeTopology
import Foundation
import Yams

extension Configuration {
    /// Reads and validates the configuration in `file`; errors name the file, key, value and what
    /// was expected.
    public static func load(file: String) throws(ConfigurationError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigurationError(file: file, path: "", value: "", expected: "a readable YAML file")
        }
        do {
            return try parse(String(decoding: data, as: UTF8.self))
        } catch {
            throw error.inFile(file)
        }
    }

    /// Parses and validates YAML text.
    public static func parse(_ text: String) throws(ConfigurationError) -> Configuration {
        let root: Yams.Node
        do {
            root = try Yams.compose(yaml: text) ?? Yams.Node.mapping([:])
        } catch {
            throw ConfigurationError(path: "", value: "", expected: "valid YAML (\(error))")
        }
        var configuration = Configuration()
        let top = try Section(root, path: "").keys([
            "cluster_name", "mode", "kubernetes", "scrape", "enrich", "server", "topology_metrics", "remote_write",
            "stackstate",
        ])
        if let node = top["cluster_name"] { configuration.clusterName = try node.string() }
        if let node = top["mode"] { configuration.mode = try node.choice(Mode.self) }
        if let section = try top["kubernetes"]?.keys([
            "api_server", "kubeconfig", "kubelet_access", "ca_file", "bearer_token_file", "insecure_skip_verify",
            "cert_file", "key_file", "server_name", "leader_election",
        ]) {
            var kubernetes = Kubernetes()
            kubernetes.apiServer = try section["api_server"]?.url()
            kubernetes.kubeconfig = try section["kubeconfig"]?.string()
            if let node = section["kubelet_access"] {
                kubernetes.kubeletAccess = try node.choice(KubeletAccessMode.self)
            }
            kubernetes.security = try section.security()
            if let election = section["leader_election"] { kubernetes.leaderElection = try election.leaderElection() }
            configuration.kubernetes = kubernetes
        }
        if let section = try top["scrape"]?.keys([
            "interval", "timeout", "kube_state_metrics", "kubelet", "static_targets",
        ]) {
            var scrape = Scrape()
            if let node = section["interval"] { scrape.interval = try node.duration() }
            if let node = section["timeout"] { scrape.timeout = try node.duration() }
            if let ksm = try section["kube_state_metrics"]?.keys(["urls", "service", "metric_relabel_configs"]) {
                scrape.kubeStateMetricsURLs =
                    try ksm["urls"]?.list { section throws(ConfigurationError) in try section.url() } ?? []
                if let node = ksm["service"] {
                    let service = try node.string()
                    guard service.split(separator: "/").count == 2 else {
                        throw node.error(service, "namespace/name, for example kube-system/kube-state-metrics")
                    }
                    scrape.kubeStateMetricsService = service
                }
                scrape.kubeStateMetricsRelabelConfigs = try ksm["metric_relabel_configs"]?.relabelConfigs() ?? []
            }
            if let kubelet = try section["kubelet"]?.keys(["metric_relabel_configs"]) {
                scrape.kubeletRelabelConfigs = try kubelet["metric_relabel_configs"]?.relabelConfigs() ?? []
            }
            scrape.staticTargets =
                try section["static_targets"]?.list { node throws(ConfigurationError) in
                    let entry = try node.keys([
                        "job", "url", "ca_file", "bearer_token_file", "insecure_skip_verify", "proxy_url", "basic_auth",
                        "cert_file", "key_file", "server_name", "metric_relabel_configs",
                    ])
                    guard let job = entry["job"], let url = entry["url"] else {
                        throw ConfigurationError(
                            path: node.path, value: "", expected: "a static target with both job and url")
                    }
                    var target = StaticTarget(job: try job.string(), url: try url.url())
                    target.security = try entry.security()
                    target.metricRelabelConfigs = try entry["metric_relabel_configs"]?.relabelConfigs() ?? []
                    return target
                } ?? []
            guard scrape.timeout <= scrape.interval else {
                throw ConfigurationError(
                    path: "scrape.timeout", value: PrometheusDuration.format(scrape.timeout),
                    expected: "at most scrape.interval (\(PrometheusDuration.format(scrape.interval)))")
            }
            configuration.scrape = scrape
        }
        if let section = try top["enrich"]?.keys([
            "cluster_label", "pod_labels", "overwrite", "label_names",
        ]) {
            var enrich = EnrichmentOptions()
            if let node = section["cluster_label"] { enrich.clusterLabel = try node.labelName() }
            enrich.podLabels =
                try section["pod_labels"]?.list { label throws(ConfigurationError) in try label.string() } ?? []
            if let node = section["overwrite"] { enrich.overwrite = try node.bool() }
            if let names = try section["label_names"]?.keys([
                "node", "workload_kind", "workload", "owner_kind", "owner", "zone", "region",
            ]) {
                if let node = names["node"] { enrich.nodeLabel = try node.labelName() }
                if let node = names["workload_kind"] { enrich.workloadKindLabel = try node.labelName() }
                if let node = names["workload"] { enrich.workloadLabel = try node.labelName() }
                if let node = names["owner_kind"] { enrich.ownerKindLabel = try node.labelName() }
                if let node = names["owner"] { enrich.ownerLabel = try node.labelName() }
                if let node = names["zone"] { enrich.zoneLabel = try node.labelName() }
                if let node = names["region"] { enrich.regionLabel = try node.labelName() }
            }
            configuration.enrich = enrich
        }
        if let section = try top["server"]?.keys(["listen", "web_config_file"]) {
            if let node = section["listen"] {
                let listen = try node.string()
                guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
                    (0...65535).contains(port)
                else { throw node.error(listen, "HOST:PORT, for example 0.0.0.0:10057") }
                configuration.server.listen = listen
            }
            configuration.server.webConfigFile = try section["web_config_file"]?.string()
        }
        if let section = try top["topology_metrics"]?.keys(["relations", "interval"]) {
            if let node = section["relations"] { configuration.topologyMetrics.relations = try node.bool() }
            if let node = section["interval"] { configuration.topologyMetrics.interval = try node.duration() }
        }
        configuration.remoteWrite =
            try top["remote_write"]?.list { node throws(ConfigurationError) in
                try remoteWrite(node)
            } ?? []
        if let node = top["stackstate"] { configuration.stackState = try stackState(node) }
        return configuration
    }

    private static func stackState(_ node: Section) throws(ConfigurationError) -> StackState {
        let section = try node.keys([
            "url", "api_key_file", "topology_interval", "metrics_interval", "events_interval", "topology", "health",
            "events", "metrics", "queue_bytes", "timeout", "event_categories", "ca_file", "cert_file", "key_file",
            "server_name", "insecure_skip_verify", "proxy_url",
        ])
        guard let url = section["url"] else {
            throw ConfigurationError(
                path: node.path, value: "",
                expected: "the receiver's url, such as https://<tenant>.app.stackstate.io/receiver/stsAgent")
        }
        var endpoint = StackStateEndpoint(url: try url.url(), apiKey: "")
        endpoint.security = try section.security()
        if let node = section["timeout"] { endpoint.timeout = try node.duration() }
        var settings = ForwarderSettings(endpoint: endpoint)
        if let node = section["topology_interval"] { settings.topologyInterval = try node.duration() }
        if let node = section["metrics_interval"] { settings.metricsInterval = try node.duration() }
        if let node = section["events_interval"] { settings.eventsInterval = try node.duration() }
        if let node = section["topology"] { settings.topology = try node.bool() }
        if let node = section["health"] { settings.health = try node.bool() }
        if let node = section["events"] { settings.events = try node.bool() }
        if let node = section["metrics"] { settings.metrics = try node.bool() }
        if let node = section["queue_bytes"] { settings.queueBytes = try node.bytes() }
        if let categories = section["event_categories"] {
            guard case .mapping(let mapping) = categories.node else {
                throw categories.error("", "a mapping of event reason to category")
            }
            for (key, value) in mapping {
                let reason = key.scalar?.string ?? ""
                settings.eventCategories[reason] = try Section(value, path: "\(categories.path).\(reason)")
                    .choice(EventCategory.self)
            }
        }
        return StackState(forwarder: settings, apiKeyFile: try section["api_key_file"]?.string())
    }

    private static func remoteWrite(_ node: Section) throws(ConfigurationError) -> RemoteWrite {
        let entry = try node.keys([
            "url", "headers", "remote_timeout", "queue_config", "spool", "ca_file", "cert_file", "key_file",
            "server_name", "bearer_token_file", "insecure_skip_verify", "proxy_url", "basic_auth",
        ])
        guard let url = entry["url"] else {
            throw ConfigurationError(path: node.path, value: "", expected: "a remote_write entry with url")
        }
        var endpoint = RemoteWriteEndpoint(url: try url.url())
        endpoint.security = try entry.security()
        if let node = entry["remote_timeout"] { endpoint.timeout = try node.duration() }
        if let headers = entry["headers"] {
            guard case .mapping(let mapping) = headers.node else {
                throw headers.error("", "a mapping of header to value")
            }
            for (key, value) in mapping { endpoint.headers[key.scalar?.string ?? ""] = value.scalar?.string ?? "" }
        }
        var settings = RemoteWrite(endpoint: endpoint)
        if let queue = try entry["queue_config"]?.keys([
            "capacity", "max_shards", "max_samples_per_send", "batch_send_deadline", "min_backoff", "max_backoff",
            "retry_on_http_429",
        ]) {
            if let node = queue["capacity"] { settings.queue.capacity = try node.positiveInt() }
            if let node = queue["max_shards"] { settings.queue.maxShards = try node.positiveInt() }
            if let node = queue["max_samples_per_send"] { settings.queue.maxSamplesPerSend = try node.positiveInt() }
            if let node = queue["batch_send_deadline"] { settings.queue.batchSendDeadline = try node.duration() }
            if let node = queue["min_backoff"] { settings.queue.minBackoff = try node.duration() }
            if let node = queue["max_backoff"] { settings.queue.maxBackoff = try node.duration() }
            if let node = queue["retry_on_http_429"] { settings.endpoint.retryOnHTTP429 = try node.bool() }
        }
        if let spool = try entry["spool"]?.keys(["path", "max_disk_bytes"]) {
            settings.spoolPath = try spool["path"]?.string()
            if let node = spool["max_disk_bytes"] { settings.maxDiskBytes = try node.bytes() }
        }
        return settings
    }
}

/// A YAML node with its key path, for messages.
struct Section {
    let node: Yams.Node
    let path: String

    init(_ node: Yams.Node, path: String) {
        self.node = node
        self.path = path
    }

    func error(_ value: String, _ expected: String) -> ConfigurationError {
        ConfigurationError(path: path, value: value, expected: expected)
    }

    private var text: String { node.scalar?.string ?? "" }

    /// The mapping's entries; a key outside `allowed` is an error that lists the allowed keys.
    func keys(_ allowed: [String]) throws(ConfigurationError) -> Mapping {
        guard case .mapping(let mapping) = node else { throw error(text, "a mapping") }
        var entries: [String: Section] = [:]
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            let child = path.isEmpty ? name : "\(path).\(name)"
            guard allowed.contains(name) else {
                throw ConfigurationError(
                    path: child, value: "", expected: "no such key; keys here are \(allowed.joined(separator: ", "))")
            }
            entries[name] = Section(value, path: child)
        }
        return Mapping(entries: entries)
    }

    /// Each element of a list, transformed.
    func list<T>(_ transform: (Section) throws(ConfigurationError) -> T) throws(ConfigurationError) -> [T] {
        guard case .sequence(let sequence) = node else { throw error(text, "a list") }
        var result: [T] = []
        for (index, element) in sequence.enumerated() {
            result.append(try transform(Section(element, path: "\(path)[\(index)]")))
        }
        return result
    }

    func string() throws(ConfigurationError) -> String {
        guard let scalar = node.scalar else { throw error("", "a string") }
        return scalar.string
    }

    func bool() throws(ConfigurationError) -> Bool {
        switch text {
        case "true": return true
        case "false": return false
        default: throw error(text, "true or false")
        }
    }

    func duration() throws(ConfigurationError) -> Duration {
        guard let duration = PrometheusDuration.parse(try string()), duration > .zero else {
            throw error(text, "a positive duration such as 30s, 1m or 1m30s")
        }
        return duration
    }

    func positiveInt() throws(ConfigurationError) -> Int {
        guard let value = Int(try string()), value > 0 else { throw error(text, "a positive whole number") }
        return value
    }

    /// A size such as `1GiB`, `512MiB`, `100MB` or a plain number of bytes.
    func bytes() throws(ConfigurationError) -> Int {
        let value = try string()
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("KB", 1000), ("MB", 1_000_000),
            ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
        ]
        for (unit, size) in units where value.hasSuffix(unit) {
            if let number = Int(value.dropLast(unit.count)), number > 0 { return number * size }
        }
        if let number = Int(value), number > 0 { return number }
        throw error(value, "a size such as 1GiB, 512MiB or 100MB")
    }

    func url() throws(ConfigurationError) -> String {
        let value = try string()
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw error(RedactedURL.string(value), "an http:// or https:// URL")
        }
        return value
    }

    func labelName() throws(ConfigurationError) -> String {
        let value = try string()
        guard TextEscaping.isLabelName(value) else {
            throw error(value, "a label name matching [a-zA-Z_][a-zA-Z0-9_]*")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(ConfigurationError) -> T
    where T.RawValue == String {
        let value = try string()
        guard let choice = T(rawValue: value) else {
            throw error(value, "one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }

    func relabelConfigs() throws(ConfigurationError) -> [RelabelConfig] {
        do {
            return try YAMLDecoder().decode([RelabelConfig].self, from: node)
        } catch {
            guard var found = ConfigurationError.from(error) else {
                throw self.error("", "a list of relabel_config rules (\(error))")
            }
            found.path = found.path.isEmpty ? path : "\(path)\(found.path.hasPrefix("[") ? "" : ".")\(found.path)"
            throw found
        }
    }

    /// `kubernetes.leader_election`, with client-go's ordering of the timings enforced
    /// (lease duration > renew deadline > 1.2 × retry period), without which two replicas could
    /// both believe they lead.
    func leaderElection() throws(ConfigurationError) -> Configuration.LeaderElection {
        let section = try keys([
            "enabled", "lease_name", "lease_namespace", "lease_duration", "renew_deadline", "retry_period",
        ])
        var election = Configuration.LeaderElection()
        if let node = section["enabled"] { election.enabled = try node.bool() }
        if let node = section["lease_name"] { election.leaseName = try node.string() }
        if let node = section["lease_namespace"] { election.namespace = try node.string() }
        if let node = section["lease_duration"] { election.leaseDuration = try node.duration() }
        if let node = section["renew_deadline"] { election.renewDeadline = try node.duration() }
        if let node = section["retry_period"] { election.retryPeriod = try node.duration() }
        guard election.renewDeadline < election.leaseDuration else {
            throw ConfigurationError(
                path: "\(path).renew_deadline", value: PrometheusDuration.format(election.renewDeadline),
                expected: "less than lease_duration (\(PrometheusDuration.format(election.leaseDuration)))")
        }
        guard election.retryPeriod * 1.2 < election.renewDeadline else {
            throw ConfigurationError(
                path: "\(path).retry_period", value: PrometheusDuration.format(election.retryPeriod),
                expected: "less than renew_deadline / 1.2 (\(PrometheusDuration.format(election.renewDeadline)))")
        }
        return election
    }

    /// A mapping's entries by key.
    struct Mapping {
        let entries: [String: Section]

        subscript(_ key: String) -> Section? { entries[key] }

        /// TLS, token, proxy and basic auth keys shared by every endpoint.
        func security() throws(ConfigurationError) -> EndpointSecurity {
            var security = EndpointSecurity()
            security.caFile = try self["ca_file"]?.string()
            security.certFile = try self["cert_file"]?.string()
            security.keyFile = try self["key_file"]?.string()
            security.serverName = try self["server_name"]?.string()
            security.bearerTokenFile = try self["bearer_token_file"]?.string()
            if let node = self["insecure_skip_verify"] { security.insecureSkipVerify = try node.bool() }
            security.proxyURL = try self["proxy_url"]?.url()
            if let auth = try self["basic_auth"]?.keys(["username", "password_file"]) {
                guard let username = auth["username"], let passwordFile = auth["password_file"] else {
                    throw ConfigurationError(
                        path: self["basic_auth"]!.path, value: "", expected: "both username and password_file")
                }
                let file = try passwordFile.string()
                guard let password = FileManager.default.contents(atPath: file) else {
                    throw passwordFile.error(file, "a readable file holding the password")
                }
                security.basicAuth = EndpointSecurity.BasicAuth(
                    username: try username.string(),
                    password: String(decoding: password, as: UTF8.self).trimmingCharacters(in: .newlines))
            }
            return security
        }
    }
}
