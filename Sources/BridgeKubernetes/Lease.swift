import Foundation

/// The subset of a `coordination.k8s.io/v1` Lease that leader election reads and writes: who holds
/// it, for how long, and the `resourceVersion` that makes every update a compare-and-swap.
public struct Lease: Codable, Sendable, Equatable {
    /// `metadata`: name, namespace and the version an update must name.
    public struct Metadata: Codable, Sendable, Equatable {
        /// The lease's name.
        public var name: String
        /// The lease's namespace.
        public var namespace: String
        /// The version this copy was read at; an update naming an older one gets 409 Conflict.
        public var resourceVersion: String?
    }

    /// `spec` (LeaseSpec): the election record.
    public struct Spec: Codable, Sendable, Equatable {
        /// The holder's identity; empty or absent when released.
        public var holderIdentity: String?
        /// How long others wait after the last renewal before taking over.
        public var leaseDurationSeconds: Int?
        /// When the current holder acquired the lease (MicroTime).
        public var acquireTime: String?
        /// When the holder last renewed it (MicroTime).
        public var renewTime: String?
        /// How many times the lease changed hands.
        public var leaseTransitions: Int?
    }

    /// Always `coordination.k8s.io/v1`.
    public var apiVersion = "coordination.k8s.io/v1"
    /// Always `Lease`.
    public var kind = "Lease"
    /// Name, namespace, version.
    public var metadata: Metadata
    /// The record.
    public var spec: Spec

    /// A lease named `name` in `namespace` with `spec`.
    public init(name: String, namespace: String, resourceVersion: String? = nil, spec: Spec) {
        metadata = Metadata(name: name, namespace: namespace, resourceVersion: resourceVersion)
        self.spec = spec
    }

    /// The holder, with an empty identity read as none.
    public var holder: String? {
        guard let identity = spec.holderIdentity, !identity.isEmpty else { return nil }
        return identity
    }

    /// A MicroTime: RFC 3339 in UTC with six fractional digits, as the API server writes it
    /// (`2006-01-02T15:04:05.000000Z`).
    public static func microTime(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let micros = Int((date.timeIntervalSince1970 - Double(seconds)) * 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = String(micros + 1_000_000).dropFirst()
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
