import BridgeHTTP

/// Where the Kubernetes API is and how to authenticate to it.
public struct APIServerConfig: Sendable, Hashable {
    /// The base URL, for example `https://10.96.0.1:443`.
    public var server: String
    /// CA, client certificate, bearer token file, server name.
    public var security: EndpointSecurity
    /// The namespace of the context or of the pod, if known.
    public var namespace: String?
    /// Where this came from: the start-up log names it, and a cluster name may be left out only
    /// inside a cluster.
    public var source: Source

    /// Where an API server configuration came from.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// `kubernetes.api_server` in the configuration file.
        case configuration
        /// The pod's service account (`KUBERNETES_SERVICE_HOST` and the mounted token).
        case inCluster
        /// A kubeconfig file and the context used.
        case kubeconfig(path: String, context: String)

        /// For the start-up log (never contains secrets).
        public var description: String {
            switch self {
            case .configuration: "configuration"
            case .inCluster: "in-cluster service account"
            case .kubeconfig(let path, let context): "kubeconfig \(path), context \(context)"
            }
        }
    }

    /// Creates a configuration.
    public init(server: String, security: EndpointSecurity, namespace: String? = nil, source: Source) {
        self.server = server
        self.security = security
        self.namespace = namespace
        self.source = source
    }
}
