import BridgeTopology

/// One topology snapshot, made a chunk at a time as ``next()`` is called: components in URN
/// order, then relations in the topology's order (every relation after both of its ends), at most
/// `capacity` elements a chunk, `start_snapshot` on the first, `stop_snapshot` and the deleted
/// components on the last (reference/stackstate-receiver.md §2, §7).
///
/// Only one chunk exists at a time: at 150,000 pods a snapshot is 2.6 million elements in about
/// 260 posts, and making them all at once would hold gigabytes and more posts than the retry
/// queue takes (docs/install.md, "Large clusters"). The snapshot holds the topology it was made from,
/// the sorted URNs of its components (which the next snapshot's deletions are worked out from) and,
/// when it leaves processes out, which relations it keeps. Relations are not sorted: the receiver
/// needs them after their ends, not in order, and sorting 1.9 million costs a sixth of the CPU of
/// a snapshot.
public struct TopologySnapshot: Sendable, IteratorProtocol {
    /// The URNs of the components the snapshot carries, sorted.
    public let componentIDs: [String]
    /// Components and relations the snapshot carries.
    public var elements: Int { componentIDs.count + relationCount }
    private var relationCount: Int { relationOrder?.count ?? topology.relations.count }
    private let topology: Topology
    /// The relations sent, as indices into the topology's; nil for all of them.
    private let relationOrder: [Int]?
    private let deleted: [String]
    private let instance: TopologyPayload.Instance
    private let hostname: String
    private let capacity: Int
    private var nextComponent = 0
    private var nextRelation = 0
    private var started = false
    private var finished = false

    /// A snapshot of `topology`, naming as deleted the URNs of `previous` (sorted) it lacks;
    /// processes, their `runs` and their connections are left out with `leavingOutProcesses`.
    init(
        of topology: Topology, previous: [String], instance: TopologyPayload.Instance, hostname: String,
        capacity: Int, leavingOutProcesses: Bool
    ) {
        self.topology = topology
        self.instance = instance
        self.hostname = hostname
        self.capacity = capacity
        let components = topology.components
        func kept(_ urn: String) -> Bool { !leavingOutProcesses || components[urn]?.type != .process }
        componentIDs = components.keys.filter(kept).sorted()
        let relations = topology.relations.values
        relationOrder =
            leavingOutProcesses
            ? relations.indices.filter { kept(relations[$0].sourceId) && kept(relations[$0].targetId) } : nil
        deleted = SortedURNs.difference(previous, componentIDs)
    }

    /// The next chunk as an intake payload; nil after the one carrying `stop_snapshot`.
    public mutating func next() -> IntakePayload? {
        guard !finished else { return nil }
        var chunk = TopologyPayload(
            startSnapshot: !started, stopSnapshot: false, instance: instance, components: [], relations: [],
            deleteIDs: [])
        started = true
        let components = topology.components
        while nextComponent < componentIDs.count, chunk.components.count < capacity {
            if let component = components[componentIDs[nextComponent]] {
                chunk.components.append(ComponentPayload(component))
            }
            nextComponent += 1
        }
        let relations = topology.relations.values
        while nextRelation < relationCount, chunk.components.count + chunk.relations.count < capacity {
            chunk.relations.append(RelationPayload(relations[relationOrder?[nextRelation] ?? nextRelation]))
            nextRelation += 1
        }
        if nextComponent == componentIDs.count, nextRelation == relationCount {
            chunk.stopSnapshot = true
            chunk.deleteIDs = deleted
            finished = true
        }
        var payload = IntakePayload(internalHostname: hostname)
        payload.topologies = [chunk]
        return payload
    }
}

/// Set operations on sorted, duplicate-free URN lists, by one merge: the snapshots keep the last
/// one's URNs as a sorted array, which at a million components is a fraction of a set's memory.
enum SortedURNs {
    /// What `a` has and `b` has not.
    static func difference(_ a: [String], _ b: [String]) -> [String] {
        var result: [String] = []
        var j = 0
        for urn in a {
            while j < b.count, b[j] < urn { j += 1 }
            if j == b.count || b[j] != urn { result.append(urn) }
        }
        return result
    }

    /// What either has, sorted.
    static func union(_ a: [String], _ b: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(max(a.count, b.count))
        var (i, j) = (0, 0)
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                result.append(a[i])
                i += 1
            } else if i == a.count || b[j] < a[i] {
                result.append(b[j])
                j += 1
            } else {
                result.append(a[i])
                (i, j) = (i + 1, j + 1)
            }
        }
        return result
    }
}
