/// The relation types of the StackState Kubernetes integration.
public enum RelationType: String, Sendable, Codable, CaseIterable, Hashable {
    /// node → cluster.
    case belongsTo = "belongs_to"
    /// pod → node.
    case scheduledOn = "scheduled_on"
    /// controller → pod, deployment → replicaset.
    case controls
    /// namespace → objects without a controller; pod → container.
    case encloses
    /// container → node.
    case runsOn = "runs_on"
    /// service → pod; pv → volume source; pvc → pv; node → pv.
    case exposes
    /// pod → config map or secret (envFrom); service → external service.
    case uses
    /// pod → config map or secret (env valueFrom).
    case usesValue = "uses_value"
    /// pod → volume, claim, config map or secret.
    case claims
    /// container → volume, claim, config map, secret or pod (downward API).
    case mounts
    /// ingress → service; endpoint → ingress.
    case routes
    /// cronjob → job.
    case creates
    /// projected volume → config map or secret.
    case projects
}

/// One topology relation; its external id is `<sourceId>-><targetId>`.
public struct Relation: Sendable, Hashable, Codable {
    /// `<sourceId>-><targetId>`.
    public var externalId: String
    /// The type.
    public var type: RelationType
    /// The source component's URN.
    public var sourceId: String
    /// The target component's URN.
    public var targetId: String
    /// Extra data (`mounts` carries the mount's name, path and flags).
    public var properties: [String: String]

    /// Creates a relation from `source` to `target`.
    public init(_ type: RelationType, from source: String, to target: String, properties: [String: String] = [:]) {
        externalId = "\(source)->\(target)"
        self.type = type
        sourceId = source
        targetId = target
        self.properties = properties
    }
}
