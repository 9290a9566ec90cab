/// Prometheus 2.42's per-target limits as a scrape config sets them (`sample_limit`,
/// `label_limit`, `label_name_length_limit`, `label_value_length_limit`, `body_size_limit`), for
/// one job: a static target's entry, `scrape.kubelet` or `scrape.kube_state_metrics`. 0 means no
/// limit; an unset body size limit keeps the bridge's default.
public struct ScrapeLimits: Sendable, Hashable {
    /// `sample_limit`.
    public var sampleLimit = 0
    /// `label_limit`.
    public var labelLimit = 0
    /// `label_name_length_limit`.
    public var labelNameLengthLimit = 0
    /// `label_value_length_limit`.
    public var labelValueLengthLimit = 0
    /// `body_size_limit` in bytes; nil: the target's default (256 MiB).
    public var bodySizeLimit: Int?

    /// No limits beyond the default body size.
    public init() {}
}

extension ScrapeTarget {
    /// Sets the target's limits from `limits`.
    public mutating func apply(_ limits: ScrapeLimits) {
        sampleLimit = limits.sampleLimit
        labelLimit = limits.labelLimit
        labelNameLengthLimit = limits.labelNameLengthLimit
        labelValueLengthLimit = limits.labelValueLengthLimit
        if let bodySizeLimit = limits.bodySizeLimit { bodyLimit = bodySizeLimit }
    }
}
