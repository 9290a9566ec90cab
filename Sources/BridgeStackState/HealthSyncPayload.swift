import BridgeTopology

/// One health object of the intake: a repeat-snapshot health sync or one chunk of it
/// (reference/stackstate-receiver.md §6, from the agent's `pkg/health`).
public struct HealthSyncPayload: Encodable, Sendable, Hashable {
    /// `start_snapshot`: how often the snapshot repeats and when its states expire.
    public struct StartSnapshot: Encodable, Sendable, Hashable {
        /// Seconds between snapshots (at most 1800).
        public var repeatInterval: Int
        /// Seconds after which states without a new snapshot expire.
        public var expiryInterval: Int

        enum CodingKeys: String, CodingKey {
            case repeatInterval = "repeat_interval_s"
            case expiryInterval = "expiry_interval_s"
        }
    }

    /// `stream`: which health stream the states belong to.
    public struct Stream: Encodable, Sendable, Hashable {
        /// `urn:health:<source>:<stream>`.
        public var urn: String
    }

    /// One check state: a component's health and why.
    public struct CheckState: Encodable, Sendable, Hashable {
        /// Unique within the stream.
        public var checkStateId: String
        /// Why, for the operator.
        public var message: String
        /// `CLEAR`, `DEVIATING` or `CRITICAL`.
        public var health: String
        /// The component's URN.
        public var topologyElementIdentifier: String
        /// The check's name as StackState shows it.
        public var name: String
    }

    /// Present on the first chunk.
    public var startSnapshot: StartSnapshot?
    /// Present (empty) on the last chunk.
    public var stopSnapshot: [String: String]?
    /// The stream.
    public var stream: Stream
    /// The states of this chunk.
    public var checkStates: [CheckState]

    enum CodingKeys: String, CodingKey {
        case startSnapshot = "start_snapshot"
        case stopSnapshot = "stop_snapshot"
        case stream
        case checkStates = "check_states"
    }

    /// Leaves out absent snapshot markers, as the agent's `omitempty` does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(startSnapshot, forKey: .startSnapshot)
        try container.encodeIfPresent(stopSnapshot, forKey: .stopSnapshot)
        try container.encode(stream, forKey: .stream)
        try container.encode(checkStates, forKey: .checkStates)
    }
}
