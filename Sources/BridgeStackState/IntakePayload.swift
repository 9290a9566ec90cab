import BridgeTopology

/// The body of `POST {url}/intake/`, as the StackState agent's batcher writes it
/// (reference/stackstate-receiver.md §2): topologies, health, metrics, and events.
public struct IntakePayload: Encodable, Sendable, Hashable {
    /// The sending host; the agent chart sets `<node>-<cluster>`.
    public var internalHostname: String
    /// Topology snapshots or chunks of them.
    public var topologies: [TopologyPayload] = []
    /// Health syncs.
    public var health: [HealthSyncPayload] = []
    /// Raw metrics; the bridge sends series to `/api/v1/series` instead.
    public var metrics: [String] = []
    /// Events by source type (`kubernetes`), as the transactional intake carries them.
    public var events: [String: [EventPayload]] = [:]

    /// An empty payload from `internalHostname`.
    public init(internalHostname: String) {
        self.internalHostname = internalHostname
    }
}

/// One topology object of the intake: a whole snapshot, or one chunk of it.
public struct TopologyPayload: Encodable, Sendable, Hashable {
    /// `instance`: the source, which keys the receiver's topic.
    public struct Instance: Encodable, Sendable, Hashable {
        /// `kubernetes`.
        public var type: String
        /// The cluster name.
        public var url: String
    }

    /// True on the first chunk of a snapshot.
    public var startSnapshot: Bool
    /// True on the last chunk of a snapshot.
    public var stopSnapshot: Bool
    /// The source.
    public var instance: Instance
    /// Components of this chunk.
    public var components: [ComponentPayload]
    /// Relations of this chunk.
    public var relations: [RelationPayload]
    /// Components deleted since the last snapshot (always present, possibly empty).
    public var deleteIDs: [String]

    enum CodingKeys: String, CodingKey {
        case startSnapshot = "start_snapshot"
        case stopSnapshot = "stop_snapshot"
        case instance, components, relations
        case deleteIDs = "delete_ids"
    }
}

/// `{"name": …}`, the shape of component and relation types.
public struct TypeName: Encodable, Sendable, Hashable {
    /// The type's name.
    public var name: String
}

/// A component of the intake.
public struct ComponentPayload: Encodable, Sendable, Hashable {
    /// The URN.
    public var externalId: String
    /// Its type.
    public var type: TypeName
    /// Name, tags (an object), identifiers and properties.
    public var data: [String: DataValue]

    /// The component's payload form.
    public init(_ component: Component) {
        externalId = component.externalId
        type = TypeName(name: component.type.rawValue)
        var data: [String: DataValue] = [:]
        for (key, value) in component.properties { data[key] = .string(value) }
        data["name"] = .string(component.name)
        data["tags"] = .object(component.tags)
        data["identifiers"] = .list(component.identifiers)
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case externalId, type, data, sourceProperties
    }

    /// Writes `sourceProperties` as an explicit null, as the agent does (no omitempty).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(externalId, forKey: .externalId)
        try container.encode(type, forKey: .type)
        try container.encode(data, forKey: .data)
        try container.encodeNil(forKey: .sourceProperties)
    }
}

/// A value of a component's `data`: a string, a list of strings, or an object of strings.
public enum DataValue: Encodable, Sendable, Hashable {
    /// A string.
    case string(String)
    /// A list of strings.
    case list([String])
    /// An object of strings (tags).
    case object([String: String])

    /// Encodes the value itself.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// A relation of the intake.
public struct RelationPayload: Encodable, Sendable, Hashable {
    /// `source->target`.
    public var externalId: String
    /// The source URN.
    public var sourceId: String
    /// The target URN.
    public var targetId: String
    /// Its type.
    public var type: TypeName
    /// Properties (empty for most).
    public var data: [String: String]

    /// The relation's payload form.
    public init(_ relation: Relation) {
        externalId = relation.externalId
        sourceId = relation.sourceId
        targetId = relation.targetId
        type = TypeName(name: relation.type.rawValue)
        data = relation.properties
    }
}
