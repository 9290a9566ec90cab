extension TopologyBuilder {
    /// Services (with `exposes` to the pods their selector matches and `uses` to the target of an
    /// ExternalName service) and ingresses (with `routes` to services and from load-balancer endpoints).
    mutating func addServicesAndIngresses() {
        var podsByNamespace: [String: [(key: ObjectKey, pod: Pod)]] = [:]
        for (key, pod) in state.pods { podsByNamespace[key.namespace, default: []].append((key, pod)) }
        for (key, service) in state.services.sorted(by: { $0.key < $1.key }) {
            let serviceURN = urn(.service, key.namespace, key.name)
            let spec = service.spec
            var extraTags = ["service-type": spec?.type ?? "ClusterIP"]
            if spec?.clusterIP == "None" { extraTags["service"] = "headless" }
            add(.service, service.metadata, identifiers: serviceIdentifiers(service, key: key), extraTags: extraTags)
            relate(.encloses, urns.namespace(key.namespace), serviceURN)
            if let selector = spec?.selector, !selector.isEmpty {
                let matching = (podsByNamespace[key.namespace] ?? []).filter { entry in
                    let labels = entry.pod.metadata.labels ?? [:]
                    return selector.allSatisfy { labels[$0.key] == $0.value }
                }
                for entry in matching.sorted(by: { $0.key < $1.key }) {
                    relate(.exposes, serviceURN, urn(.pod, key.namespace, entry.key.name))
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
