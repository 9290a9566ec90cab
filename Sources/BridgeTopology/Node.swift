/// The fields of a core/v1 Node the topology and the enrichment join need.
public struct Node: Codable, Sendable, Hashable {
    /// Metadata; labels carry `topology.kubernetes.io/zone` and `region`.
    public var metadata: ObjectMeta
    /// `spec.providerID`, which identifies the cloud instance.
    public var spec: Spec?
    /// Addresses and conditions.
    public var status: Status?

    /// `spec`.
    public struct Spec: Codable, Sendable, Hashable {
        /// For example `aws:///eu-west-1a/i-0123` or `azure:///subscriptions/...`.
        public var providerID: String?
    }

    /// `status`.
    public struct Status: Codable, Sendable, Hashable {
        /// InternalIP, ExternalIP, InternalDNS, ExternalDNS, Hostname.
        public var addresses: [Address]?
        /// Ready, MemoryPressure, ….
        public var conditions: [Condition]?
    }

    /// A node address.
    public struct Address: Codable, Sendable, Hashable {
        /// The address type.
        public var type: String
        /// The address.
        public var address: String
    }

    /// A node condition.
    public struct Condition: Codable, Sendable, Hashable {
        /// `Ready`, …
        public var type: String
        /// `True`, `False` or `Unknown`.
        public var status: String
        /// Machine-readable reason.
        public var reason: String?
        /// Human-readable message.
        public var message: String?
    }

    /// The first address of `type`.
    public func address(_ type: String) -> String? {
        status?.addresses?.first { $0.type == type }?.address
    }

    /// The node's zone (`topology.kubernetes.io/zone`, or the deprecated beta label).
    public var zone: String? {
        metadata.labels?["topology.kubernetes.io/zone"] ?? metadata.labels?["failure-domain.beta.kubernetes.io/zone"]
    }

    /// The node's region.
    public var region: String? {
        metadata.labels?["topology.kubernetes.io/region"]
            ?? metadata.labels?["failure-domain.beta.kubernetes.io/region"]
    }
}

/// A core/v1 Namespace (metadata only).
public struct Namespace: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
}

/// Any object kept as metadata only: config maps and secrets are listed as
/// `PartialObjectMetadataList`, so their values never enter the process.
public struct MetadataObject: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
}
