import BridgeTopology

/// A consistent simulated cluster: nodes in zones, namespaces, Deployments with ReplicaSets and pods,
/// a StatefulSet per application namespace with claims and volumes, a node-agent DaemonSet, a
/// CronJob with a finished Job, bare pods, services (one headless), an ingress, config maps and
/// secrets used through env, envFrom and volumes. Deterministic for a seed, so every run of the
/// simulator, the tests and the benchmarks sees the same cluster.
///
/// The objects are the same ones the kube-state-metrics and kubelet bodies describe (same names,
/// UIDs, container ids and nodes), which is what makes the join testable.
public struct SimulatedCluster: Sendable {
    /// The cluster name.
    public let name: String
    /// Every object as the API serves it.
    public private(set) var objects: [SimulatedObject] = []
    /// The cluster state of ``objects``.
    public private(set) var state: ClusterState

    /// Namespaces the applications live in.
    public static let applicationNamespaces = ["payments", "checkout", "search", "default"]
    /// Application names, cycled through.
    public static let applications = ["api", "worker", "frontend", "cache", "gateway", "indexer"]

    /// Builds a cluster of `nodes` nodes with about `podsPerNode` pods each.
    public init(name: String = "sim", nodes nodeCount: Int, podsPerNode: Int, seed: UInt64 = 1) {
        self.name = name
        state = ClusterState(clusterName: name)
        var builder = Builder(seed: seed, nodeCount: max(1, nodeCount))
        builder.build(podsPerNode: max(2, podsPerNode))
        objects = builder.objects
        for object in objects {
            // The builder only writes what the model decodes; a failure here is a builder bug.
            guard let decoded = try? object.decoded() else {
                preconditionFailure("simulated \(object.kind) \(object.name) does not decode")
            }
            state.upsert(decoded)
        }
    }

    /// Pods scheduled on `node`.
    public func pods(on node: String) -> [Pod] {
        state.pods.values.filter { $0.spec?.nodeName == node }.sorted { $0.metadata.name < $1.metadata.name }
    }
}
