/// A core/v1 ComponentStatus: the health of a control-plane component (scheduler,
/// controller-manager, etcd) as the API server reports it. Deprecated since Kubernetes 1.19 but
/// still served, and one of the resources the StackState agent reads (seeds: Kubernetes
/// integration, "REST API endpoints"); its conditions go on the cluster component.
public struct ComponentStatus: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
    /// Conditions; `Healthy` is the one the API server sets.
    public var conditions: [Condition]?

    /// A condition.
    public struct Condition: Codable, Sendable, Hashable {
        /// `Healthy`.
        public var type: String
        /// `True`, `False` or `Unknown`.
        public var status: String
        /// What the probe answered.
        public var message: String?
        /// Why the probe failed.
        public var error: String?
    }

    /// Whether the component reports `Healthy` as `True`.
    public var isHealthy: Bool {
        conditions?.contains { $0.type == "Healthy" && $0.status == "True" } ?? false
    }
}
