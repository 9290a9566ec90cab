import BridgeSimulator
import BridgeTopology
import Foundation
import Testing

@testable import BridgeStackState

/// The hand-written intake JSON against `JSONEncoder`'s document of the same payload.
@Suite struct IntakePayloadJSONTests {
    func document(_ bytes: some Sequence<UInt8>) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    func encoded(_ payload: IntakePayload) throws -> NSDictionary {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try document(try encoder.encode(payload))
    }

    @Test func aTopologyChunkWithProcessesAndAwkwardStringsIsTheEncodersDocument() throws {
        let built = TopologyBuilder.build(SimulatedCluster(name: "prod", nodes: 2, podsPerNode: 6, seed: 5).state)
        let process = Component(
            externalId: "urn:process:/node-0-prod:42:1700000000000", type: .process, name: "nginx: \"worker\"",
            tags: ["odd\\key": "line\nbreak\t\u{01}", "ünïcödé": "✓ 🚀"],
            properties: [
                "pid": "42", "createTime": "1700000000000", "command.args": "nginx\0-g\0daemon off;",
                "command.exe": "/usr/sbin/nginx",
            ])
        let server = Component(externalId: "urn:process:/node-1-prod:7:1700000000001", type: .process, name: "db")
        let connection = Relation(
            .directionalConnection, from: process.externalId, to: server.externalId,
            properties: [
                "port": "5432", "outgoing.ip": "10.0.0.1", "incoming.ip": "10.0.0.2", "incoming.port": "5432",
                "via": "direct",
            ])
        let topology = Topology(
            components: Array(built.components.values) + [process, server],
            relations: built.relations.values + [connection])
        var snapshot = TopologySnapshots(clusterName: "prod", capacity: 100_000).begin(topology, hostname: "h")
        let next = snapshot.next()
        var payload = try #require(next)
        payload.topologies[0].deleteIDs = ["urn:kubernetes:/prod:shop:pod/gone", "with \"quote\""]
        #expect(payload.topologies[0].stopSnapshot)
        #expect(try document(payload.json()) == encoded(payload))
        #expect(!String(decoding: try payload.json(), as: UTF8.self).contains(#"\/"#))
    }

    @Test func healthChunksAndEventsAreTheEncodersDocument() throws {
        let cluster = SimulatedCluster(name: "prod", nodes: 1, podsPerNode: 12, seed: 3)
        let states = TopologyMetrics().healthByURN(cluster.state).map { (urn: $0.0, health: $0.1) }
        let chunks = Array(
            IteratorSequence(HealthSnapshot(states, cluster: "prod", repeatInterval: .seconds(90), capacity: 5)))
        #expect(chunks.count > 2)
        for chunk in [chunks[0], chunks[1], chunks[chunks.count - 1]] {
            var payload = IntakePayload(internalHostname: "stackbridge-prod")
            payload.health = [chunk]
            #expect(try document(payload.json()) == encoded(payload))
        }
        var payload = IntakePayload(internalHostname: "stackbridge-prod")
        var event = KubernetesEvent(
            metadata: ObjectMeta(name: "e", namespace: "shop", uid: "u"),
            regarding: .init(kind: "Pod", namespace: "shop", name: "web"), reason: "BackOff", type: "Warning")
        event.note = "Back-off \"restarting\"\nfailed container"
        payload.events = ["kubernetes": [EventPayload(event, cluster: "prod", categorizer: EventCategorizer())]]
        #expect(try document(payload.json()) == encoded(payload))
    }
}
