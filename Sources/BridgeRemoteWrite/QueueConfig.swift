/// `queue_config` of one remote-write endpoint, with Prometheus' names (reference/prometheus-side.md
/// §1.5): 2.42's shard bounds, and the capacity and batch size Prometheus uses today.
public struct QueueConfig: Sendable, Hashable {
    /// The shards a queue runs when `min_shards` and `max_shards` allow: Prometheus resizes its
    /// shards with the sample rate, the bridge keeps a fixed number so each series stays on one
    /// shard (and so in order) across restarts and the spool; four keep up with a 10× cluster.
    public static let preferredShards = 4

    /// Samples buffered in memory per shard before the oldest are dropped (and counted).
    public var capacity = 10_000
    /// Most shards (Prometheus 2.42's default).
    public var maxShards = 200
    /// Fewest shards.
    public var minShards = 1
    /// Most samples in one request.
    public var maxSamplesPerSend = 2000
    /// Longest a sample waits for its batch to fill.
    public var batchSendDeadline: Duration = .seconds(5)
    /// First retry delay; doubled on every failure up to ``maxBackoff``.
    public var minBackoff: Duration = .milliseconds(30)
    /// Longest retry delay.
    public var maxBackoff: Duration = .seconds(5)

    /// Prometheus' defaults.
    public init() {}

    /// The shards a queue runs: ``preferredShards`` kept within ``minShards`` and ``maxShards``.
    public var shardCount: Int {
        max(1, min(maxShards, max(minShards, Self.preferredShards)))
    }
}
