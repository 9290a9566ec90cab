/// Where a pod lives in the cluster: the labels the enricher adds to its series.
public struct PodPlacement: Sendable, Hashable {
    /// The node it is scheduled on.
    public var node: String?
    /// Kind of the top of the owner chain.
    public var workloadKind: String
    /// Name of the top of the owner chain.
    public var workloadName: String
    /// The direct controller, if any.
    public var owner: OwnerReference?
    /// The node's placement.
    public var nodePlacement: NodePlacement?
    /// The pod's labels.
    public var labels: [String: String]

    /// Creates a placement.
    public init(
        node: String?, workloadKind: String, workloadName: String, owner: OwnerReference?,
        nodePlacement: NodePlacement?, labels: [String: String]
    ) {
        self.node = node
        self.workloadKind = workloadKind
        self.workloadName = workloadName
        self.owner = owner
        self.nodePlacement = nodePlacement
        self.labels = labels
    }
}

/// Where a node is: its zone and region (`topology.kubernetes.io/zone`, `/region`).
public struct NodePlacement: Sendable, Hashable {
    /// The zone.
    public var zone: String?
    /// The region.
    public var region: String?

    /// Creates a placement.
    public init(zone: String?, region: String?) {
        self.zone = zone
        self.region = region
    }
}

extension ClusterState {
    /// The placement of `pod`: its node and the node's zone and region, its direct controller, and
    /// the top of its owner chain — Deployment over ReplicaSet, CronJob over Job; a ReplicaSet or
    /// Job without a known owner, a StatefulSet or a DaemonSet is the top itself; a pod without a
    /// controller is its own workload.
    public func placement(of pod: Pod) -> PodPlacement {
        let owner = pod.metadata.controller
        let namespace = pod.metadata.namespace ?? ""
        var workload = (kind: "Pod", name: pod.metadata.name)
        if let owner {
            workload = (owner.kind, owner.name)
            let key = ObjectKey(namespace, owner.name)
            let parent: OwnerReference? =
                switch owner.kind {
                case "ReplicaSet": replicaSets[key]?.metadata.controller
                case "Job": jobs[key]?.metadata.controller
                default: nil
                }
            if let parent {
                workload = (parent.kind, parent.name)
            } else if owner.kind == "ReplicaSet", replicaSets[key] == nil,
                let deployment = Self.deployment(ofReplicaSet: owner.name, podLabels: pod.metadata.labels)
            {
                // A node agent does not watch ReplicaSets (there are more than pods in a large
                // cluster, and each agent would hold them all): the Deployment is in the names.
                workload = ("Deployment", deployment)
            }
        }
        let node = pod.spec?.nodeName
        return PodPlacement(
            node: node, workloadKind: workload.kind, workloadName: workload.name, owner: owner,
            nodePlacement: node.flatMap(placement(ofNode:)), labels: pod.metadata.labels ?? [:])
    }

    /// The Deployment of a ReplicaSet the state does not hold, from the names alone: the
    /// Deployment controller names its ReplicaSets `<deployment>-<pod-template-hash>` and labels
    /// their pods `pod-template-hash=<hash>`; a ReplicaSet made by hand has no such label.
    static func deployment(ofReplicaSet name: String, podLabels: [String: String]?) -> String? {
        guard let hash = podLabels?["pod-template-hash"], !hash.isEmpty, name.hasSuffix("-" + hash),
            name.count > hash.count + 1
        else { return nil }
        return String(name.dropLast(hash.count + 1))
    }

    /// Zone and region of the node called `name`, if the node is known.
    public func placement(ofNode name: String) -> NodePlacement? {
        guard let labels = nodes[name].map({ $0.metadata.labels ?? [:] }) else { return nil }
        // The deprecated failure-domain labels still appear on older clusters.
        return NodePlacement(
            zone: labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"],
            region: labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"]
        )
    }
}
