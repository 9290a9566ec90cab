import BridgeSimulator
import BridgeTestSupport
import BridgeTopology
import Foundation
import Testing

@testable import BridgeStackState

/// Snapshots of a simulated cluster, checked by the strict receiver double.
@Suite struct TopologySnapshotsTests {
    func send(_ payloads: [IntakePayload], to receiver: SimulatedStackStateReceiver) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try payloads.flatMap { receiver.receive(try encoder.encode($0)) }
    }

    @Test func chunksCarryTheWholeTopologyWithFlagsAndOrderedRelations() throws {
        let cluster = SimulatedCluster(name: "prod-eu", nodes: 3, podsPerNode: 10, seed: 4)
        let topology = TopologyBuilder.build(cluster.state)
        var snapshots = TopologySnapshots(clusterName: "prod-eu", capacity: 100)
        let payloads = snapshots.snapshot(of: topology, hostname: "bridge-prod-eu")
        let elements = topology.components.count + topology.relations.count
        #expect(payloads.count == elements / 100 + 1)
        for payload in payloads {
            let chunk = try #require(payload.topologies.first)
            #expect(chunk.components.count + chunk.relations.count <= 100)
        }
        #expect(payloads.first?.topologies.first?.startSnapshot == true)
        #expect(payloads.dropFirst().allSatisfy { $0.topologies.first?.startSnapshot == false })
        #expect(payloads.last?.topologies.first?.stopSnapshot == true)
        #expect(payloads.dropLast().allSatisfy { $0.topologies.first?.stopSnapshot == false })
        let receiver = SimulatedStackStateReceiver()
        #expect(try send(payloads, to: receiver) == [])
        #expect(receiver.snapshots == 1)
        #expect(receiver.components == Set(topology.components.keys))
        #expect(receiver.relations == Set(topology.relations.keys))
    }

    @Test func componentsHaveTheAgentsShape() throws {
        let cluster = SimulatedCluster(name: "prod-eu", nodes: 1, podsPerNode: 4, seed: 4)
        var snapshots = TopologySnapshots(clusterName: "prod-eu")
        let payload = try #require(snapshots.snapshot(of: TopologyBuilder.build(cluster.state), hostname: "h").first)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try #require(
            try JSONSerialization.jsonObject(with: encoder.encode(payload)) as? [String: Any])
        let topology = try #require((json["topologies"] as? [[String: Any]])?.first)
        #expect((topology["instance"] as? [String: String]) == ["type": "kubernetes", "url": "prod-eu"])
        let components = try #require(topology["components"] as? [[String: Any]])
        let clusterComponent = try #require(
            components.first { ($0["externalId"] as? String) == "urn:cluster:/kubernetes:prod-eu" })
        #expect((clusterComponent["type"] as? [String: String]) == ["name": "cluster"])
        #expect(clusterComponent["sourceProperties"] is NSNull)
        let data = clusterComponent["data"] as? [String: Any]
        let tags = try #require(data?["tags"] as? [String: String])
        #expect(tags["cluster-name"] == "prod-eu")
        #expect(tags["cluster-type"] == "kubernetes")
        #expect((topology["delete_ids"] as? [String]) == [])
    }

    @Test func deletedObjectsAreNamedInTheNextSnapshot() throws {
        let cluster = SimulatedCluster(name: "prod-eu", nodes: 2, podsPerNode: 5, seed: 4)
        var state = cluster.state
        var snapshots = TopologySnapshots(clusterName: "prod-eu", capacity: 50)
        let receiver = SimulatedStackStateReceiver()
        #expect(try send(snapshots.snapshot(of: TopologyBuilder.build(state), hostname: "h"), to: receiver) == [])
        let gone = try #require(state.pods.sortedByKey().first { _ in true })
        state.remove(.pod(gone.value))
        #expect(try send(snapshots.snapshot(of: TopologyBuilder.build(state), hostname: "h"), to: receiver) == [])
        let podURN = URNBuilder(cluster: "prod-eu").component("pod", namespace: gone.key.namespace, name: gone.key.name)
        #expect(receiver.deleted.contains(podURN))
        #expect(!receiver.components.contains(podURN))
        #expect(receiver.snapshots == 2)
    }

    @Test func theDoubleNamesWhatIsWrong() {
        let receiver = SimulatedStackStateReceiver()
        let problems = receiver.receive(
            Data(
                """
                {"internalHostname": "h", "health": [], "metrics": [], "topologies": [{"start_snapshot": true,
                 "stop_snapshot": true, "instance": {"type": "kubernetes", "url": "c"}, "delete_ids": [],
                 "components": [{"externalId": "a", "type": {"name": "pod"}, "data": {"name": "a", "tags": ["x"]}}],
                 "relations": [{"externalId": "a->b", "sourceId": "a", "targetId": "b", "type": {"name": "uses"},
                                "data": {}}]}]}
                """.utf8))
        #expect(
            problems == [
                "topologies[0].components[0].data.tags: not an object of strings",
                "topologies[0].components[0].sourceProperties: missing",
                "topologies[0].relations[0]: end b was not sent before it",
            ])
    }
}
