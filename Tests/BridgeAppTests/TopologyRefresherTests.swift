import BridgeKubernetes
import BridgeServer
import BridgeTopology
import Foundation
import Logging
import Testing

@testable import BridgeApp

/// When the topology is built, and what its readers get.
@Suite struct TopologyRefresherTests {
    static func objects(_ json: String) throws -> [KubernetesObject] {
        try JSONDecoder().decode([KubernetesObject].self, from: Data(json.utf8))
    }

    static let node = #"[{"kind": "Node", "metadata": {"name": "n1"}}]"#
    static func pods(_ names: String...) -> String {
        "["
            + names.map {
                #"{"kind": "Pod", "metadata": {"name": "\#($0)", "namespace": "shop"}, "spec": {"nodeName": "n1"}}"#
            }.joined(separator: ",") + "]"
    }

    /// What a refresher works with: a store watched for nodes and pods, and its readers.
    struct Parts {
        let store = ClusterStore(clusterName: "t")
        let source: TopologySource
        let snapshot = ExpositionSnapshot(now: { 0 })
        let readiness = Readiness(conditions: [Bridge.topologySynced])

        init() {
            source = TopologySource { [store] in TopologyBuilder.build(store.snapshot) }
        }

        func synced() async -> Bool { await readiness.wait(for: Bridge.topologySynced, atMost: .seconds(10)) }
    }

    /// Runs a refresher over fresh parts (rebuilding at most once an hour) while `body` runs.
    static func withRefresher(_ body: (Parts) async throws -> Void) async throws {
        let parts = Parts()
        let refresher = TopologyRefresher(
            store: parts.store, resources: ["nodes", "pods"], source: parts.source, snapshot: parts.snapshot,
            readiness: parts.readiness, telemetry: Telemetry(version: "t"), metrics: TopologyMetrics(),
            interval: .seconds(3600), logger: Logger(label: "test"))
        let task = Task { try await refresher.run() }
        defer { task.cancel() }
        try await body(parts)
    }

    @Test func nothingIsBuiltOrServedBeforeEveryResourceListedOnce() async throws {
        try await Self.withRefresher { parts in
            parts.store.replaceAll("nodes", with: try Self.objects(Self.node))
            // Several of the refresher's 200 ms looks while pods have not listed yet.
            try await Task.sleep(for: .milliseconds(700))
            #expect(parts.snapshot.seriesCount == 0, "topology series of a partial state were exposed")
            #expect(parts.source.topology == nil)
            #expect(parts.readiness.missing == [Bridge.topologySynced])

            parts.store.replaceAll("pods", with: try Self.objects(Self.pods("p1")))
            #expect(await parts.synced())
            #expect(parts.snapshot.seriesCount > 0)
            #expect(parts.source.topology?.components["urn:kubernetes:/t:shop:pod/p1"] != nil)
        }
    }

    @Test func readersGetTheTopologyOfTheStateWhenTheyAskNotOfTheLastBuild() async throws {
        try await Self.withRefresher { parts in
            parts.store.replaceAll("nodes", with: try Self.objects(Self.node))
            parts.store.replaceAll("pods", with: try Self.objects(Self.pods("p1")))
            #expect(await parts.synced())
            // The refresher rebuilds at most once an hour here; the source builds from the store.
            parts.store.replaceAll("pods", with: try Self.objects(Self.pods("p1", "p2")))
            let topology = try #require(parts.source.topology)
            #expect(topology.components["urn:kubernetes:/t:shop:pod/p2"] != nil)
        }
    }
}
