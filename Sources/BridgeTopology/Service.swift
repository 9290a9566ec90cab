/// A core/v1 Service.
public struct Service: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
    /// Selector, type, addresses.
    public var spec: Spec?

    /// `spec`.
    public struct Spec: Codable, Sendable, Hashable {
        /// Pods with all these labels back the service (`exposes`).
        public var selector: [String: String]?
        /// ClusterIP, NodePort, LoadBalancer or ExternalName.
        public var type: String?
        /// The cluster IP, `None` for headless services.
        public var clusterIP: String?
        /// The target of an ExternalName service.
        public var externalName: String?
        /// External IPs.
        public var externalIPs: [String]?
        /// Ports.
        public var ports: [Port]?
    }

    /// A service port.
    public struct Port: Codable, Sendable, Hashable {
        /// The port.
        public var port: Int?
        /// The node port, for NodePort and LoadBalancer services.
        public var nodePort: Int?
    }
}

/// A networking.k8s.io/v1 Ingress.
public struct Ingress: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
    /// Rules and default backend.
    public var spec: Spec?
    /// Load-balancer addresses.
    public var status: Status?

    /// `spec`.
    public struct Spec: Codable, Sendable, Hashable {
        /// The default backend.
        public var defaultBackend: Backend?
        /// Host and path rules.
        public var rules: [Rule]?
    }

    /// A rule.
    public struct Rule: Codable, Sendable, Hashable {
        /// The host.
        public var host: String?
        /// HTTP paths.
        public var http: HTTP?

        /// `http`.
        public struct HTTP: Codable, Sendable, Hashable {
            /// Paths.
            public var paths: [Path]?
        }

        /// A path.
        public struct Path: Codable, Sendable, Hashable {
            /// Its backend.
            public var backend: Backend?
        }
    }

    /// A backend (`service.name` in networking.k8s.io/v1).
    public struct Backend: Codable, Sendable, Hashable {
        /// The service.
        public var service: ServiceRef?

        /// `service`.
        public struct ServiceRef: Codable, Sendable, Hashable {
            /// The service name.
            public var name: String
        }
    }

    /// `status`.
    public struct Status: Codable, Sendable, Hashable {
        /// The load balancer.
        public var loadBalancer: LoadBalancer?

        /// `loadBalancer`.
        public struct LoadBalancer: Codable, Sendable, Hashable {
            /// Ingress points.
            public var ingress: [Point]?
        }

        /// An IP or host name.
        public struct Point: Codable, Sendable, Hashable {
            /// The IP.
            public var ip: String?
            /// The host name.
            public var hostname: String?
        }
    }

    /// The names of every service a rule or the default backend routes to.
    public var backendServices: [String] {
        var names: [String] = []
        if let name = spec?.defaultBackend?.service?.name { names.append(name) }
        for rule in spec?.rules ?? [] {
            for path in rule.http?.paths ?? [] {
                if let name = path.backend?.service?.name, !names.contains(name) { names.append(name) }
            }
        }
        return names
    }
}
