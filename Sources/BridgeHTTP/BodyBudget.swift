import Synchronization

/// Memory for response bodies that all transfers of a client may hold at once, on top of each
/// request's own `maxBodyBytes`: four endless targets at a 256 MiB cap each would otherwise hold a
/// gigabyte between them. A transfer reserves the room its body buffer grows into before it grows;
/// one that cannot is aborted as too large, naming the budget, and its room is given back when it ends.
public final class BodyBudget: Sendable {
    /// The most bytes held at once.
    public let limit: Int
    private let state = Mutex((used: 0, peak: 0))

    /// A budget of `limit` bytes.
    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Takes `bytes` if they fit; false when they would exceed the limit.
    func reserve(_ bytes: Int) -> Bool {
        state.withLock { state in
            guard state.used + bytes <= limit else { return false }
            state.used += bytes
            state.peak = max(state.peak, state.used)
            return true
        }
    }

    /// Gives `bytes` back.
    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        state.withLock { $0.used -= bytes }
    }

    /// Bytes held now.
    public var inUse: Int { state.withLock { $0.used } }

    /// The most bytes held at once so far.
    public var peak: Int { state.withLock { $0.peak } }
}
