import BridgeCore
import BridgeSimulator
import Testing

/// kube-state-metrics' sharding as the simulator reproduces it: the same hash functions, and the
/// shards of one count partition the objects.
@Suite struct KubeStateMetricsShardTests {
    /// Go's `hash/fnv` New64a on the FNV reference strings.
    @Test(arguments: [
        ("", 0xcbf2_9ce4_8422_2325 as UInt64), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8),
    ])
    func fnv64aMatchesTheReference(_ text: String, _ hash: UInt64) {
        #expect(FNV1a64.hash(text.utf8) == hash)
    }

    /// The buckets for 1 to 19 buckets, generated from the paper's reference C++ code (the vectors
    /// of the Go package kube-state-metrics uses).
    @Test(arguments: [
        (1 as UInt64, [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17] as [Int]),
        (0xdead_beef as UInt64, [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16] as [Int]),
        (0x0ddc_0ffe_ebad_f00d as UInt64, [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15] as [Int]),
    ])
    func jumpMatchesTheReference(_ key: UInt64, _ buckets: [Int]) {
        #expect(buckets.indices.map { KubeStateMetricsShard.jump(key, buckets: $0 + 1) } == buckets)
    }

    func series(_ body: String) -> Set<String> {
        Set(body.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
    }

    /// Three shards expose every series of the unsharded instance exactly once; growing from two
    /// to three moves series only to the new shard.
    @Test func shardsPartitionTheSeriesAndGrowingMovesOnlyToTheNewShard() throws {
        let cluster = SimulatedCluster(name: "sim", nodes: 4, podsPerNode: 10)
        let all = series(cluster.kubeStateMetrics())
        let three = try (0..<3).map {
            series(cluster.kubeStateMetrics(.shard(try #require(.init(ordinal: $0, total: 3)))))
        }
        #expect(three.reduce(0) { $0 + $1.count } == all.count)
        #expect(three.reduce(into: Set<String>()) { $0.formUnion($1) } == all)
        #expect(three.allSatisfy { !$0.isEmpty })
        let two = try (0..<2).map {
            series(cluster.kubeStateMetrics(.shard(try #require(.init(ordinal: $0, total: 2)))))
        }
        #expect(three[0].isSubset(of: two[0]) && three[1].isSubset(of: two[1]))
        #expect(KubeStateMetricsShard(ordinal: 3, total: 3) == nil)
    }

    /// Per node: that node's pods' series, and no other resource's.
    @Test func aNodeScopeHasThatNodesPodsOnly() {
        let cluster = SimulatedCluster(name: "sim", nodes: 3, podsPerNode: 8)
        let lines = series(cluster.kubeStateMetrics(.node("node-1")))
        let infos = lines.filter { $0.hasPrefix("kube_pod_info{") }
        let onNode = cluster.state.pods.values.filter { $0.spec?.nodeName == "node-1" }.count
        #expect(infos.count == onNode && !infos.isEmpty)
        #expect(infos.allSatisfy { $0.contains(#"node="node-1""#) })
        #expect(lines.allSatisfy { $0.hasPrefix("kube_pod_") }, "\(lines.filter { !$0.hasPrefix("kube_pod_") })")
    }
}
