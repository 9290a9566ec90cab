import BridgeCore
import BridgeHTTP
import BridgeRemoteWrite
import BridgeStackState
import BridgeTopology

extension Configuration {
    /// The headers a remote-write request always carries, which `headers` cannot replace
    /// (Prometheus 2.42 refuses them the same way).
    static let reservedRemoteWriteHeaders = [
        "content-encoding", "content-type", "x-prometheus-remote-write-version", "user-agent",
    ]

    /// `remote_write:`; names must be unique, as Prometheus requires.
    static func remoteWrites(_ node: Section) throws(ConfigurationError) -> [RemoteWrite] {
        var names: [String: String] = [:]
        return try node.list { node throws(ConfigurationError) in
            let settings = try remoteWrite(node)
            if let name = settings.endpoint.name {
                if let first = names[name] {
                    throw ConfigurationError(
                        path: "\(node.path).name", value: name, expected: "a name no other endpoint has (\(first))")
                }
                names[name] = "\(node.path).name"
            }
            return settings
        }
    }

    private static func remoteWrite(_ node: Section) throws(ConfigurationError) -> RemoteWrite {
        let entry = try node.keys(ConfigurationSchema.remoteWrite)
        guard let url = entry["url"] else {
            throw ConfigurationError.missingKey(path: node.path, key: "url", expected: "the receiver's URL")
        }
        var endpoint = RemoteWriteEndpoint(url: try url.url())
        endpoint.security = try entry.security()
        endpoint.name = try entry["name"]?.string()
        if let node = entry["remote_timeout"] { endpoint.timeout = try node.duration() }
        for (name, value, path) in try entry["headers"]?.stringMapping("a mapping of header to value") ?? [] {
            if name.lowercased() == "authorization" {
                throw ConfigurationError(
                    path: path, value: "<hidden>", expected: "no Authorization header; use authorization or basic_auth")
            }
            if reservedRemoteWriteHeaders.contains(name.lowercased()) {
                throw ConfigurationError(path: path, value: value, expected: "no \(name) header; it is reserved")
            }
            endpoint.headers[name] = value
        }
        var settings = RemoteWrite(endpoint: endpoint)
        settings.writeRelabelConfigs = try entry["write_relabel_configs"]?.relabelConfigs() ?? []
        if let node = entry["send_exemplars"], try node.bool() {
            throw ConfigurationError.unsupported(
                path: node.path, reason: "send_exemplars: true is not built; exemplars stay on /metrics")
        }
        if let node = entry["send_native_histograms"] { settings.sendNativeHistograms = try node.bool() }
        if let node = entry["queue_config"] { try queueConfig(node, into: &settings) }
        if let metadata = try entry["metadata_config"]?.keys(ConfigurationSchema.metadataConfig) {
            if let node = metadata["send"] { settings.sendMetadata = try node.bool() }
            _ = try metadata["send_interval"]?.duration()
            _ = try metadata["max_samples_per_send"]?.positiveInt()
        }
        if let spool = try entry["spool"]?.keys(ConfigurationSchema.spool) {
            settings.spoolPath = try spool["path"]?.string()
            if let node = spool["max_disk_bytes"] {
                let bytes = try node.bytes()
                guard bytes >= RemoteWriteSpool.minimumDiskBytes else {
                    throw node.error(
                        try node.string(), "at least 1MiB: the spool's database and its WAL need that much on disk")
                }
                settings.maxDiskBytes = bytes
            }
        }
        return settings
    }

    private static func queueConfig(_ node: Section, into settings: inout RemoteWrite) throws(ConfigurationError) {
        let queue = try node.keys(ConfigurationSchema.queueConfig)
        if let node = queue["capacity"] { settings.queue.capacity = try node.positiveInt() }
        if let node = queue["max_shards"] { settings.queue.maxShards = try node.positiveInt() }
        if let node = queue["min_shards"] { settings.queue.minShards = try node.positiveInt() }
        if let node = queue["max_samples_per_send"] { settings.queue.maxSamplesPerSend = try node.positiveInt() }
        if let node = queue["batch_send_deadline"] { settings.queue.batchSendDeadline = try node.duration() }
        if let node = queue["min_backoff"] { settings.queue.minBackoff = try node.duration() }
        if let node = queue["max_backoff"] { settings.queue.maxBackoff = try node.duration() }
        if let node = queue["retry_on_http_429"] { settings.endpoint.retryOnHTTP429 = try node.bool() }
        let (minShards, maxShards) = (settings.queue.minShards, settings.queue.maxShards)
        if minShards > maxShards, let written = queue["min_shards"] {
            let shown = "\(maxShards)" + (queue["max_shards"] == nil ? ", the default" : "")
            throw written.error(String(minShards), "at most max_shards (\(shown))")
        }
        try queue.ordered(
            "min_backoff", settings.queue.minBackoff, below: "max_backoff", settings.queue.maxBackoff, strictly: false)
    }

    /// `stackstate:`.
    static func stackState(_ node: Section) throws(ConfigurationError) -> StackState {
        let section = try node.keys(ConfigurationSchema.stackState)
        guard let url = section["url"] else {
            throw ConfigurationError.missingKey(
                path: node.path, key: "url",
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
        if let node = section["processes"] {
            settings.processes = try node.choice(ForwarderSettings.ProcessDelivery.self)
        }
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
}
