/// One event loop of an ``HTTPClient``: a driver thread that also runs tasks and their timers.
///
/// A task that runs with ``executor`` as its executor preference and sleeps on ``clock`` stays on
/// the loop's thread from its timer through its request to the work it does with the response; see
/// ``HTTPClient/loop(for:)``.
public struct HTTPLoop: Sendable {
    let driver: CurlDriver

    /// The executor to prefer (`withTaskExecutorPreference`).
    public var executor: any TaskExecutor { driver }

    /// A continuous clock whose sleeps are woken by the loop's own poll.
    public var clock: HTTPLoopClock { HTTPLoopClock(driver: driver) }
}

/// `ContinuousClock` time, with sleeps served by an ``HTTPLoop``'s thread instead of a timer of the
/// global executor (which wakes a timer thread and a pool thread before the task's own executor).
public struct HTTPLoopClock: Clock {
    /// The same instants as `ContinuousClock`.
    public typealias Instant = ContinuousClock.Instant

    let driver: CurlDriver

    /// Now, as `ContinuousClock` tells it.
    public var now: Instant { ContinuousClock.now }

    /// The poll's resolution: a millisecond.
    public var minimumResolution: Duration { .milliseconds(1) }

    /// Returns at `deadline` (at most a millisecond after it, when the loop is idle); throws
    /// `CancellationError` when the task is cancelled or the client shuts down first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        guard deadline > now else { return }
        try await driver.sleep(until: deadline)
    }
}
