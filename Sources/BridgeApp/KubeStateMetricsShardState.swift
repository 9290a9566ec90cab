import BridgeCore
import Synchronization

/// Which kube-state-metrics shard this bridge forwards, as the shard itself says on its telemetry
/// port (`kube_state_metrics_shard_ordinal`, `kube_state_metrics_total_shards`), and when the
/// number of shards last changed.
///
/// When the StatefulSet is scaled, kube-state-metrics rebuilds every shard's stores and objects
/// move between shards (about 1/N of them, by Jump hash of the UID): a series leaving this shard is
/// not gone, another shard's forwarder now sends it. For two scrape intervals after a change, the
/// series that vanish from this shard's scrapes get no staleness marker, which would mark at the
/// receiver a series another forwarder is writing (reference/large-clusters.md §2, the handover
/// rule; grafana/alloy#703 had the same bug and fix).
public final class KubeStateMetricsShardState: Sendable {
    private struct State {
        var ordinal: Int?
        var total: Int?
        var changedAt: ContinuousClock.Instant?
        var changes = 0
    }

    private let state = Mutex(State())
    /// How long after a change of the shard count vanished series are taken to have moved.
    public let handover: Duration

    /// A state with no shard known yet; `handover` is two scrape intervals.
    public init(handover: Duration) {
        self.handover = handover
    }

    /// The family names, for docs/metrics.md.
    public static let familyNames = [
        "stackbridge_kube_state_metrics_shard_ordinal", "stackbridge_kube_state_metrics_total_shards",
        "stackbridge_kube_state_metrics_reshards_total",
    ]

    /// Records what the shard's telemetry said. A change of the count after the first reading
    /// starts a handover.
    public func record(ordinal: Int, total: Int, at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if let previous = state.total, previous != total {
                state.changedAt = now
                state.changes += 1
            }
            (state.ordinal, state.total) = (ordinal, total)
        }
    }

    /// Whether series that vanish now moved to another shard rather than ended.
    public func isHandingOver(at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in state.changedAt.map { now - $0 < handover } ?? false }
    }

    /// The shard's ordinal and count once known, and how often the count changed.
    func families() -> [MetricFamilyValue] {
        let state = state.withLock { $0 }
        guard let ordinal = state.ordinal, let total = state.total else { return [] }
        func gauge(_ name: String, _ type: MetricType, _ help: String, _ value: Double) -> MetricFamilyValue {
            MetricFamilyValue(
                name: name, type: type, help: help, samples: [MetricSampleValue(name: name, labels: [], value: value)])
        }
        return [
            gauge(
                "stackbridge_kube_state_metrics_shard_ordinal", .gauge,
                "The kube-state-metrics shard this bridge forwards, as the shard's telemetry says.", Double(ordinal)),
            gauge(
                "stackbridge_kube_state_metrics_total_shards", .gauge,
                "How many kube-state-metrics shards the forwarded shard knows of.", Double(total)),
            gauge(
                "stackbridge_kube_state_metrics_reshards_total", .counter,
                "Changes of the shard count seen; each starts a handover of two scrape intervals.",
                Double(state.changes)),
        ]
    }
}
