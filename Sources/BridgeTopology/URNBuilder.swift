/// The external identifiers (URNs) the StackState Kubernetes integration gives cluster objects, so
/// that components from stackbridge merge with those from the StackState agent
/// (reference/stackstate-receiver.md §3, from the agent's `cluster/urn` package).
///
/// With `P = urn:kubernetes:/<cluster>`: cluster `urn:cluster:/kubernetes:<cluster>`; cluster-scoped
/// kinds `P:<kind>/<name>`; namespaced kinds `P:<namespace>:<kind>/<name>`; containers
/// `P:<namespace>:pod/<pod>:container/<name>`; volumes from outside the cluster
/// `urn:kubernetes:external-volume:<type>/<parts…>`; load-balancer endpoints `urn:endpoint:/<cluster>:<address>`;
/// processes `urn:process:/<node>-<cluster>:<pid>:<createTimeMs>`.
public struct URNBuilder: Sendable, Hashable {
    /// The cluster name.
    public let cluster: String
    /// `urn:kubernetes:/<cluster>`.
    public let prefix: String

    /// Creates a builder for `cluster`.
    public init(cluster: String) {
        self.cluster = cluster
        prefix = "urn:kubernetes:/\(cluster)"
    }

    /// The cluster component.
    public var clusterID: String { "urn:cluster:/kubernetes:\(cluster)" }

    /// A component of `kind` (`pod`, `deployment`, …) in `namespace`, or cluster-scoped when nil.
    public func component(_ kind: String, namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return "\(prefix):\(namespace):\(kind)/\(name)" }
        return "\(prefix):\(kind)/\(name)"
    }

    /// A node.
    public func node(_ name: String) -> String { component("node", namespace: nil, name: name) }

    /// A namespace.
    public func namespace(_ name: String) -> String { component("namespace", namespace: nil, name: name) }

    /// A persistent volume.
    public func persistentVolume(_ name: String) -> String {
        component("persistent-volume", namespace: nil, name: name)
    }

    /// A container of a pod.
    public func container(namespace: String, pod: String, name: String) -> String {
        component("pod", namespace: namespace, name: pod) + ":container/\(name)"
    }

    /// A volume from outside the cluster (hostPath, NFS, CSI, projected, …).
    public func externalVolume(_ type: String, _ parts: String...) -> String {
        "urn:kubernetes:external-volume:\(type)/" + parts.joined(separator: "/")
    }

    /// An emptyDir volume of a pod.
    public func emptyDir(namespace: String, pod: String, volume: String) -> String {
        component("volume", namespace: "empty-dir", name: "\(namespace)/\(pod)/\(volume)")
    }

    /// The agent's host name of a node, `<node>-<cluster>` (reference/stackstate-receiver.md §3).
    public func host(_ node: String) -> String { "\(node)-\(cluster)" }

    /// A process: `urn:process:/<node>-<cluster>:<pid>:<createTimeMs>`, as the process agent names it
    /// (reference/process-connections.md §1.3).
    public func process(_ key: ProcessKey) -> String {
        "urn:process:/\(host(key.node)):\(key.pid):\(key.createTime)"
    }

    /// A load-balancer address of an ingress.
    public func endpoint(_ address: String) -> String { "urn:endpoint:/\(cluster):\(address)" }
}
