import BridgeCore

/// `stackbridge_topology_connection_info`: one series per process-to-process connection, labelled
/// with where each end lives (node, namespace, pod, container, workload) and how the server was
/// reached, so that PromQL can join a workload to what it talks to
/// (`… * on (namespace, workload) group_left …`) without reading URNs.
struct ConnectionSeries {
    let state: ClusterState

    /// The label names, client end first; the empty ones are left out of a series.
    static let endLabels = ["node", "namespace", "pod", "container", "workload_kind", "workload"]

    /// Appends the family, sized and sorted as the graph keeps its connections.
    func append(to batch: inout MetricBatch, symbols: inout SymbolTable) {
        let connections = state.processes.connections
        guard !connections.isEmpty else { return }
        let urns = URNBuilder(cluster: state.clusterName)
        let name = symbols.intern(TopologyMetrics.connectionInfo)
        batch.beginFamily(
            name: name, type: .gauge,
            help: symbols.intern(
                "One series per process-to-process connection: its ends' URNs, nodes, namespaces, pods, containers and workloads, the server port and how it was reached."
            ), unit: nil)
        for connection in connections {
            var labels: [(String, String)] = [
                ("client_urn", urns.process(connection.client)), ("server_urn", urns.process(connection.server)),
                ("port", String(connection.port)), ("via", connection.path.via),
            ]
            labels += endLabels("client", connection.client)
            labels += endLabels("server", connection.server)
            for (key, value) in labels.sorted(by: { $0.0 < $1.0 }) where !value.isEmpty {
                batch.appendLabel(Label(name: symbols.intern(key), value: symbols.intern(value)))
            }
            batch.appendSample(name: name, value: 1, timestamp: nil, exemplar: nil)
        }
    }

    /// `<side>_node`, `<side>_namespace`, … of the process `key`.
    private func endLabels(_ side: String, _ key: ProcessKey) -> [(String, String)] {
        var values = ["node": key.node]
        if let container = state.processes.processes[key]?.container {
            values["namespace"] = container.pod.namespace
            values["pod"] = container.pod.name
            values["container"] = container.name
            if let pod = state.pods[container.pod] {
                let placement = state.placement(of: pod)
                values["workload_kind"] = placement.workloadKind
                values["workload"] = placement.workloadName
            }
        }
        return Self.endLabels.map { ("\(side)_\($0)", values[$0] ?? "") }
    }
}
