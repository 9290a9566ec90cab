import Foundation
import Testing

@testable import BridgeApp

/// What a `shard`-mode bridge reads from its kube-state-metrics shard's telemetry, and how long a
/// change of the shard count protects moved series from staleness markers.
@Suite struct KubeStateMetricsShardStateTests {
    @Test func theOrdinalAndCountAreReadFromKubeStateMetricsTelemetry() {
        let text = """
            # HELP kube_state_metrics_shard_ordinal Current sharding ordinal/index of this instance
            # TYPE kube_state_metrics_shard_ordinal gauge
            kube_state_metrics_shard_ordinal{shard_ordinal="2"} 2
            # TYPE kube_state_metrics_total_shards gauge
            kube_state_metrics_total_shards 3
            kube_state_metrics_list_total{resource="pods",result="success"} 4
            """
        let shard = KubeStateMetricsShardReader.shard(in: text)
        #expect(shard?.ordinal == 2 && shard?.total == 3)
    }

    @Test(arguments: [
        "kube_state_metrics_total_shards 3\n",  // no ordinal
        "kube_state_metrics_shard_ordinal{shard_ordinal=\"3\"} 3\nkube_state_metrics_total_shards 3\n",  // out of range
        "kube_state_metrics_shard_ordinal{shard_ordinal=\"0\"} 0\nkube_state_metrics_total_shards 0\n",  // no shards
        "kube_state_metrics_shard_ordinal{shard_ordinal=\"0\"} NaN\nkube_state_metrics_total_shards 1e99\n",
        "<html>502 Bad Gateway</html>",
    ])
    func answersWithoutAUsableShardAreNone(_ text: String) {
        #expect(KubeStateMetricsShardReader.shard(in: text) == nil)
    }

    @Test func aChangedCountHandsOverForTwoIntervalsAndTheFirstReadingDoesNot() {
        let state = KubeStateMetricsShardState(handover: .seconds(60))
        let start = ContinuousClock.now
        state.record(ordinal: 0, total: 2, at: start)
        #expect(!state.isHandingOver(at: start), "the first reading is no change")
        state.record(ordinal: 0, total: 2, at: start + .seconds(30))
        #expect(!state.isHandingOver(at: start + .seconds(30)))
        state.record(ordinal: 0, total: 3, at: start + .seconds(60))
        #expect(state.isHandingOver(at: start + .seconds(61)) && state.isHandingOver(at: start + .seconds(119)))
        #expect(!state.isHandingOver(at: start + .seconds(120)))
        let names = Set(state.families().map(\.name))
        #expect(names == Set(KubeStateMetricsShardState.familyNames))
    }
}
