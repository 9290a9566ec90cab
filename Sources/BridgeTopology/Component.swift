/// The component types of the StackState Kubernetes integration.
public enum ComponentType: String, Sendable, Codable, CaseIterable, Hashable {
    /// The cluster itself.
    case cluster
    /// A node.
    case node
    /// A namespace.
    case namespace
    /// A pod.
    case pod
    /// A container of a pod.
    case container
    /// A service.
    case service
    /// The target of an ExternalName service.
    case externalService = "external-service"
    /// A Deployment.
    case deployment
    /// A ReplicaSet.
    case replicaset
    /// A DaemonSet.
    case daemonset
    /// A StatefulSet.
    case statefulset
    /// A Job.
    case job
    /// A CronJob.
    case cronjob
    /// A ConfigMap.
    case configmap
    /// A Secret.
    case secret
    /// An Ingress.
    case ingress
    /// A load-balancer address in front of an ingress.
    case endpoint
    /// A PersistentVolume.
    case persistentVolume = "persistent-volume"
    /// A PersistentVolumeClaim.
    case persistentVolumeClaim = "persistent-volume-claim"
    /// The storage behind a persistent volume.
    case volumeSource = "volume-source"
    /// A pod volume that is neither a claim, config map nor secret (emptyDir, hostPath, projected, …).
    case volume
    /// A process on a node (reported by the node collectors, `processes.enabled`).
    case process
}

/// One topology component, in the shape the StackState receiver and `/api/v1/topology` use.
public struct Component: Sendable, Hashable, Codable {
    /// The URN.
    public var externalId: String
    /// The type.
    public var type: ComponentType
    /// The display name.
    public var name: String
    /// Kubernetes labels plus `cluster-name`, `namespace`, `cluster-type`, `component-type`.
    public var tags: [String: String]
    /// Other identifiers that StackState merges on (IPs, host names, container ids).
    public var identifiers: [String]
    /// Extra data (pod phase, container image, …).
    public var properties: [String: String]

    /// Creates a component.
    public init(
        externalId: String,
        type: ComponentType,
        name: String,
        tags: [String: String] = [:],
        identifiers: [String] = [],
        properties: [String: String] = [:]
    ) {
        self.externalId = externalId
        self.type = type
        self.name = name
        self.tags = tags
        self.identifiers = identifiers
        self.properties = properties
    }
}
