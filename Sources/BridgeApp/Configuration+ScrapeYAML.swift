import BridgeCore
import BridgeHTTP
import BridgeScrape
import Foundation

extension Configuration {
    /// `scrape:`. The timeout defaults as Prometheus' `scrape_timeout` does: 10 s, or the
    /// interval when that is shorter.
    static func scrape(_ node: Section) throws(ConfigurationError) -> Scrape {
        let section = try node.keys(ConfigurationSchema.scrape)
        var scrape = Scrape()
        if let node = section["interval"] { scrape.interval = try node.duration() }
        if let node = section["timeout"] {
            scrape.timeout = try node.duration()
        } else {
            scrape.timeout = min(scrape.timeout, scrape.interval)
        }
        try section.ordered("timeout", scrape.timeout, below: "interval", scrape.interval, strictly: false)
        if let ksm = try section["kube_state_metrics"]?.keys(ConfigurationSchema.kubeStateMetrics) {
            scrape.kubeStateMetricsURLs =
                try ksm["urls"]?.list { section throws(ConfigurationError) in try section.url() } ?? []
            if let node = ksm["service"] {
                let service = try node.string()
                guard service.split(separator: "/").count == 2 else {
                    throw node.error(service, "namespace/name, for example kube-system/kube-state-metrics")
                }
                scrape.kubeStateMetricsService = service
            }
            scrape.kubeStateMetricsNodeLocalURL = try ksm["node_local_url"]?.url()
            scrape.kubeStateMetricsTelemetryURL = try ksm["telemetry_url"]?.url()
            scrape.kubeStateMetricsRelabelConfigs = try ksm["metric_relabel_configs"]?.relabelConfigs() ?? []
            scrape.kubeStateMetricsLimits = try ksm.scrapeLimits()
        }
        if let node = section["body_memory_budget"] {
            scrape.bodyMemoryBudget = try node.bytes()
            guard scrape.bodyMemoryBudget >= 16 << 20 else {
                throw node.error(try node.string(), "at least 16MiB, room for one scrape body")
            }
        }
        if let kubelet = try section["kubelet"]?.keys(ConfigurationSchema.kubelet) {
            scrape.kubeletRelabelConfigs = try kubelet["metric_relabel_configs"]?.relabelConfigs() ?? []
            scrape.kubeletLimits = try kubelet.scrapeLimits()
        }
        let entries =
            try section["static_targets"]?.list { node throws(ConfigurationError) in
                try staticTargets(node, scrape: scrape)
            } ?? []
        scrape.staticTargets = entries.flatMap { $0 }
        return scrape
    }

    /// One `static_targets` entry: `{job, url}`, or a Prometheus `scrape_config` whose
    /// `static_configs` list `host:port` targets (the URL then is `scheme://target/metrics_path?params`,
    /// the instance the target as written).
    private static func staticTargets(
        _ node: Section, scrape: Scrape
    ) throws(ConfigurationError) -> [StaticTarget] {
        let entry = try node.keys(ConfigurationSchema.staticTarget)
        guard let jobNode = try entry.either("job_name", or: "job") else {
            throw ConfigurationError.missingKey(path: node.path, key: "job_name", expected: "the job's name (or job)")
        }
        var template = StaticTarget(job: try jobNode.string(), url: "")
        template.security = try entry.security()
        template.metricRelabelConfigs = try entry["metric_relabel_configs"]?.relabelConfigs() ?? []
        if let node = entry["honor_labels"], try node.bool() {
            throw ConfigurationError.unsupported(
                path: node.path,
                reason: "honor_labels: true is not built; a target label that a series carries too is kept as "
                    + "exported_<name>, as with honor_labels: false")
        }
        if let node = entry["honor_timestamps"] { template.honorTimestamps = try node.bool() }
        template.limits = try entry.scrapeLimits()
        if entry["scrape_interval"] != nil || entry["scrape_timeout"] != nil {
            let interval = try entry["scrape_interval"]?.duration() ?? scrape.interval
            let timeout = try entry["scrape_timeout"]?.duration() ?? min(scrape.timeout, interval)
            try entry.ordered("scrape_timeout", timeout, below: "scrape_interval", interval, strictly: false)
            template.interval = interval
            template.timeout = timeout
        }
        switch (entry["url"], entry["static_configs"]) {
        case (let url?, nil):
            for key in ["scheme", "metrics_path", "params", "relabel_configs"] where entry[key] != nil {
                throw ConfigurationError.unsupported(
                    path: entry.path(of: key), reason: "\(key) applies to static_configs targets; url is complete")
            }
            template.url = try url.url()
            return [template]
        case (nil, let configs?):
            let settings = try TargetSettings(entry)
            return try configs.list { node throws(ConfigurationError) in
                try staticConfig(node, template: template, settings: settings)
            }.flatMap { $0 }
        case (let url?, _?):
            throw ConfigurationError.conflict(path: url.path, with: entry.path(of: "static_configs"))
        case (nil, nil):
            throw ConfigurationError.missingKey(
                path: node.path, key: "static_configs", expected: "the targets, or a url")
        }
    }

    /// What a scrape config puts around each of its targets: `scheme`, `metrics_path`, `params`,
    /// and `relabel_configs`, Prometheus' target relabeling.
    private struct TargetSettings {
        var scheme = "http"
        var metricsPath = "/metrics"
        var params: [(name: String, values: [String])] = []
        var relabeler = Relabeler([])

        init(_ entry: Section.Mapping) throws(ConfigurationError) {
            if let node = entry["scheme"] {
                scheme = try node.string()
                guard scheme == "http" || scheme == "https" else { throw node.error(scheme, "http or https") }
            }
            if let node = entry["metrics_path"] { metricsPath = try node.string() }
            if let node = entry["params"] {
                guard case .mapping(let mapping) = node.node else {
                    throw node.error("", "a mapping of parameter to a list of values")
                }
                for (key, value) in mapping {
                    let name = key.scalar?.string ?? ""
                    let values = try Section(value, path: "\(node.path).\(name)").list {
                        item throws(ConfigurationError) in try item.string()
                    }
                    params.append((name, values))
                }
            }
            relabeler = Relabeler(try entry["relabel_configs"]?.relabelConfigs() ?? [])
        }
    }

    /// The targets of one `static_configs` entry, labelled and relabeled as Prometheus does it:
    /// the group's labels with `__address__`, then `job`, `__scheme__`, `__metrics_path__` and
    /// `__param_<name>` where the group did not set them; `relabel_configs` may rewrite or drop a
    /// target, and the URL is made from what the rules leave.
    private static func staticConfig(
        _ node: Section, template: StaticTarget, settings: TargetSettings
    ) throws(ConfigurationError) -> [StaticTarget] {
        let section = try node.keys(ConfigurationSchema.staticConfig)
        var groupLabels: [LabelPair] = []
        for (name, value, path) in try section["labels"]?.stringMapping("a mapping of label to value") ?? [] {
            guard TextEscaping.isLabelName(name) else {
                throw ConfigurationError(
                    path: path, value: name, expected: "a label name matching [a-zA-Z_][a-zA-Z0-9_]*")
            }
            groupLabels.append(LabelPair(name, value))
        }
        var defaults = [
            LabelPair("job", template.job), LabelPair("__scheme__", settings.scheme),
            LabelPair("__metrics_path__", settings.metricsPath),
        ]
        defaults += settings.params.compactMap { param in
            param.values.first.map { LabelPair("__param_\(param.name)", $0) }
        }
        let targets =
            try section["targets"]?.list { node throws(ConfigurationError) -> StaticTarget? in
                var labels = [LabelPair("__address__", try node.string())]
                labels += groupLabels.filter { $0.name != "__address__" }
                for label in defaults where !labels.contains(where: { $0.name == label.name }) { labels.append(label) }
                guard let kept = settings.relabeler.isEmpty ? labels : settings.relabeler.apply(to: labels) else {
                    return nil
                }
                return try target(node, kept, template: template, params: settings.params)
            } ?? []
        return targets.compactMap { $0 }
    }

    /// A target from its labels after relabeling: `instance` defaults to `__address__`, `__`
    /// labels are dropped, `__param_<name>` replaces that parameter.
    private static func target(
        _ node: Section, _ labels: [LabelPair], template: StaticTarget, params: [(name: String, values: [String])]
    ) throws(ConfigurationError) -> StaticTarget {
        func value(_ name: String) -> String? { labels.first { $0.name == name }?.value }
        let address = value("__address__") ?? ""
        let scheme = value("__scheme__") ?? "http"
        let path = value("__metrics_path__") ?? "/metrics"
        var query = params.flatMap { param in param.values.map { (name: param.name, value: $0) } }
        for label in labels where label.name.hasPrefix("__param_") {
            let name = String(label.name.dropFirst("__param_".count))
            query.removeAll { $0.name == name }
            query.append((name, label.value))
        }
        let queryText = query.map { "\(queryEscaped($0.name))=\(queryEscaped($0.value))" }.sorted()
            .joined(separator: "&")
        let url = "\(scheme)://\(address)\(path)" + (queryText.isEmpty ? "" : "?\(queryText)")
        guard !address.isEmpty, !address.contains("/"), scheme == "http" || scheme == "https", path.hasPrefix("/"),
            URL(string: url)?.host != nil
        else {
            throw node.error(address, "host:port, such as 10.0.0.1:9100, that makes an http(s) URL with the path")
        }
        var target = template
        target.job = value("job") ?? template.job
        target.url = url
        target.instance = value("instance") ?? address
        target.labels = labels.filter {
            !$0.name.hasPrefix("__") && $0.name != "job" && $0.name != "instance" && !$0.value.isEmpty
        }
        return target
    }

    /// Escapes a query name or value as Go's `url.QueryEscape` does for Prometheus' `params`: all
    /// but letters, digits and `-_.~`.
    private static func queryEscaped(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension Section.Mapping {
    /// Prometheus' per-target limits in this mapping (ConfigurationSchema.scrapeLimits).
    func scrapeLimits() throws(ConfigurationError) -> ScrapeLimits {
        var limits = ScrapeLimits()
        if let node = self["sample_limit"] { limits.sampleLimit = try node.nonNegativeInt() }
        if let node = self["label_limit"] { limits.labelLimit = try node.nonNegativeInt() }
        if let node = self["label_name_length_limit"] { limits.labelNameLengthLimit = try node.nonNegativeInt() }
        if let node = self["label_value_length_limit"] { limits.labelValueLengthLimit = try node.nonNegativeInt() }
        if let node = self["body_size_limit"] {
            let bytes = try node.bytes(base2: true)
            // Prometheus reads 0 as no limit; the bridge keeps a bound on every body.
            if bytes > 0 { limits.bodySizeLimit = bytes }
        }
        return limits
    }
}
