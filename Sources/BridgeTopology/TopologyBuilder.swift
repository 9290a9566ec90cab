/// Builds the ``Topology`` of a ``ClusterState`` with the components, relations, URNs and tags of
/// the StackState Kubernetes integration (reference/stackstate-receiver.md §3).
public struct TopologyBuilder {
    let state: ClusterState
    let urns: URNBuilder
    var components: [Component] = []
    var relations: [Relation] = []
    /// One string per URN that relations name: a component has many relations, and each
    /// `relate` call makes its ends afresh (`urn(_:_:_:)`), so without this a build held a copy
    /// of both ends of every relation until the topology was made.
    private var relationEnds: Set<String> = []

    /// Creates a builder over `state`.
    public init(state: ClusterState) {
        self.state = state
        urns = URNBuilder(cluster: state.clusterName)
    }

    /// The topology of the whole cluster.
    public static func build(_ state: ClusterState) -> Topology {
        var builder = TopologyBuilder(state: state)
        builder.addClusterAndNodes()
        builder.addNamespacesConfigMapsAndSecrets()
        builder.addWorkloads()
        builder.addPods()
        builder.addServicesAndIngresses()
        builder.addStorage()
        builder.addProcesses()
        return Topology(components: builder.components, relations: builder.relations)
    }

    /// The tags every component gets: its labels, then `cluster-name`, `namespace` (when
    /// namespaced), `cluster-type: kubernetes` and `component-type: kubernetes-<type>`.
    func tags(_ metadata: ObjectMeta?, type: ComponentType, namespace: String? = nil) -> [String: String] {
        var tags = metadata?.labels ?? [:]
        tags["cluster-name"] = state.clusterName
        tags["cluster-type"] = "kubernetes"
        tags["component-type"] = "kubernetes-\(type.rawValue)"
        if let namespace = namespace ?? metadata?.namespace, !namespace.isEmpty { tags["namespace"] = namespace }
        return tags
    }

    /// Adds a component for a Kubernetes object of `type`, named after it.
    mutating func add(
        _ type: ComponentType,
        _ metadata: ObjectMeta,
        identifiers: [String] = [],
        properties: [String: String] = [:],
        extraTags: [String: String] = [:]
    ) {
        var componentTags = tags(metadata, type: type)
        componentTags.merge(extraTags) { $1 }
        components.append(
            Component(
                externalId: urns.component(type.rawValue, namespace: metadata.namespace, name: metadata.name),
                type: type,
                name: metadata.name,
                tags: componentTags,
                identifiers: identifiers,
                properties: properties
            )
        )
    }

    /// Adds a relation.
    mutating func relate(_ type: RelationType, _ source: String, _ target: String, properties: [String: String] = [:]) {
        relations.append(Relation(type, from: shared(source), to: shared(target), properties: properties))
    }

    /// The one string of `urn` among relation ends.
    private mutating func shared(_ urn: String) -> String {
        if let index = relationEnds.firstIndex(of: urn) { return relationEnds[index] }
        relationEnds.insert(urn)
        return urn
    }

    /// The URN of a namespaced object of `type`.
    func urn(_ type: ComponentType, _ namespace: String, _ name: String) -> String {
        urns.component(type.rawValue, namespace: namespace, name: name)
    }
}
