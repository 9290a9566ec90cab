import BridgeCore
import BridgeHTTP

/// The kubelet endpoints stackbridge scrapes on every node.
public enum KubeletEndpoint: String, Sendable, CaseIterable {
    /// Container metrics from cAdvisor.
    case cadvisor = "/metrics/cadvisor"
    /// The resource metrics the metrics-server reads.
    case resource = "/metrics/resource"
    /// Liveness, readiness and startup probe results.
    case probes = "/metrics/probes"
    /// The kubelet's own metrics.
    case kubelet = "/metrics"
}

/// How kubelets are reached.
public enum KubeletAccess: Sendable, Hashable {
    /// Through the apiserver's node proxy (`/api/v1/nodes/{node}/proxy/...`): one TLS identity
    /// (the apiserver's), no network path to nodes needed, load on the apiserver.
    case proxy(apiServer: String, security: EndpointSecurity)
    /// Directly at `https://<InternalIP>:10250`: kubelet serving certificates are often
    /// self-signed, so `security` usually carries `insecureSkipVerify` or a CA and server name.
    case direct(port: Int, security: EndpointSecurity)
}

/// A node as the scrape configuration needs it.
public struct NodeAddress: Sendable, Hashable {
    /// The node name.
    public var name: String
    /// The node's InternalIP.
    public var internalIP: String

    /// Creates an address.
    public init(name: String, internalIP: String) {
        self.name = name
        self.internalIP = internalIP
    }
}

/// Which nodes' kubelets an instance scrapes.
public enum NodeScope: Sendable, Hashable {
    /// Every node (`cluster` and `all` modes).
    case all
    /// Only the named node: a `node`-mode DaemonSet pod scrapes the kubelet it runs next to, so
    /// per-instance load stays flat as the cluster grows.
    case only(String)

    /// The scope for `node` mode from the pod's environment (`NODE_NAME`, set from
    /// `spec.nodeName` by the downward API); nil when it is missing.
    public static func localNode(environment: [String: String]) -> NodeScope? {
        guard let name = environment["NODE_NAME"], !name.isEmpty else { return nil }
        return .only(name)
    }

    /// The nodes of `nodes` inside the scope.
    public func select(_ nodes: [NodeAddress]) -> [NodeAddress] {
        switch self {
        case .all: nodes
        case .only(let name): nodes.filter { $0.name == name }
        }
    }
}

/// Builds the kubelet targets of a set of nodes.
public enum KubeletTargets {
    /// One target per node and endpoint. Series carry `node` and `metrics_path`, so the same series
    /// from two nodes or two endpoints stay apart; explicit timestamps are dropped (cAdvisor's
    /// are per-container cache times, which kube-prometheus drops as well).
    public static func make(
        nodes: [NodeAddress],
        access: KubeletAccess,
        endpoints: [KubeletEndpoint] = KubeletEndpoint.allCases,
        template: ScrapeTarget = ScrapeTarget(job: "kubelet", url: "")
    ) -> [ScrapeTarget] {
        nodes.flatMap { node in
            endpoints.map { endpoint in
                var target = template
                target.job = template.job.isEmpty ? "kubelet" : template.job
                switch access {
                case .proxy(let apiServer, let security):
                    let base = apiServer.hasSuffix("/") ? String(apiServer.dropLast()) : apiServer
                    target.url = "\(base)/api/v1/nodes/\(node.name)/proxy\(endpoint.rawValue)"
                    target.security = security
                case .direct(let port, let security):
                    let host = node.internalIP.contains(":") ? "[\(node.internalIP)]" : node.internalIP
                    target.url = "https://\(host):\(port)\(endpoint.rawValue)"
                    target.security = security
                }
                target.instance = node.name
                target.seriesLabels = [LabelPair("node", node.name), LabelPair("metrics_path", endpoint.rawValue)]
                target.honorTimestamps = false
                return target
            }
        }
    }
}
