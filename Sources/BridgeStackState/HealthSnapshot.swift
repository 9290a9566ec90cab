import BridgeTopology

/// One repeat snapshot of health states, made a chunk at a time as ``next()`` is called: at most
/// `capacity` states a chunk, `start_snapshot` (repeat and expiry intervals) on the first,
/// `stop_snapshot` on the last, one chunk even for no states (reference/stackstate-receiver.md
/// §6). States expire after two missed snapshots.
public struct HealthSnapshot: Sendable, IteratorProtocol {
    private let states: [(urn: String, health: Health)]
    private let stream: HealthSyncPayload.Stream
    private let start: HealthSyncPayload.StartSnapshot
    private let capacity: Int
    private var position = 0
    private var finished = false

    /// A snapshot of `states` (URN, health) of `cluster`, repeated every `repeatInterval` (the
    /// receiver takes at most 1800 s).
    public init(
        _ states: [(urn: String, health: Health)], cluster: String, repeatInterval: Duration, capacity: Int = 10_000
    ) {
        self.states = states
        let seconds = min(1800, max(1, Int(repeatInterval.components.seconds)))
        stream = HealthSyncPayload.Stream(urn: "urn:health:stackbridge:\(cluster)")
        start = HealthSyncPayload.StartSnapshot(repeatInterval: seconds, expiryInterval: 2 * seconds + 30)
        self.capacity = max(1, capacity)
    }

    /// States the snapshot carries.
    public var elements: Int { states.count }

    /// The next chunk; nil after the one carrying `stop_snapshot`.
    public mutating func next() -> HealthSyncPayload? {
        guard !finished else { return nil }
        let end = min(states.count, position + capacity)
        let chunk = HealthSyncPayload(
            startSnapshot: position == 0 ? start : nil, stopSnapshot: end == states.count ? [:] : nil,
            stream: stream,
            checkStates: states[position..<end].map { urn, health in
                HealthSyncPayload.CheckState(
                    checkStateId: "stackbridge-kubernetes-health:\(urn)", message: health.reason,
                    health: health.state.rawValue, topologyElementIdentifier: urn,
                    name: "Kubernetes state (stackbridge)")
            })
        position = end
        finished = end == states.count
        return chunk
    }
}
