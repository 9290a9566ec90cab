import Synchronization

/// Wakes tasks waiting for some state to change, without polling: a waiter notes ``generation``
/// before it looks at the state, and ``wait(after:timeout:)`` returns as soon as a ``signal()``
/// has come since (an event count), so a signal between looking and waiting is never lost.
/// Every current waiter is resumed by one signal; waking spuriously is harmless, since waiters
/// look at the state again.
///
/// The one waiting idiom of the sinks: the remote-write queue uses one per shard for each
/// direction (enqueuers wake the sender, the sender wakes enqueuers waiting for room), the
/// StackState forwarder one for posts queued and one for a change of leadership. Polling instead
/// (a sleep of a few milliseconds per shard) cost a quarter of the bridge's CPU in thread wake-ups
/// (docs/performance.md).
public final class Wakeup: Sendable {
    /// A count at zero with no waiter.
    public init() {}

    private struct State {
        var generation: UInt64 = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters whose task was cancelled before they could register.
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    private let state = Mutex(State())

    /// The count of signals so far.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Resumes every waiter.
    public func signal() {
        let resumed = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            guard !state.waiters.isEmpty else { return [] }
            defer { state.waiters.removeAll(keepingCapacity: true) }
            return Array(state.waiters.values)
        }
        for continuation in resumed { continuation.resume() }
    }

    /// Returns once a signal came after `observed` (at once if one already has), after `timeout`,
    /// or when the task is cancelled.
    public func wait(after observed: UInt64, timeout: Duration) async {
        await wait(after: observed, timeout: timeout, clock: ContinuousClock())
    }

    /// Like ``wait(after:timeout:)``, timing out on `clock`: a queue sender on an ``BridgeHTTP/HTTPLoop``
    /// waits on the loop's clock, whose poll serves the timeout without waking another thread.
    public func wait<C: Clock>(after observed: UInt64, timeout: Duration, clock: C) async where C.Duration == Duration {
        let id = state.withLock { state -> Int? in
            guard state.generation == observed else { return nil }
            state.nextID &+= 1
            return state.nextID
        }
        guard let id, timeout > .zero, !Task.isCancelled else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLock { state -> Bool in
                            if state.generation != observed || state.cancelled.remove(id) != nil { return true }
                            state.waiters[id] = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    let continuation = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                        if let waiting = state.waiters.removeValue(forKey: id) { return waiting }
                        state.cancelled.insert(id)
                        return nil
                    }
                    continuation?.resume()
                }
            }
            group.addTask { await Self.sleep(for: timeout, on: clock) }
            await group.next()
            group.cancelAll()
        }
        // A waiter resumed by its timeout or a signal leaves no trace; one cancelled after it was
        // resumed may have left its mark, which nothing will read.
        state.withLock { _ = $0.cancelled.remove(id) }
    }

    /// Returns once any of `wakeups` signalled after the generation noted with it, after
    /// `timeout`, or when the task is cancelled; with none, after `timeout`.
    public static func waitForAny(_ wakeups: [(Wakeup, UInt64)], timeout: Duration) async {
        guard wakeups.count > 1 else {
            if let (wakeup, observed) = wakeups.first {
                await wakeup.wait(after: observed, timeout: timeout)
            } else {
                try? await Task.sleep(for: timeout)
            }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for (wakeup, observed) in wakeups {
                group.addTask { await wakeup.wait(after: observed, timeout: timeout) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Sleeps for `duration` on `clock` until cancelled; should the clock refuse (an ``BridgeHTTP/HTTPLoop``
    /// whose client has shut down), on the global executor's, so that a waiter never returns early
    /// and spins.
    public static func sleep<C: Clock>(for duration: Duration, on clock: C) async where C.Duration == Duration {
        do {
            try await clock.sleep(for: duration)
        } catch  where !Task.isCancelled {
            try? await Task.sleep(for: duration)
        } catch {}
    }
}
