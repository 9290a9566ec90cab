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
    /// container → process.
    case runs
    /// client process → server process: a TCP connection on one server port.
    case directionalConnection = "directional_connection"
}

/// One topology relation; its external id is `<sourceId>-><targetId>`, and for a
/// `directional_connection` the process agent's `connection:/<sourceId>-><targetId>:port/<port>`
/// (reference/process-connections.md §1.4), so that two connections of the same processes on
/// different server ports are two relations.
public struct Relation: Sendable, Hashable, Codable {
    /// The type.
    public var type: RelationType
    /// The source component's URN.
    public var sourceId: String
    /// The target component's URN.
    public var targetId: String
    /// Extra data (`mounts` carries the mount's name, path and flags).
    public var properties: [String: String]

    /// `<sourceId>-><targetId>`, made when asked: a topology of 11,000 pods has 143,000 relations,
    /// and keeping each id besides its two ends held about 26 MB (docs/performance.md).
    public var externalId: String {
        if type == .directionalConnection {
            return "connection:/\(sourceId)->\(targetId):port/\(properties[Self.portProperty] ?? "")"
        }
        return "\(sourceId)->\(targetId)"
    }

    /// The property of a `directional_connection` that holds the server port.
    public static let portProperty = "port"

    /// What tells apart relations with the same ends: the port of a connection, nothing otherwise.
    var discriminator: String? { type == .directionalConnection ? properties[Self.portProperty] : nil }

    /// Creates a relation from `source` to `target`.
    public init(_ type: RelationType, from source: String, to target: String, properties: [String: String] = [:]) {
        self.type = type
        sourceId = source
        targetId = target
        self.properties = properties
    }

    /// Whether `a.externalId < b.externalId`, without making either id (sorting 143,000 relations
    /// by made ids allocated two strings a comparison). Equal sources (the same storage once a
    /// topology shares its URNs) leave it to the targets; otherwise the ids' bytes are compared
    /// from the start, which for ASCII URNs is the order of `String`'s `<`.
    public static func precedesByExternalId(_ a: Relation, _ b: Relation) -> Bool {
        // Connections are few and their ids have a prefix of their own: compare them whole.
        if a.type == .directionalConnection || b.type == .directionalConnection { return a.externalId < b.externalId }
        if a.sourceId == b.sourceId { return a.targetId < b.targetId }
        var (left, right) = (ExternalIdBytes(a), ExternalIdBytes(b))
        while true {
            switch (left.next(), right.next()) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, .some): continue
            case (nil, .some): return true
            default: return false
            }
        }
    }
}

/// The bytes of a relation's external id, `<sourceId>-><targetId>`, one at a time.
private struct ExternalIdBytes: IteratorProtocol {
    private var source: String.UTF8View.Iterator
    private var arrow: Int = 0
    private var target: String.UTF8View.Iterator

    init(_ relation: Relation) {
        source = relation.sourceId.utf8.makeIterator()
        target = relation.targetId.utf8.makeIterator()
    }

    mutating func next() -> UInt8? {
        if let byte = source.next() { return byte }
        if arrow < 2 {
            arrow += 1
            return arrow == 1 ? UInt8(ascii: "-") : UInt8(ascii: ">")
        }
        return target.next()
    }
}
