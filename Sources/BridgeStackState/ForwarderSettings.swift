import BridgeTopology

/// What the StackState forwarder sends and how often (`stackstate:` in the configuration,
/// docs/configuration.md).
public struct ForwarderSettings: Sendable, Hashable {
    /// The receiver.
    public var endpoint: StackStateEndpoint
    /// Between topology snapshots (the agent's topology check runs every 90 s).
    public var topologyInterval: Duration = .seconds(90)
    /// Between metric rounds to `/api/v1/series` (the agent's checks run every 40 s).
    public var metricsInterval: Duration = .seconds(40)
    /// Between event posts: events go out as they happen, gathered for at most this long.
    public var eventsInterval: Duration = .seconds(5)
    /// How soon to look again for a topology that is not there yet (before the first complete
    /// sync of every watched resource), rather than a whole topology interval later.
    public var topologyNotReadyRetry: Duration = .milliseconds(500)
    /// Send topology snapshots.
    public var topology = true
    /// Send health states with each snapshot.
    public var health = true
    /// Send Kubernetes events.
    public var events = true
    /// Send metrics.
    public var metrics = true
    /// Compressed bytes the retry queue holds before the oldest posts are dropped.
    public var queueBytes = 15 << 20
    /// Categories by event reason that replace the built-in ones (`event_categories`).
    public var eventCategories: [String: EventCategory] = [:]
    /// Most elements in one topology or health POST (the agent's `batcher_capacity`).
    public var batchCapacity = 10_000
    /// Most events in one POST (the agent's `max_events_per_run`).
    public var eventsPerPost = 300
    /// How processes and their connections reach the receiver (`processes`).
    public var processes = ProcessDelivery.intake
    /// Between process agent rounds (`processes.interval`; the agent's checks run every 30 s).
    public var processesInterval: Duration = .seconds(30)

    /// How processes and connections are sent.
    public enum ProcessDelivery: String, Sendable, Hashable, CaseIterable {
        /// As `process` components and `directional_connection` relations in the topology
        /// snapshot, correlated by the bridge: what `/api/v1/topology` shows is what arrives.
        case intake
        /// As the process agent's own messages per node, correlated by the receiver: the topology
        /// snapshot leaves them out, and the receiver's process views and merges work as with
        /// the agent.
        case agentProtocol = "agent-protocol"
    }

    /// Settings for `endpoint` with the agent's defaults.
    public init(endpoint: StackStateEndpoint) {
        self.endpoint = endpoint
    }
}
