import BridgeTopology
import Synchronization

/// Where `/api/v1/topology` and the StackState forwarder get the topology: built from the
/// current cluster state when one of them asks, not kept between asks. A built topology of
/// 11,000 pods (51,000 components, 143,000 relations) holds about 140 MB, more than the rest of the
/// bridge's state at that size, while its readers ask rarely: the forwarder once a
/// `topology_interval` (90 s by default), `/api/v1/topology` when an operator looks. A build
/// takes a few seconds at that size (3.5 s with its series, beside the scrapes, on 2 cores;
/// docs/performance.md, "Where the time goes").
public final class TopologySource: Sendable {
    private let build: @Sendable () -> Topology
    private let available = Atomic<Bool>(false)

    /// A source that builds with `build`; it gives nothing until ``markAvailable()``.
    public init(build: @escaping @Sendable () -> Topology) {
        self.build = build
    }

    /// Records that the cluster state is whole (every watched resource listed once): a topology
    /// built before that is partial, and a partial snapshot makes StackState delete what it lacks.
    public func markAvailable() {
        available.store(true, ordering: .releasing)
    }

    /// A topology of the current cluster state; nil until ``markAvailable()``.
    public var topology: Topology? {
        available.load(ordering: .acquiring) ? build() : nil
    }
}
