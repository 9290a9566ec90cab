import BridgeHTTP

/// Where the Kubernetes API is and how to authenticate to it.
public struct APIServerConfig: Sendable, Hashable {
    /// The base URL, for example `https://10.96.0.1:443`.
    public var server: String
    /// CA, client certificate, bearer token file, server name.
    public var security: EndpointSecurity
    /// The namespace of the context or of the pod, if known.
    public var namespace: String?
    /// Where this came from, for the start-up log (never contains secrets).
    public var source: String

    /// Creates a configuration.
    public init(server: String, security: EndpointSecurity, namespace: String? = nil, source: String) {
        self.server = server
        self.security = security
        self.namespace = namespace
        self.source = source
    }
}
