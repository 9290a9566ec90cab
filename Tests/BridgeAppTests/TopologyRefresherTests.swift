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

    /// Runs a refresher over `store` (watching nodes and pods) while `body` runs.
    static func withRefresher(
        store: ClusterStore, source: TopologySource, snapshot: ExpositionSnapshot, readiness: Readiness,
        _ body: () async throws -> Void
    ) async throws {
        let refresher = TopologyRefresher(
            store: store, resources: ["nodes", "pods"], source: source, snapshot: snapshot, readiness: readiness,
            telemetry: Telemetry(version: "t"), metrics: TopologyMetrics(), interval: .seconds(3600),
            logger: Logger(label: "test"))
        let task = Task { try await refresher.run() }
        defer { task.cancel() }
        try await body()
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func nothingIsBuiltOrServedBeforeEveryResourceListedOnce() async throws {
        let store = ClusterStore(clusterName: "t")
        let source = TopologySource { TopologyBuilder.build(store.snapshot) }
        let snapshot = ExpositionSnapshot(now: { 0 })
        let readiness = Readiness(conditions: [Bridge.topologySynced])
        try await Self.withRefresher(store: store, source: source, snapshot: snapshot, readiness: readiness) {
            store.replaceAll("nodes", with: try Self.objects(Self.node))
            // Several of the refresher's 200 ms looks while pods have not listed yet.
            try await Task.sleep(for: .milliseconds(700))
            #expect(snapshot.seriesCount == 0, "topology series of a partial state were exposed")
            #expect(source.topology == nil)
            #expect(readiness.missing == [Bridge.topologySynced])

            store.replaceAll("pods", with: try Self.objects(Self.pods("p1")))
            try await Self.waitUntil { readiness.missing.isEmpty }
            #expect(readiness.missing.isEmpty)
            #expect(snapshot.seriesCount > 0)
            #expect(source.topology?.components["urn:kubernetes:/t:shop:pod/p1"] != nil)
        }
    }

    @Test func readersGetTheTopologyOfTheStateWhenTheyAskNotOfTheLastBuild() async throws {
        let store = ClusterStore(clusterName: "t")
        let source = TopologySource { TopologyBuilder.build(store.snapshot) }
        let snapshot = ExpositionSnapshot(now: { 0 })
        let readiness = Readiness(conditions: [Bridge.topologySynced])
        try await Self.withRefresher(store: store, source: source, snapshot: snapshot, readiness: readiness) {
            store.replaceAll("nodes", with: try Self.objects(Self.node))
            store.replaceAll("pods", with: try Self.objects(Self.pods("p1")))
            try await Self.waitUntil { readiness.missing.isEmpty }
            #expect(readiness.missing.isEmpty)
            // The refresher rebuilds at most once an hour here; the source builds from the store.
            store.replaceAll("pods", with: try Self.objects(Self.pods("p1", "p2")))
            let topology = try #require(source.topology)
            #expect(topology.components["urn:kubernetes:/t:shop:pod/p2"] != nil)
        }
    }
}
