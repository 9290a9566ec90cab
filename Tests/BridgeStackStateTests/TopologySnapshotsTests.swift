import BridgeSimulator
import BridgeTestSupport
import BridgeTopology
import Foundation
import Testing

@testable import BridgeStackState

/// Snapshots of a simulated cluster, checked by the strict receiver double.
@Suite struct TopologySnapshotsTests {
    /// Every chunk of the next snapshot of `topology`, recorded as completed.
    func whole(_ snapshots: inout TopologySnapshots, _ topology: Topology, hostname: String = "h") -> [IntakePayload] {
        var snapshot = snapshots.begin(topology, hostname: hostname)
        var payloads: [IntakePayload] = []
        while let payload = snapshot.next() { payloads.append(payload) }
        snapshots.completed(snapshot)
        return payloads
    }

    func send(_ payloads: some Sequence<IntakePayload>, to receiver: SimulatedStackStateReceiver) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try payloads.flatMap { receiver.receive(try encoder.encode($0)) }
    }

    @Test func chunksCarryTheWholeTopologyWithFlagsAndOrderedRelations() throws {
        let cluster = SimulatedCluster(name: "prod-eu", nodes: 3, podsPerNode: 10, seed: 4)
        let topology = TopologyBuilder.build(cluster.state)
        var snapshots = TopologySnapshots(clusterName: "prod-eu", capacity: 100)
        let payloads = whole(&snapshots, topology, hostname: "bridge-prod-eu")
        let elements = topology.components.count + topology.relations.count
        #expect(payloads.count == (elements + 99) / 100)
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
        let payload = try #require(whole(&snapshots, TopologyBuilder.build(cluster.state)).first)
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
        #expect(try send(whole(&snapshots, TopologyBuilder.build(state)), to: receiver) == [])
        let gone = try #require(state.pods.sortedByKey().first { _ in true })
        state.remove(.pod(gone.value))
        #expect(try send(whole(&snapshots, TopologyBuilder.build(state)), to: receiver) == [])
        let podURN = URNBuilder(cluster: "prod-eu").component("pod", namespace: gone.key.namespace, name: gone.key.name)
        #expect(receiver.deleted.contains(podURN))
        #expect(!receiver.components.contains(podURN))
        #expect(receiver.snapshots == 2)
    }

    @Test func aSnapshotIsMadeAChunkAtATimeAndEndsOnItsStop() throws {
        let topology = TopologyBuilder.build(SimulatedCluster(name: "c", nodes: 2, podsPerNode: 5, seed: 4).state)
        let elements = topology.components.count + topology.relations.count
        // Exactly two chunks' worth: the stop rides on the second, with no empty third.
        let snapshots = TopologySnapshots(clusterName: "c", capacity: elements / 2 + elements % 2)
        var snapshot = snapshots.begin(topology, hostname: "h")
        #expect(snapshot.elements == elements)
        let first = try #require(snapshot.next()?.topologies.first)
        #expect(first.startSnapshot && !first.stopSnapshot)
        let second = try #require(snapshot.next()?.topologies.first)
        #expect(!second.startSnapshot && second.stopSnapshot)
        #expect(
            first.components.count + first.relations.count + second.components.count + second.relations.count
                == elements)
        #expect(snapshot.next() == nil)
        // An empty topology is still one chunk, start and stop.
        var empty = snapshots.begin(Topology(components: [], relations: []), hostname: "h")
        let only = try #require(empty.next()?.topologies.first)
        #expect(only.startSnapshot && only.stopSnapshot && only.components.isEmpty)
        #expect(empty.next() == nil)
    }

    @Test func anAbandonedSnapshotsComponentsAreDeletedLaterIfGone() throws {
        let cluster = SimulatedCluster(name: "c", nodes: 2, podsPerNode: 5, seed: 4)
        var state = cluster.state
        let receiver = SimulatedStackStateReceiver()
        var snapshots = TopologySnapshots(clusterName: "c", capacity: 40)
        #expect(try send(whole(&snapshots, TopologyBuilder.build(state)), to: receiver) == [])
        // A new pod, whose snapshot is given up after its first chunk reached the receiver.
        let added = try #require(state.pods.sortedByKey().first { _ in true }).value
        var copy = added
        copy.metadata.name = "aaa-added"
        copy.metadata.uid = "uid-aaa-added"
        state.upsert(.pod(copy))
        let urn = URNBuilder(cluster: "c").component("pod", namespace: copy.metadata.namespace, name: "aaa-added")
        var abandoned = snapshots.begin(TopologyBuilder.build(state), hostname: "h")
        var chunks: [IntakePayload] = []
        while let chunk = abandoned.next() { chunks.append(chunk) }
        #expect(chunks.count > 2)
        #expect(try send(chunks.dropLast(), to: receiver) == [])
        snapshots.abandoned(abandoned)
        // The pod goes again before the next snapshot: that one names it deleted.
        state.remove(.pod(copy))
        #expect(try send(whole(&snapshots, TopologyBuilder.build(state)), to: receiver) == [])
        #expect(receiver.deleted.contains(urn))
        #expect(receiver.abandonedSnapshots == 1)
        #expect(receiver.snapshots == 2)
        #expect(!receiver.components.contains(urn))
    }

    @Test func leavingOutProcessesLeavesOutTheirRelations() throws {
        let urns = URNBuilder(cluster: "c")
        let container = Component(
            externalId: urns.component("pod", namespace: "a", name: "p") + ":container/x", type: .container, name: "x")
        let process = Component(externalId: "urn:process:/n-c:1:1000", type: .process, name: "x")
        let topology = Topology(
            components: [container, process],
            relations: [Relation(.runs, from: container.externalId, to: process.externalId)])
        var snapshot = TopologySnapshots(clusterName: "c").begin(topology, hostname: "h", leavingOutProcesses: true)
        let chunk = try #require(snapshot.next()?.topologies.first)
        #expect(chunk.components.map(\.externalId) == [container.externalId])
        #expect(chunk.relations.isEmpty)
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
