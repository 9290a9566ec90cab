import BridgeTopology
import Synchronization

/// The current topology, swapped whole when a new one is built (DESIGN.md: an immutable value
/// swapped atomically); readers get a snapshot and never block the builder.
public final class TopologyHolder: Sendable {
    private let current = Mutex<Topology?>(nil)

    /// An empty holder.
    public init() {}

    /// The latest topology, nil before the first build.
    public var topology: Topology? { current.withLock { $0 } }

    /// Publishes `topology`.
    public func publish(_ topology: Topology) {
        current.withLock { $0 = topology }
    }
}
