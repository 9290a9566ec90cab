extension TopologyBuilder {
    /// Services (with `exposes` to the pods their selector matches and `uses` to the target of an
    /// ExternalName service) and ingresses (with `routes` to services and from load-balancer endpoints).
    mutating func addServicesAndIngresses() {
        // Selectors are matched through an index from namespace and label to pods, starting from the
        // rarest label of the selector: scanning every pod of the namespace for every Service was
        // the largest cost of a build (docs/performance.md).
        var podLabels: [ObjectKey: [String: String]] = [:]
        var podsByLabel: [LabelInNamespace: [ObjectKey]] = [:]
        for (key, pod) in state.pods {
            let labels = pod.metadata.labels ?? [:]
            podLabels[key] = labels
            for (name, value) in labels {
                podsByLabel[LabelInNamespace(namespace: key.namespace, name: name, value: value), default: []]
                    .append(key)
            }
        }
        for (key, service) in state.services.sorted(by: { $0.key < $1.key }) {
            let serviceURN = urn(.service, key.namespace, key.name)
            let spec = service.spec
            var extraTags = ["service-type": spec?.type ?? "ClusterIP"]
            if spec?.clusterIP == "None" { extraTags["service"] = "headless" }
            add(.service, service.metadata, identifiers: serviceIdentifiers(service, key: key), extraTags: extraTags)
            relate(.encloses, urns.namespace(key.namespace), serviceURN)
            if let selector = spec?.selector, !selector.isEmpty {
                let candidates =
                    selector.map {
                        podsByLabel[LabelInNamespace(namespace: key.namespace, name: $0.key, value: $0.value)] ?? []
                    }
                    .min { $0.count < $1.count } ?? []
                let matching = candidates.filter { pod in
                    let labels = podLabels[pod] ?? [:]
                    return selector.allSatisfy { labels[$0.key] == $0.value }
                }
                for pod in matching.sorted() {
                    relate(.exposes, serviceURN, urn(.pod, key.namespace, pod.name))
                }
            }
            if spec?.type == "ExternalName", let external = spec?.externalName {
                let externalURN = urn(.externalService, key.namespace, key.name)
                components.append(
                    Component(
                        externalId: externalURN,
                        type: .externalService,
                        name: external,
                        tags: tags(service.metadata, type: .externalService)
                    )
                )
                relate(.uses, serviceURN, externalURN)
            }
        }
        for (key, ingress) in state.ingresses.sorted(by: { $0.key < $1.key }) {
            let ingressURN = urn(.ingress, key.namespace, key.name)
            add(.ingress, ingress.metadata)
            for name in ingress.backendServices { relate(.routes, ingressURN, urn(.service, key.namespace, name)) }
            for point in ingress.status?.loadBalancer?.ingress ?? [] {
                guard let address = point.ip ?? point.hostname else { continue }
                let endpointURN = urns.endpoint(address)
                components.append(
                    Component(externalId: endpointURN, type: .endpoint, name: address, tags: tags(nil, type: .endpoint))
                )
                relate(.routes, endpointURN, ingressURN)
            }
        }
    }

    /// `urn:service:/<cluster>:<ns>:<name>`, the cluster IP (alone and with each node port), and
    /// each external IP with each port.
    private func serviceIdentifiers(_ service: Service, key: ObjectKey) -> [String] {
        let cluster = state.clusterName
        var identifiers = ["urn:service:/\(cluster):\(key.namespace):\(key.name)"]
        let ports = service.spec?.ports ?? []
        if let ip = service.spec?.clusterIP, !ip.isEmpty, ip != "None" {
            identifiers.append("urn:endpoint:/\(cluster):\(ip)")
            for nodePort in ports.compactMap(\.nodePort) {
                identifiers.append("urn:endpoint:/\(cluster):\(ip):\(nodePort)")
            }
        }
        for ip in service.spec?.externalIPs ?? [] {
            for port in ports.compactMap(\.port) { identifiers.append("urn:endpoint:/\(ip):\(port)") }
        }
        return identifiers
    }
}

/// One `name=value` label in one namespace: the key of the selector index.
private struct LabelInNamespace: Hashable {
    var namespace: String
    var name: String
    var value: String
}
