import Synchronization

/// What must have happened before `/readyz` answers 200: by default the first topology sync and
/// the first scrape round (DESIGN.md). Each condition is named, so a 503 says what is missing.
public final class Readiness: Sendable {
    private let pending: Mutex<Set<String>>

    /// Not ready until every condition in `conditions` is marked.
    public init(conditions: Set<String> = ["topology synced", "first scrape round done"]) {
        pending = Mutex(conditions)
    }

    /// Marks `condition` as met.
    public func mark(_ condition: String) {
        _ = pending.withLock { $0.remove(condition) }
    }

    /// The conditions not yet met, sorted.
    public var missing: [String] { pending.withLock { $0.sorted() } }

    /// Waits until `condition` is met, for at most `limit` (or until the task is cancelled);
    /// returns whether it was met. Looks every 50 ms: it serves the start of the bridge.
    public func wait(for condition: String, atMost limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while pending.withLock({ $0.contains(condition) }) {
            guard ContinuousClock.now < deadline, (try? await Task.sleep(for: .milliseconds(50))) != nil else {
                return false
            }
        }
        return true
    }

    /// Whether every condition is met.
    public var isReady: Bool { pending.withLock { $0.isEmpty } }
}
