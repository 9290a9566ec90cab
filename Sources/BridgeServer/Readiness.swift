import Synchronization

/// What must have happened before `/readyz` answers 200: by default the first topology sync and
/// the first scrape round (DESIGN.md). Each condition is named, so a 503 says what is missing.
///
/// Besides conditions met once, checks (``addCheck(_:)``) name what is wrong right now, such as a
/// watched resource out of sync for too long; they turn readiness off while they say something.
public final class Readiness: Sendable {
    private let pending: Mutex<Set<String>>
    private let checks = Mutex<[@Sendable () -> [String]]>([])

    /// Not ready until every condition in `conditions` is marked.
    public init(conditions: Set<String> = ["topology synced", "first scrape round done"]) {
        pending = Mutex(conditions)
    }

    /// Marks `condition` as met.
    public func mark(_ condition: String) {
        _ = pending.withLock { $0.remove(condition) }
    }

    /// Adds a check that names, each time readiness is asked, what keeps the bridge from being
    /// ready now (nothing when all is well).
    public func addCheck(_ check: @escaping @Sendable () -> [String]) {
        checks.withLock { $0.append(check) }
    }

    /// The conditions not yet met, sorted, then what the checks name.
    public var missing: [String] {
        pending.withLock { $0.sorted() } + checks.withLock { $0 }.flatMap { $0() }
    }

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

    /// Whether every condition is met and no check names a problem.
    public var isReady: Bool { missing.isEmpty }
}
