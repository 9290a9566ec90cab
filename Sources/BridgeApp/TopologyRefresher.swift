import BridgeKubernetes
import BridgeServer
import BridgeTopology
import Logging
import ServiceLifecycle

/// Rebuilds the topology from the cluster state when it changed, at most once an interval, for
/// `/metrics` (the topology series) and the bridge's own metrics; once every watched resource has
/// completed its first list, marks readiness and lets `/api/v1/topology` and the StackState
/// forwarder build theirs (TopologySource). Nothing is built before that: a partial topology
/// would be wrong, and each build of it (every 200 ms while the lists arrive) held the last one
/// besides the new, the largest allocation of the bridge's start (docs/performance.md).
struct TopologyRefresher: ServiceLifecycle.Service {
    let store: ClusterStore
    let resources: [String]
    let source: TopologySource
    let snapshot: ExpositionSnapshot
    let readiness: Readiness
    let telemetry: Telemetry
    let metrics: TopologyMetrics
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var synced = false
        var built: UInt64?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Until every resource has listed once, look often; then at the configured interval,
            // and only when the cluster state changed: a rebuild of an unchanged state gives the
            // same topology (about 1 s of CPU at 10,000 pods, docs/performance.md).
            if store.hasSettled(resources) {
                let (state, version) = store.versionedSnapshot
                if version != built {
                    refresh(state, synced: &synced)
                    built = version
                }
            }
            // A graceful shutdown ends the wait; the loop condition then stops the service.
            let wait = synced ? interval : .milliseconds(200)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        }
    }

    private func refresh(_ state: ClusterState, synced: inout Bool) {
        let start = ContinuousClock.now
        let (components, relations) = publishSeries(of: state)
        // The build's memory is free now; give it back before the first scrapes take their own
        // (readiness below lets them start, Bridge.firstScrapeWait).
        AllocatorTuning.returnFreedMemory()
        let seconds =
            Double((ContinuousClock.now - start).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - start).components.seconds)
        telemetry.recordTopology(
            components: components, relations: relations, seconds: seconds,
            objects: [
                "nodes": state.nodes.count, "pods": state.pods.count, "namespaces": state.namespaces.count,
                "services": state.services.count, "deployments": state.deployments.count,
            ], exposedSeries: snapshot.seriesCount)
        if !synced {
            synced = true
            source.markAvailable()
            readiness.mark(Bridge.topologySynced)
            logger.info(
                "topology synced",
                metadata: [
                    "topology.components": .stringConvertible(components),
                    "topology.relations": .stringConvertible(relations),
                ])
        }
    }

    /// Builds the topology of `state`, puts its series on `/metrics` and drops it; returns how
    /// many components and relations it had.
    private func publishSeries(of state: ClusterState) -> (components: Int, relations: Int) {
        let topology = TopologyBuilder.build(state)
        snapshot.update(
            "topology", batches: [metrics.batch(topology: topology, state: state)], timestamp: 0, interval: nil)
        return (topology.components.count, topology.relations.count)
    }
}

extension TopologyRefresher: CustomStringConvertible {
    /// The name service lifecycle logs use.
    var description: String { "TopologyRefresher" }
}
