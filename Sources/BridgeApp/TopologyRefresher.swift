import BridgeKubernetes
import BridgeServer
import BridgeTopology
import Logging
import ServiceLifecycle

/// Rebuilds the topology from the cluster state at a fixed interval and publishes it: to
/// `/api/v1/topology`, to `/metrics` as topology series, and to readiness once every watched
/// resource has completed its first list.
struct TopologyRefresher: ServiceLifecycle.Service {
    let store: ClusterStore
    let resources: [String]
    let holder: TopologyHolder
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
            let settled = store.hasSettled(resources)
            let (state, version) = store.versionedSnapshot
            if (settled || !synced) && (version != built || !synced) {
                refresh(state, settled: settled, synced: &synced)
                built = version
            }
            // A graceful shutdown ends the wait; the loop condition then stops the service.
            let wait = synced ? interval : .milliseconds(200)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
        }
    }

    private func refresh(_ state: ClusterState, settled: Bool, synced: inout Bool) {
        let start = ContinuousClock.now
        let topology = TopologyBuilder.build(state)
        holder.publish(topology)
        let batch = metrics.batch(topology: topology, state: state)
        snapshot.update("topology", batches: [batch], timestamp: 0, interval: nil)
        let seconds =
            Double((ContinuousClock.now - start).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - start).components.seconds)
        telemetry.recordTopology(
            components: topology.components.count, relations: topology.relations.count, seconds: seconds,
            objects: [
                "nodes": state.nodes.count, "pods": state.pods.count, "namespaces": state.namespaces.count,
                "services": state.services.count, "deployments": state.deployments.count,
            ], exposedSeries: snapshot.seriesCount)
        if settled && !synced {
            synced = true
            readiness.mark(Bridge.topologySynced)
            logger.info(
                "topology synced",
                metadata: [
                    "topology.components": .stringConvertible(topology.components.count),
                    "topology.relations": .stringConvertible(topology.relations.count),
                ])
        }
    }
}

extension TopologyRefresher: CustomStringConvertible {
    /// The name service lifecycle logs use.
    var description: String { "TopologyRefresher" }
}
