import BridgeCore

/// The topology as series, so that dashboards and alerts can use it with plain PromQL
/// (docs/metrics.md): one info series per component and per relation, and the health of nodes,
/// workloads and pods as a state set.
public struct TopologyMetrics: Sendable {
    /// Whether relations are exposed (`topology_metrics.relations`); they are the largest part.
    public var includeRelations: Bool
    /// The rules health is judged by.
    public var rules: HealthRules

    /// Names of the families, for docs/metrics.md and tests.
    public static let componentInfo = "stackbridge_topology_component_info"
    /// Relation info.
    public static let relationInfo = "stackbridge_topology_relation_info"
    /// Health state set.
    public static let componentHealth = "stackbridge_component_health"
    /// Process-to-process connections, with where each end lives.
    public static let connectionInfo = "stackbridge_topology_connection_info"

    /// Exposes relations too unless told otherwise.
    public init(includeRelations: Bool = true, rules: HealthRules = HealthRules()) {
        self.includeRelations = includeRelations
        self.rules = rules
    }

    /// The series of `topology`, with health judged from `state` (the state it was built from).
    public func batch(topology: Topology, state: ClusterState) -> MetricBatch {
        var batch = MetricBatch()
        var symbols = batch.symbols
        batch.symbols = SymbolTable(capacity: 1)
        func symbol(_ string: String) -> Symbol { symbols.intern(string) }
        let (urn, type, name, namespace) = (symbol("urn"), symbol("type"), symbol("name"), symbol("namespace"))
        // Nodes, workloads and pods with their components, looked up once for sizing and writing.
        let judged = healthByURN(state).compactMap { urn, health in topology.components[urn].map { ($0, health) } }
        // The `namespace` label, which cluster-wide components do not have.
        func namespaceLabel(_ component: Component) -> String? {
            component.tags["namespace"].flatMap { $0.isEmpty ? nil : $0 }
        }
        func labelCount(_ component: Component) -> Int { namespaceLabel(component) == nil ? 3 : 4 }
        func appendComponentLabels(_ component: Component) {
            batch.appendLabel(Label(name: urn, value: symbol(component.externalId)))
            batch.appendLabel(Label(name: type, value: symbol(component.type.rawValue)))
            batch.appendLabel(Label(name: name, value: symbol(component.name)))
            if let value = namespaceLabel(component) { batch.appendLabel(Label(name: namespace, value: symbol(value))) }
        }
        // Sized once: at 11,000 pods this batch holds 230,000 series for as long as `/metrics`
        // serves it, and grown by doubling it kept up to as much again unused (docs/performance.md).
        let relationCount = includeRelations ? topology.relations.count : 0
        let statesCount = HealthState.allCases.count
        batch.reserveCapacity(
            samples: topology.components.count + relationCount + judged.count * statesCount,
            labels: topology.components.values.reduce(0) { $0 + labelCount($1) } + 3 * relationCount
                + judged.reduce(0) { $0 + (labelCount($1.0) + 1) * statesCount })

        batch.beginFamily(
            name: symbol(Self.componentInfo), type: .gauge,
            help: symbol("One series per topology component: its URN, type, name and namespace."), unit: nil)
        let components = topology.components.values.sorted { $0.externalId < $1.externalId }
        for component in components {
            appendComponentLabels(component)
            batch.appendSample(name: symbol(Self.componentInfo), value: 1, timestamp: nil, exemplar: nil)
        }

        if includeRelations {
            let (source, target) = (symbol("source_urn"), symbol("target_urn"))
            batch.beginFamily(
                name: symbol(Self.relationInfo), type: .gauge,
                help: symbol("One series per topology relation: its type and the URNs it joins."), unit: nil)
            // Connections have a family of their own (two on different ports share their ends).
            for relation in topology.relations.values.sorted(by: Relation.precedesByExternalId)
            where relation.type != .directionalConnection {
                batch.appendLabel(Label(name: type, value: symbol(relation.type.rawValue)))
                batch.appendLabel(Label(name: source, value: symbol(relation.sourceId)))
                batch.appendLabel(Label(name: target, value: symbol(relation.targetId)))
                batch.appendSample(name: symbol(Self.relationInfo), value: 1, timestamp: nil, exemplar: nil)
            }
        }

        ConnectionSeries(state: state).append(to: &batch, symbols: &symbols)

        let healthName = symbol(Self.componentHealth)
        batch.beginFamily(
            name: healthName, type: .stateset,
            help: symbol(
                "Health of the cluster, nodes, workloads and pods: 1 for the current state of CLEAR, DEVIATING, CRITICAL."
            ),
            unit: nil)
        let states = HealthState.allCases.map { symbol($0.rawValue) }
        for (component, health) in judged {
            for (index, healthState) in HealthState.allCases.enumerated() {
                appendComponentLabels(component)
                batch.appendLabel(Label(name: healthName, value: states[index]))
                batch.appendSample(
                    name: healthName, value: health.state == healthState ? 1 : 0, timestamp: nil, exemplar: nil)
            }
        }
        batch.symbols = symbols
        return batch
    }

    /// Health of the cluster (from its ComponentStatuses), every node, workload and pod, by component
    /// URN, in URN order.
    public func healthByURN(_ state: ClusterState) -> [(String, Health)] {
        let urns = URNBuilder(cluster: state.clusterName)
        var result: [(String, Health)] = []
        if let health = rules.health(ofControlPlane: state.componentStatuses) {
            result.append((urns.clusterID, health))
        }
        for (name, node) in state.nodes { result.append((urns.node(name), rules.health(of: node))) }
        let workloads: [(ComponentType, [ObjectKey: Workload])] = [
            (.deployment, state.deployments), (.replicaset, state.replicaSets), (.daemonset, state.daemonSets),
            (.statefulset, state.statefulSets),
        ]
        for (type, objects) in workloads {
            for (key, workload) in objects {
                result.append(
                    (
                        urns.component(type.rawValue, namespace: key.namespace, name: key.name),
                        rules.health(of: workload)
                    ))
            }
        }
        for (key, pod) in state.pods {
            result.append((urns.component("pod", namespace: key.namespace, name: key.name), rules.health(of: pod)))
        }
        return result.sorted { $0.0 < $1.0 }
    }
}
