/// A namespaced object's key: namespace and name.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The namespace.
    public var namespace: String
    /// The name.
    public var name: String

    /// Creates a key.
    public init(_ namespace: String, _ name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of `metadata` (an empty namespace for cluster-scoped objects).
    public init(_ metadata: ObjectMeta) {
        self.init(metadata.namespace ?? "", metadata.name)
    }

    /// Namespace first, then name.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    /// `namespace/name`.
    public var description: String { "\(namespace)/\(name)" }
}

/// Every object the topology is built from, as the watches last reported them.
///
/// A plain value: the watcher applies events to its own copy and publishes snapshots; building the
/// topology reads a snapshot and never blocks the watcher.
public struct ClusterState: Sendable {
    /// The cluster's name, part of every URN.
    public var clusterName: String
    /// Nodes by name.
    public var nodes: [String: Node] = [:]
    /// Namespaces by name.
    public var namespaces: [String: Namespace] = [:]
    /// Pods.
    public var pods = PodTable()
    /// Services.
    public var services: [ObjectKey: Service] = [:]
    /// Deployments.
    public var deployments: [ObjectKey: Workload] = [:]
    /// ReplicaSets.
    public var replicaSets: [ObjectKey: Workload] = [:]
    /// DaemonSets.
    public var daemonSets: [ObjectKey: Workload] = [:]
    /// StatefulSets.
    public var statefulSets: [ObjectKey: Workload] = [:]
    /// Jobs.
    public var jobs: [ObjectKey: Job] = [:]
    /// CronJobs.
    public var cronJobs: [ObjectKey: CronJob] = [:]
    /// Config maps (metadata only).
    public var configMaps: [ObjectKey: MetadataObject] = [:]
    /// Secrets (metadata only).
    public var secrets: [ObjectKey: MetadataObject] = [:]
    /// Ingresses.
    public var ingresses: [ObjectKey: Ingress] = [:]
    /// Persistent volumes by name.
    public var persistentVolumes: [String: PersistentVolume] = [:]
    /// Persistent volume claims.
    public var persistentVolumeClaims: [ObjectKey: PersistentVolumeClaim] = [:]
    /// Volume attachments by name.
    public var volumeAttachments: [String: VolumeAttachment] = [:]
    /// EndpointSlices.
    public var endpointSlices: [ObjectKey: EndpointSlice] = [:]
    /// Control-plane component statuses by name.
    public var componentStatuses: [String: ComponentStatus] = [:]
    /// The processes and connections the node collectors reported, correlated by the leader
    /// (``ConnectionCorrelator``); empty unless `processes.enabled`.
    public var processes = ProcessGraph()

    /// An empty cluster called `clusterName`.
    public init(clusterName: String) {
        self.clusterName = clusterName
    }
}
