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

    /// The component's payload form. A process carries the agent's data shape (reference/
    /// process-connections.md §1.3): `pid` and `createTime` as numbers, `command` as
    /// `{args: […], exe}`.
    public init(_ component: Component) {
        externalId = component.externalId
        type = TypeName(name: component.type.rawValue)
        var data: [String: DataValue] = [:]
        for (key, value) in component.properties { data[key] = .string(value) }
        if component.type == .process {
            for key in ["pid", "createTime"] {
                data[key] = component.properties[key].flatMap(Int64.init).map(DataValue.int)
            }
            let args = component.properties["command.args"] ?? ""
            data["command"] = .map([
                "args": .list(
                    args.isEmpty ? [] : args.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)),
                "exe": .string(component.properties["command.exe"] ?? ""),
            ])
            data["command.args"] = nil
            data["command.exe"] = nil
        }
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

/// A value of a component's or relation's `data`: a string, a number, a list of strings, an object
/// of strings (tags), or an object of values (a process's `command`, a connection's ends).
public indirect enum DataValue: Encodable, Sendable, Hashable {
    /// A string.
    case string(String)
    /// A whole number.
    case int(Int64)
    /// A list of strings.
    case list([String])
    /// An object of strings (tags).
    case object([String: String])
    /// An object of values.
    case map([String: DataValue])

    /// Encodes the value itself.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .map(let value): try container.encode(value)
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
    public var data: [String: DataValue]

    /// The relation's payload form. A connection carries the agent's data shape (reference/
    /// process-connections.md §1.4): `outgoing: {ip}`, `incoming: {ip, port}`, and `via`.
    public init(_ relation: Relation) {
        externalId = relation.externalId
        sourceId = relation.sourceId
        targetId = relation.targetId
        type = TypeName(name: relation.type.rawValue)
        data = relation.properties.mapValues(DataValue.string)
        if relation.type == .directionalConnection {
            let properties = relation.properties
            data = [
                "outgoing": .map(["ip": .string(properties["outgoing.ip"] ?? "")]),
                "incoming": .map([
                    "ip": .string(properties["incoming.ip"] ?? ""),
                    "port": .int(Int64(properties["incoming.port"] ?? "") ?? 0),
                ]),
                "via": .string(properties["via"] ?? ""),
            ]
        }
    }
}
