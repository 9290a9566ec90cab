/// `queue_config` of one remote-write endpoint, with Prometheus' names and current defaults
/// (reference/prometheus-side.md §1.5).
public struct QueueConfig: Sendable, Hashable {
    /// Samples buffered in memory per shard before the oldest are dropped (and counted).
    public var capacity = 10_000
    /// Shards sending in parallel; each series always goes to the same shard, keeping its order.
    public var maxShards = 4
    /// Most samples in one request.
    public var maxSamplesPerSend = 2000
    /// Longest a sample waits for its batch to fill.
    public var batchSendDeadline: Duration = .seconds(5)
    /// First retry delay; doubled on every failure up to ``maxBackoff``.
    public var minBackoff: Duration = .milliseconds(30)
    /// Longest retry delay.
    public var maxBackoff: Duration = .seconds(5)

    /// Prometheus' defaults, with 4 fixed shards.
    public init() {}
}
