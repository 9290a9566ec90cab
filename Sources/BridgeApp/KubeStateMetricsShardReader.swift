import BridgeHTTP
import Logging

/// Reads the telemetry of the kube-state-metrics shard this bridge forwards
/// (`scrape.kube_state_metrics.telemetry_url`, its port 8081) for the shard's ordinal and count,
/// into ``KubeStateMetricsShardState``: after each scrape of the shard and before its result is
/// forwarded, so that a scrape which lost series to a resharding finds the new count already
/// recorded (kube-state-metrics sets both when it rebuilds its stores for the new count).
struct KubeStateMetricsShardReader: Sendable {
    let url: String
    /// The longest a reading may take; it holds up forwarding the scrape.
    let timeout: Duration
    let client: HTTPClient
    let state: KubeStateMetricsShardState
    let logger: Logger
    /// One warning per reason a minute.
    private let lines = LogThrottle(interval: .seconds(60))

    init(url: String, timeout: Duration, client: HTTPClient, state: KubeStateMetricsShardState, logger: Logger) {
        self.url = url
        self.timeout = timeout
        self.client = client
        self.state = state
        self.logger = logger
    }

    /// One reading; a failure or an answer without the two series is logged, the last reading kept.
    func read() async {
        let reason: String
        do {
            let response = try await client.execute(HTTPRequest(url: url, timeout: timeout)).requireSuccess(url: url)
            if let shard = Self.shard(in: String(decoding: response.body, as: UTF8.self)) {
                state.record(ordinal: shard.ordinal, total: shard.total)
                return
            }
            reason = "no kube_state_metrics_shard_ordinal and kube_state_metrics_total_shards series"
        } catch {
            reason = error.description
        }
        guard let suppressed = lines.admit(reason) else { return }
        logger.warning(
            "kube-state-metrics shard telemetry unreadable",
            metadata: [
                "ksm.telemetry_url": .string(RedactedURL.string(url)), "ksm.reason": .string(reason),
                "ksm.suppressed": .stringConvertible(suppressed),
            ])
    }

    /// The ordinal and count in kube-state-metrics' telemetry text (kubernetes/kube-state-metrics#1344:
    /// `kube_state_metrics_shard_ordinal{shard_ordinal="k"} k`, `kube_state_metrics_total_shards n`).
    static func shard(in text: String) -> (ordinal: Int, total: Int)? {
        var ordinal: Int?
        var total: Int?
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            guard name == "kube_state_metrics_shard_ordinal" || name == "kube_state_metrics_total_shards",
                let field = line.split(separator: " ").last, let value = Double(field), value >= 0,
                value < Double(Int32.max)
            else { continue }
            if name == "kube_state_metrics_total_shards" { total = Int(value) } else { ordinal = Int(value) }
        }
        guard let ordinal, let total, total > 0, ordinal < total else { return nil }
        return (ordinal, total)
    }
}
