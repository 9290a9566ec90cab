/// A discovery.k8s.io/v1 EndpointSlice: the addresses behind a Service. The topology reads it to
/// tell which Service a pod address was reached through when the Service is headless (no cluster
/// IP to dial, so the client's socket shows the pod's own address).
public struct EndpointSlice: Codable, Sendable, Hashable {
    /// Metadata; the label `kubernetes.io/service-name` names the Service.
    public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: String?
    /// The endpoints.
    public var endpoints: [Endpoint]?
    /// The ports every endpoint of the slice serves.
    public var ports: [Port]?

    /// One endpoint: the addresses of one backend (a pod, usually).
    public struct Endpoint: Codable, Sendable, Hashable {
        /// Its addresses.
        public var addresses: [String]
    }

    /// A port of the slice.
    public struct Port: Codable, Sendable, Hashable {
        /// The port's name, matching the Service port's.
        public var name: String?
        /// The port number on the endpoints.
        public var port: Int?
        /// `TCP`, `UDP` or `SCTP`.
        public var `protocol`: String?
    }

    /// The label Kubernetes puts on a slice to name its Service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    /// The Service this slice belongs to, if the label names one.
    public var service: ObjectKey? {
        guard let name = metadata.labels?[Self.serviceNameLabel] else { return nil }
        return ObjectKey(metadata.namespace ?? "", name)
    }
}
