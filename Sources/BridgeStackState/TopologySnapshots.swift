import BridgeTopology

/// Turns a topology into the intake payloads of one snapshot: chunks of at most `capacity`
/// elements (components and relations), `start_snapshot` on the first, `stop_snapshot` on the
/// last, each relation in a chunk at or after both of its ends, and `delete_ids` naming the
/// components the previous snapshot had and this one has not (reference §2, §7).
public struct TopologySnapshots: Sendable {
    /// The cluster name: the instance url and part of the host name.
    public let clusterName: String
    /// Most elements in one POST (the agent's `batcher_capacity`).
    public let capacity: Int
    private var previous: Set<String> = []

    /// Snapshots of `clusterName` in chunks of at most `capacity` elements.
    public init(clusterName: String, capacity: Int = 10_000) {
        self.clusterName = clusterName
        self.capacity = max(2, capacity)
    }

    /// The payloads of one snapshot of `topology`.
    public mutating func snapshot(of topology: Topology, hostname: String) -> [IntakePayload] {
        let instance = TopologyPayload.Instance(type: "kubernetes", url: clusterName)
        let components = topology.components.values.sorted { $0.externalId < $1.externalId }
        let relations = topology.relations.values.sorted(by: Relation.precedesByExternalId)
        let current = Set(components.map(\.externalId))
        let deleted = previous.subtracting(current).sorted()
        previous = current
        // Components first, then relations: every relation comes after both of its ends.
        var chunks: [TopologyPayload] = []
        var chunk = TopologyPayload(
            startSnapshot: true, stopSnapshot: false, instance: instance, components: [], relations: [], deleteIDs: [])
        func flushIfFull() {
            guard chunk.components.count + chunk.relations.count >= capacity else { return }
            chunks.append(chunk)
            chunk = TopologyPayload(
                startSnapshot: false, stopSnapshot: false, instance: instance, components: [], relations: [],
                deleteIDs: [])
        }
        for component in components {
            chunk.components.append(ComponentPayload(component))
            flushIfFull()
        }
        for relation in relations where current.contains(relation.sourceId) && current.contains(relation.targetId) {
            chunk.relations.append(RelationPayload(relation))
            flushIfFull()
        }
        chunk.stopSnapshot = true
        chunk.deleteIDs = deleted
        chunks.append(chunk)
        return chunks.map { topology in
            var payload = IntakePayload(internalHostname: hostname)
            payload.topologies = [topology]
            return payload
        }
    }
}
