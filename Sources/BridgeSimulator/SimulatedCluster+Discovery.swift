extension SimulatedCluster.Builder {
    /// One EndpointSlice per Service with a selector, listing the addresses of the pods it
    /// selects (as the EndpointSlice controller does), and the control plane's ComponentStatuses.
    /// Added last, after every pod, so that the objects before them stay as they were for a seed.
    mutating func addEndpointSlicesAndComponentStatuses() {
        struct Selected {
            var namespace: String
            var app: String
            var addresses: [String] = []
        }
        var services: [String: Selected] = [:]
        var order: [String] = []
        // The Services selecting each (namespace, app): every pod is matched by one lookup, not
        // against every Service (150,000 pods and thousands of Services at the ceiling).
        var selecting: [String: [String]] = [:]
        for object in objects where object.kind == "Service" {
            guard let app = object.json["spec"]?["selector"]?["app"]?.stringValue else { continue }
            let key = "\(object.namespace ?? "")/\(object.name)"
            if services[key] == nil {
                order.append(key)
                selecting["\(object.namespace ?? "")/\(app)", default: []].append(key)
            }
            services[key] = Selected(namespace: object.namespace ?? "", app: app)
        }
        for object in objects where object.kind == "Pod" {
            guard let app = object.json["metadata"]?["labels"]?["app"]?.stringValue,
                let ip = object.json["status"]?["podIP"]?.stringValue
            else { continue }
            for key in selecting["\(object.namespace ?? "")/\(app)"] ?? [] { services[key]?.addresses.append(ip) }
        }
        for key in order {
            guard let selected = services[key] else { continue }
            let service = String(key.split(separator: "/").last ?? "")
            let name = "\(service)-\(hex(5))"
            add(
                "endpointslices.discovery.k8s.io", "discovery.k8s.io/v1", "EndpointSlice",
                namespace: selected.namespace, name: name,
                metadata: meta(
                    name, namespace: selected.namespace, labels: [("kubernetes.io/service-name", service)]
                ).json,
                [
                    ("addressType", "IPv4"),
                    (
                        "endpoints",
                        .array(
                            selected.addresses.map { address in
                                .object([
                                    ("addresses", .array([.string(address)])),
                                    ("conditions", .object([("ready", true)])),
                                ])
                            })
                    ),
                    ("ports", .array([.object([("name", ""), ("port", 8080), ("protocol", "TCP")])])),
                ])
        }
        for component in ["controller-manager", "scheduler", "etcd-0"] {
            add(
                "componentstatuses", "v1", "ComponentStatus", namespace: nil, name: component,
                metadata: meta(component, namespace: nil).json,
                [
                    (
                        "conditions",
                        .array([.object([("type", "Healthy"), ("status", "True"), ("message", "ok")])])
                    )
                ])
        }
    }
}
