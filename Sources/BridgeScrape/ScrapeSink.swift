import BridgeCore

/// Where scrape results go: the enricher, the `/metrics` snapshot, the remote-write queue.
public protocol ScrapeSink: Sendable {
    /// Takes the result of one scrape. Called from the target's loop; a slow sink delays only that
    /// target's next scrape, never other targets.
    func deliver(_ result: ScrapeResult) async

    /// The target left the target set; `stale` holds staleness markers for its last series.
    func remove(_ target: ScrapeTarget, stale: MetricBatch) async
}

/// Keeps the latest result of every target (the `/metrics` snapshot's source) and counts the rest.
public actor LatestScrapes: ScrapeSink {
    /// The latest result per target id.
    public private(set) var latest: [String: ScrapeResult] = [:]
    /// Every result delivered, in order, when ``keepHistory`` is set (tests).
    public private(set) var history: [ScrapeResult] = []
    /// Staleness batches of removed targets, by target id.
    public private(set) var removed: [String: MetricBatch] = [:]
    private let keepHistory: Bool

    /// Creates an empty store; `keepHistory` keeps every result, for tests.
    public init(keepHistory: Bool = false) {
        self.keepHistory = keepHistory
    }

    /// Stores `result` as the target's latest.
    public func deliver(_ result: ScrapeResult) {
        latest[result.target.id] = result
        if keepHistory { history.append(result) }
    }

    /// Forgets the target and keeps its staleness markers.
    public func remove(_ target: ScrapeTarget, stale: MetricBatch) {
        latest[target.id] = nil
        removed[target.id] = stale
    }

    /// Waits until `condition` holds for the store or `timeout` passes; returns whether it held.
    /// The limit is generous: a poll costs nothing when the condition holds early, and in a full
    /// test run other suites' peer start-ups can hold both cooperative threads for seconds.
    public func wait(
        timeout: Duration = .seconds(30),
        until condition: @Sendable (isolated LatestScrapes) -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(self)
    }
}
