import BridgeTopology

/// The topology snapshots of one cluster, one after another: each names as deleted the components
/// the last one had and it has not (reference §2, §7). What "the last one" had is settled by how
/// it ended: a snapshot the receiver took whole (``completed(_:)``) replaces it; one given up
/// partway (``abandoned(_:)``), of which the receiver may have seen the start, adds its URNs, so
/// that whatever part of it arrived is deleted by a later snapshot if it is gone by then.
public struct TopologySnapshots: Sendable {
    /// The cluster name: the instance url and part of the host name.
    public let clusterName: String
    /// Most elements in one POST (the agent's `batcher_capacity`).
    public let capacity: Int
    private var previous: [String] = []

    /// Snapshots of `clusterName` in chunks of at most `capacity` elements.
    public init(clusterName: String, capacity: Int = 10_000) {
        self.clusterName = clusterName
        self.capacity = max(2, capacity)
    }

    /// A snapshot of `topology`, made a chunk at a time; with `leavingOutProcesses`, without
    /// processes and their relations (the receiver builds those from the process agent's messages).
    public func begin(_ topology: Topology, hostname: String, leavingOutProcesses: Bool = false) -> TopologySnapshot {
        TopologySnapshot(
            of: topology, previous: previous, instance: TopologyPayload.Instance(type: "kubernetes", url: clusterName),
            hostname: hostname, capacity: capacity, leavingOutProcesses: leavingOutProcesses)
    }

    /// `snapshot` reached the receiver whole.
    public mutating func completed(_ snapshot: TopologySnapshot) {
        previous = snapshot.componentIDs
    }

    /// `snapshot` was given up before its last chunk was accepted.
    public mutating func abandoned(_ snapshot: TopologySnapshot) {
        previous = SortedURNs.union(previous, snapshot.componentIDs)
    }
}
