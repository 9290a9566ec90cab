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

    /// The chunks of one repeat snapshot of `states` (URN, health) for `cluster`, at most
    /// `capacity` states each; states expire after two missed snapshots.
    public static func snapshot(
        _ states: [(urn: String, health: Health)], cluster: String, repeatInterval: Duration, capacity: Int = 10_000
    ) -> [HealthSyncPayload] {
        let seconds = min(1800, max(1, Int(repeatInterval.components.seconds)))
        let stream = Stream(urn: "urn:health:stackbridge:\(cluster)")
        let checks = states.map { urn, health in
            CheckState(
                checkStateId: "stackbridge-kubernetes-health:\(urn)", message: health.reason,
                health: health.state.rawValue, topologyElementIdentifier: urn, name: "Kubernetes state (stackbridge)")
        }
        var chunks = stride(from: 0, to: max(checks.count, 1), by: max(1, capacity)).map { start in
            HealthSyncPayload(
                startSnapshot: nil, stopSnapshot: nil, stream: stream,
                checkStates: Array(checks[start..<min(checks.count, start + capacity)]))
        }
        chunks[0].startSnapshot = StartSnapshot(repeatInterval: seconds, expiryInterval: 2 * seconds + 30)
        chunks[chunks.count - 1].stopSnapshot = [:]
        return chunks
    }
}
