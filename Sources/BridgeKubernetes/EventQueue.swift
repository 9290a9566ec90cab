import BridgeTopology
import Synchronization

/// Kubernetes events waiting to be forwarded, fed by the events watcher.
///
/// Only what happens while the bridge runs is news: the first list of events is history (the
/// StackState agent's event check also starts from the current version) and is remembered, not
/// queued. After that, an event is queued when its UID is new or its count grew; a relist after
/// 410 Gone queues only what changed while unwatched. The queue is bounded: when the forwarder
/// falls behind, the oldest events are dropped and counted.
public final class EventQueue: Sendable {
    private struct State {
        var pending: [KubernetesEvent] = []
        var head = 0
        /// Count last seen for each event UID (or namespace/name when the UID is missing).
        var seen: [String: Int] = [:]
        var listedOnce = false
        var dropped = 0
    }

    private let state = Mutex(State())
    /// Most events held before the oldest are dropped.
    public let capacity: Int

    /// An empty queue holding at most `capacity` events.
    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// A completed list of every event.
    public func listed(_ events: [KubernetesEvent]) {
        state.withLock { state in
            var seen: [String: Int] = [:]
            seen.reserveCapacity(events.count)
            for event in events {
                let key = Self.identity(event)
                if state.listedOnce && state.seen[key] != event.count { Self.enqueue(event, &state, capacity) }
                seen[key] = event.count
            }
            state.seen = seen
            state.listedOnce = true
        }
    }

    /// A watch event: `ADDED`, `MODIFIED` or `DELETED` (an event's time to live ran out).
    public func watched(_ type: String, _ event: KubernetesEvent) {
        state.withLock { state in
            let key = Self.identity(event)
            if type == "DELETED" {
                state.seen[key] = nil
            } else if state.seen[key] != event.count {
                state.seen[key] = event.count
                Self.enqueue(event, &state, capacity)
            }
        }
    }

    /// Takes every queued event, oldest first.
    public func drain() -> [KubernetesEvent] {
        state.withLock { state in
            defer {
                state.pending = []
                state.head = 0
            }
            return Array(state.pending[state.head...])
        }
    }

    /// Events queued and not yet drained.
    public var count: Int { state.withLock { $0.pending.count - $0.head } }

    /// Events dropped because the queue was full.
    public var dropped: Int { state.withLock { $0.dropped } }

    private static func identity(_ event: KubernetesEvent) -> String {
        event.metadata.uid ?? ObjectKey(event.metadata).description
    }

    private static func enqueue(_ event: KubernetesEvent, _ state: inout State, _ capacity: Int) {
        if state.pending.count - state.head >= capacity {
            state.head += 1
            state.dropped += 1
            if state.head > capacity {
                state.pending.removeFirst(state.head)
                state.head = 0
            }
        }
        state.pending.append(event)
    }
}
