import BridgeCore
import BridgeHTTP

/// One endpoint to scrape and how.
public struct ScrapeTarget: Sendable, Hashable, Identifiable {
    /// The job the target belongs to (`kubelet`, `kube-state-metrics`, or a static job's name).
    public var job: String
    /// The URL to GET.
    public var url: String
    /// Identifies the target among the job's targets (the node name for a kubelet, host:port otherwise).
    public var instance: String
    /// Labels added to every scraped series, in order (for a kubelet: `node`, `metrics_path`).
    /// A series that already has one of them keeps its value as `exported_<name>`, as Prometheus
    /// does with `honor_labels: false`, so two distinct series can never become one.
    public var seriesLabels: [LabelPair]
    /// TLS, authentication and proxy.
    public var security: EndpointSecurity
    /// Time between scrapes.
    public var interval: Duration
    /// Time allowed for one scrape.
    public var timeout: Duration
    /// The largest decoded body accepted.
    public var bodyLimit: Int
    /// The most samples accepted after relabeling; more fails the scrape (0: no limit).
    public var sampleLimit: Int
    /// Most labels a series may have, `__name__` included (`label_limit`; 0: no limit).
    public var labelLimit = 0
    /// Longest label name in bytes (`label_name_length_limit`; 0: no limit).
    public var labelNameLengthLimit = 0
    /// Longest label value in bytes (`label_value_length_limit`; 0: no limit).
    public var labelValueLengthLimit = 0
    /// Whether explicit sample timestamps are kept; off for kubelets, whose cAdvisor timestamps
    /// kube-prometheus drops too.
    public var honorTimestamps: Bool
    /// `metric_relabel_configs`.
    public var metricRelabelConfigs: [RelabelConfig]
    /// Whether the target is one shard of a source whose objects move between shards when they
    /// are resized (a kube-state-metrics shard in `shard` mode): its scraped series are written
    /// without `instance`, so that an object's series stay the same series whichever shard sends
    /// them (its own `up` and `scrape_*` keep it), and while the shards change the series that
    /// leave it get no staleness marker (reference/large-clusters.md §5.1).
    public var isShard = false

    /// Creates a target with Prometheus' defaults: 30 s interval, 10 s timeout, timestamps honoured.
    public init(
        job: String,
        url: String,
        instance: String? = nil,
        seriesLabels: [LabelPair] = [],
        security: EndpointSecurity = EndpointSecurity(),
        interval: Duration = .seconds(30),
        timeout: Duration = .seconds(10),
        bodyLimit: Int = 256 << 20,
        sampleLimit: Int = 0,
        honorTimestamps: Bool = true,
        metricRelabelConfigs: [RelabelConfig] = []
    ) {
        self.job = job
        self.url = url
        self.instance = instance ?? HostAndPortText.authority(of: url)
        self.seriesLabels = seriesLabels
        self.security = security
        self.interval = interval
        self.timeout = timeout
        self.bodyLimit = bodyLimit
        self.sampleLimit = sampleLimit
        self.honorTimestamps = honorTimestamps
        self.metricRelabelConfigs = metricRelabelConfigs
    }

    /// `job` and `url` together identify a target.
    public var id: String { job + " " + url }

    /// FNV-1a 64 of ``id``: stable across restarts and spread between targets. It places the target's
    /// first scrape in the interval (``ScrapeJitter``) and picks its event loop (``ScrapePool``).
    public var idHash: UInt64 { FNV1a64.hash(id.utf8) }

    /// The labels of the target's own series (`up` and the other scrape metrics): `job`, `instance`,
    /// then the series labels.
    public var targetLabels: [LabelPair] {
        [LabelPair("job", job), LabelPair("instance", instance)]
            + seriesLabels.filter { $0.name != "job" && $0.name != "instance" }
    }
}

/// The `host:port` part of a URL, without credentials.
enum HostAndPortText {
    static func authority(of url: String) -> String {
        let redacted = RedactedURL.string(url)
        guard let scheme = redacted.range(of: "://") else { return redacted }
        let rest = redacted[scheme.upperBound...]
        return String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
    }
}
