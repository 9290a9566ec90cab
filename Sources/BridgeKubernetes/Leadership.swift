import BridgeHTTP
import Synchronization

/// Whether this replica leads: set by ``LeaderElector``, read by everything that only the leader
/// may do (forwarding to StackState and remote write, serving `/metrics`). Without an election a
/// replica always leads.
public final class Leadership: Sendable {
    private let leading: Atomic<Bool>
    private let acquired = Atomic<Int>(0)
    /// Whether an elector decides; false: this replica leads for good.
    public let elected: Bool
    /// Signalled on every change, for what waits to start or stop leading work.
    public let changes = Wakeup()

    /// A flag decided by an election (starting as standby), or, with `elected: false`, always true.
    public init(elected: Bool) {
        self.elected = elected
        leading = Atomic(!elected)
    }

    /// Whether this replica leads now.
    public var isLeader: Bool { leading.load(ordering: .acquiring) }

    /// How many times this replica became leader.
    public var timesAcquired: Int { acquired.load(ordering: .relaxed) }

    /// Records a change; true when it was one.
    @discardableResult
    func set(_ leader: Bool) -> Bool {
        let previous = leading.exchange(leader, ordering: .acquiringAndReleasing)
        if leader && !previous { acquired.add(1, ordering: .relaxed) }
        if previous != leader { changes.signal() }
        return previous != leader
    }
}
