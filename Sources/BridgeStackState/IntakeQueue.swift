import BridgeHTTP
import Synchronization

/// What a queued POST carries, for counting and logs.
public enum PayloadKind: String, Sendable, CaseIterable {
    /// A topology snapshot chunk.
    case topology
    /// A health snapshot chunk.
    case health
    /// Kubernetes events.
    case events
    /// Series for `/api/v1/series`.
    case metrics
    /// The process agent's `CollectorProc` for `/api/v1/collector`.
    case processes
    /// The process agent's `CollectorConnections` for `/api/v1/connections`.
    case connections
}

/// One compressed POST waiting to be sent.
public struct PendingPost: Sendable {
    /// Position in the queue, so a send can tell whether its post was evicted meanwhile.
    var sequence: UInt64 = 0
    /// What it carries.
    public var kind: PayloadKind
    /// `/intake/`, `/api/v1/series`, `/api/v1/collector` or `/api/v1/connections`.
    public var path: String
    /// The gzip-compressed JSON body, or a framed process agent message.
    public var body: [UInt8]
    /// Topology elements, check states, events or series it carries.
    public var items: Int
    /// For a process agent message, the `sts-hostname` it is sent with; nil for gzip JSON.
    public var processAgentHost: String?
    /// For a chunk of a topology or health snapshot, which snapshot: such posts are never
    /// evicted, since the receiver would take the rest of a snapshot that lost one for the whole.
    public var snapshot: UInt64?

    /// A post of `items` things of `kind` to `path`.
    public init(
        kind: PayloadKind, path: String, body: [UInt8], items: Int, processAgentHost: String? = nil,
        snapshot: UInt64? = nil
    ) {
        self.snapshot = snapshot
        self.kind = kind
        self.path = path
        self.body = body
        self.items = items
        self.processAgentHost = processAgentHost
    }
}

/// The forwarder's bounded in-memory retry queue (the agent keeps a 15 MiB one, reference §7):
/// posts are sent oldest first; when the compressed bytes held pass the capacity, the oldest are
/// evicted and counted, so a long receiver outage costs the oldest data, never memory without bound.
/// Snapshot chunks are not evicted: the forwarder queues at most two of each snapshot
/// (``StackStateForwarder``), so they can pass the capacity by that much and no more.
public final class IntakeQueue: Sendable {
    private struct State {
        var posts: [PendingPost] = []
        var head = 0
        var bytes = 0
        var nextSequence: UInt64 = 0
        var evicted: [PayloadKind: Int] = [:]
    }

    private let state = Mutex(State())
    /// Most compressed bytes held.
    public let capacityBytes: Int
    /// Signalled on every push, for the sender waiting for a post.
    public let arrivals = Wakeup()

    /// An empty queue holding at most `capacityBytes`.
    public init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// Appends `post`, evicting the oldest while over capacity; returns how many were evicted.
    @discardableResult
    public func push(_ post: PendingPost) -> Int {
        let evicted = state.withLock { state in
            var post = post
            post.sequence = state.nextSequence
            state.nextSequence &+= 1
            state.posts.append(post)
            state.bytes += post.body.count
            var evicted = 0
            // The newest post always stays, even when it alone is larger than the capacity.
            while state.bytes > capacityBytes,
                let index = state.posts[state.head..<(state.posts.count - 1)].firstIndex(where: { $0.snapshot == nil })
            {
                let oldest = state.posts[index]
                state.bytes -= oldest.body.count
                state.evicted[oldest.kind, default: 0] += 1
                if index == state.head {
                    state.head += 1
                } else {
                    state.posts.remove(at: index)
                }
                evicted += 1
            }
            Self.compact(&state)
            return evicted
        }
        arrivals.signal()
        return evicted
    }

    /// The oldest post, left in the queue until ``remove(_:)``.
    public func front() -> PendingPost? {
        state.withLock { $0.head < $0.posts.count ? $0.posts[$0.head] : nil }
    }

    /// Removes `post` if it is still the oldest (it may have been evicted while being sent).
    public func remove(_ post: PendingPost) {
        state.withLock { state in
            guard state.head < state.posts.count, state.posts[state.head].sequence == post.sequence else { return }
            state.bytes -= post.body.count
            state.head += 1
            Self.compact(&state)
        }
    }

    /// Removes every post of `snapshot`, the one being sent too; returns how many there were.
    @discardableResult
    public func removeAll(snapshot: UInt64) -> Int {
        state.withLock { state in
            let waiting = state.posts[state.head...]
            let removed = waiting.filter { $0.snapshot == snapshot }
            guard !removed.isEmpty else { return 0 }
            state.posts = waiting.filter { $0.snapshot != snapshot }
            state.head = 0
            state.bytes -= removed.reduce(0) { $0 + $1.body.count }
            return removed.count
        }
    }

    /// Posts waiting.
    public var count: Int { state.withLock { $0.posts.count - $0.head } }

    /// Compressed bytes waiting.
    public var bytes: Int { state.withLock { $0.bytes } }

    /// Posts evicted so far, by kind.
    public var evicted: [PayloadKind: Int] { state.withLock { $0.evicted } }

    /// Drops the consumed prefix once it is half the array, so removal stays amortised O(1).
    private static func compact(_ state: inout State) {
        if state.head > 64 && state.head * 2 > state.posts.count {
            state.posts.removeFirst(state.head)
            state.head = 0
        }
    }
}
