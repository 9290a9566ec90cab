extension TopologyBuilder {
    /// The cluster (with its control-plane ComponentStatuses as `componentstatus.<name>`), its nodes
    /// (`belongs_to`), namespaces, config maps and secrets.
    mutating func addClusterAndNodes() {
        components.append(
            Component(
                externalId: urns.clusterID,
                type: .cluster,
                name: state.clusterName,
                tags: tags(nil, type: .cluster),
                properties: Dictionary(
                    uniqueKeysWithValues: state.componentStatuses.map { name, status in
                        ("componentstatus.\(name)", status.isHealthy ? "Healthy" : "Unhealthy")
                    })
            )
        )
        for node in state.nodes.values.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            let urn = urns.node(node.metadata.name)
            var properties: [String: String] = [:]
            if let instance = instanceID(node) {
                properties["instanceId"] = instance
                properties["sts_host"] = "\(instance)-\(state.clusterName)"
            }
            components.append(
                Component(
                    externalId: urn,
                    type: .node,
                    name: node.metadata.name,
                    tags: tags(node.metadata, type: .node),
                    identifiers: nodeIdentifiers(node),
                    properties: properties
                )
            )
            relate(.belongsTo, urn, urns.clusterID)
        }
    }

    /// Namespaces, config maps and secrets; the last two are known by metadata only.
    mutating func addNamespacesConfigMapsAndSecrets() {
        for namespace in state.namespaces.values.sorted(by: { $0.metadata.name < $1.metadata.name }) {
            let urn = urns.namespace(namespace.metadata.name)
            components.append(
                Component(
                    externalId: urn,
                    type: .namespace,
                    name: namespace.metadata.name,
                    tags: tags(namespace.metadata, type: .namespace, namespace: namespace.metadata.name),
                    identifiers: [urn]
                )
            )
        }
        for (type, objects) in [(ComponentType.configmap, state.configMaps), (.secret, state.secrets)] {
            for (key, object) in objects.sorted(by: { $0.key < $1.key }) {
                add(type, object.metadata, identifiers: [urn(type, key.namespace, key.name)])
            }
        }
    }

    /// The agent's node identifiers: addresses by type, Azure provider ids, and the cloud instance id.
    func nodeIdentifiers(_ node: Node) -> [String] {
        let cluster = state.clusterName
        var identifiers: [String] = []
        for address in node.status?.addresses ?? [] {
            switch address.type {
            case "InternalIP": identifiers.append("urn:ip:/\(cluster):\(node.metadata.name):\(address.address)")
            case "ExternalIP": identifiers.append("urn:ip:/\(cluster):\(address.address)")
            case "InternalDNS": identifiers.append("urn:host:/\(cluster):\(address.address)")
            case "ExternalDNS": identifiers.append("urn:host:/\(address.address)")
            default: continue
            }
        }
        if let provider = node.spec?.providerID, provider.hasPrefix("azure:///") {
            let resource = String(provider.dropFirst("azure:///".count))
            identifiers += ["urn:azure:/\(resource)", "urn:azure:/\(resource.uppercased())"]
        }
        if let instance = instanceID(node) {
            identifiers += ["urn:host:/\(instance)", "urn:host:/\(instance)-\(cluster)"]
        }
        return identifiers
    }

    /// The last path segment of `spec.providerID` (the EC2 instance id on AWS).
    func instanceID(_ node: Node) -> String? {
        guard let provider = node.spec?.providerID, !provider.isEmpty else { return nil }
        return provider.split(separator: "/").last.map(String.init)
    }
}
