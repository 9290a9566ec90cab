/// The component actions and views of the StackState Kubernetes StackPack (seeds: Kubernetes
/// integration, "Component actions" and "Kubernetes views"), as sub-topologies.
extension Topology {
    /// Workload types whose pods "Show pods" and "Show dependencies (deep)" start from.
    public static let workloadTypes: Set<ComponentType> = [
        .deployment, .replicaset, .statefulset, .daemonset, .job, .cronjob,
    ]

    /// "Show pods": the workload, what it controls or creates on the way (ReplicaSets, Jobs) and
    /// its pods. Nil when `urn` is not a workload.
    public func pods(of urn: String) -> Topology? {
        guard let workload = components[urn], Self.workloadTypes.contains(workload.type) else { return nil }
        var kept: Set<String> = [urn]
        var frontier = [urn]
        while let current = frontier.popLast() {
            for relation in relations(from: current) where relation.type == .controls || relation.type == .creates {
                if kept.insert(relation.targetId).inserted { frontier.append(relation.targetId) }
            }
        }
        return subgraph(kept)
    }

    /// "Show dependencies (deep)": everything reachable by following relations from `urn`, at most
    /// `depth` (up to 6) steps away. Nil when `urn` is not a component.
    public func dependencies(of urn: String, depth: Int = 6) -> Topology? {
        guard components[urn] != nil else { return nil }
        var kept: Set<String> = [urn]
        var frontier = [urn]
        for _ in 0..<min(max(depth, 0), 6) {
            var next: [String] = []
            for current in frontier {
                for relation in relations(from: current) where kept.insert(relation.targetId).inserted {
                    next.append(relation.targetId)
                }
            }
            frontier = next
        }
        return subgraph(kept)
    }

    /// "Show configuration and storage": a pod or container with its containers, config maps,
    /// secrets, volumes, claims and the persistent volumes behind them.
    public func configurationAndStorage(of urn: String) -> Topology? {
        guard let component = components[urn], component.type == .pod || component.type == .container else {
            return nil
        }
        let configurationTypes: Set<RelationType> = [.uses, .usesValue, .claims, .mounts, .projects, .exposes]
        var kept: Set<String> = [urn]
        var frontier = [urn]
        if component.type == .pod {
            for relation in relations(from: urn) where relation.type == .encloses {
                kept.insert(relation.targetId)
                frontier.append(relation.targetId)
            }
        }
        while let current = frontier.popLast() {
            for relation in relations(from: current) where configurationTypes.contains(relation.type) {
                guard let target = components[relation.targetId], target.type != .pod || relation.type == .mounts else {
                    continue
                }
                if kept.insert(target.externalId).inserted && target.type != .pod { frontier.append(target.externalId) }
            }
        }
        return subgraph(kept)
    }

    /// "Show pods & services", "Show services" and "Show workloads" of a namespace.
    public func namespaceView(_ namespace: String, _ kind: NamespaceView) -> Topology {
        subgraph(
            Set(
                components.values.filter { $0.tags["namespace"] == namespace && kind.types.contains($0.type) }
                    .map(\.externalId)
            )
        )
    }

    /// The four cluster views of the StackPack.
    public func view(_ view: ClusterView) -> Topology {
        subgraph(Set(components.values.filter { view.types.contains($0.type) }.map(\.externalId)))
    }

    /// The components in `urns` and the relations among them.
    func subgraph(_ urns: Set<String>) -> Topology {
        Topology(
            components: urns.compactMap { components[$0] },
            relations: relations.values.filter { urns.contains($0.sourceId) && urns.contains($0.targetId) }
        )
    }
}

/// The namespace component actions.
public enum NamespaceView: String, Sendable, CaseIterable {
    /// "Show pods & services".
    case podsAndServices = "pods-and-services"
    /// "Show services": services and ingresses.
    case services
    /// "Show workloads".
    case workloads

    var types: Set<ComponentType> {
        switch self {
        case .podsAndServices: [.pod, .service]
        case .services: [.service, .ingress, .externalService]
        case .workloads: Topology.workloadTypes
        }
    }
}

/// The StackPack's views of a cluster.
public enum ClusterView: String, Sendable, CaseIterable {
    /// Kubernetes - Applications: what runs and how it is reached.
    case applications
    /// Kubernetes - Infrastructure: the cluster, its nodes and storage.
    case infrastructure
    /// Kubernetes - Namespaces.
    case namespaces
    /// Kubernetes - Workload Controllers.
    case workloadControllers = "workload-controllers"

    var types: Set<ComponentType> {
        switch self {
        case .applications:
            Topology.workloadTypes.union([.pod, .container, .service, .externalService, .ingress, .endpoint])
        case .infrastructure: [.cluster, .node, .persistentVolume, .volumeSource]
        case .namespaces: [.cluster, .namespace]
        case .workloadControllers: Topology.workloadTypes
        }
    }
}
