/// The fields of a core/v1 Pod the topology, health rules and enrichment join need.
public struct Pod: Codable, Sendable, Hashable {
    /// Metadata; the controller owner reference starts the owner chain.
    public var metadata: ObjectMeta
    /// Scheduling, containers and volumes.
    public var spec: Spec?
    /// Phase, IP and container states.
    public var status: Status?

    /// `spec`.
    public struct Spec: Codable, Sendable, Hashable {
        /// The node the pod is scheduled on.
        public var nodeName: String?
        /// The service account.
        public var serviceAccountName: String?
        /// Containers.
        public var containers: [Container]?
        /// Init containers.
        public var initContainers: [Container]?
        /// Volumes.
        public var volumes: [Volume]?
    }

    /// A container of the pod spec.
    public struct Container: Codable, Sendable, Hashable {
        /// The container name.
        public var name: String
        /// The image reference.
        public var image: String?
        /// Environment variables; `valueFrom` references build `uses_value` relations.
        public var env: [EnvVar]?
        /// `envFrom` sources build `uses` relations.
        public var envFrom: [EnvFromSource]?
        /// Mounts build `mounts` relations.
        public var volumeMounts: [VolumeMount]?
    }

    /// One `env` entry.
    public struct EnvVar: Codable, Sendable, Hashable {
        /// Variable name.
        public var name: String
        /// Where the value comes from.
        public var valueFrom: ValueFrom?

        /// `valueFrom`.
        public struct ValueFrom: Codable, Sendable, Hashable {
            /// A key of a config map.
            public var configMapKeyRef: NameRef?
            /// A key of a secret.
            public var secretKeyRef: NameRef?
        }
    }

    /// One `envFrom` entry.
    public struct EnvFromSource: Codable, Sendable, Hashable {
        /// A whole config map.
        public var configMapRef: NameRef?
        /// A whole secret.
        public var secretRef: NameRef?
    }

    /// A reference by name (`configMapKeyRef`, `secretRef`, …).
    public struct NameRef: Codable, Sendable, Hashable {
        /// The referenced object's name.
        public var name: String?
    }

    /// A volume mount.
    public struct VolumeMount: Codable, Sendable, Hashable {
        /// The volume name.
        public var name: String
        /// Where it is mounted.
        public var mountPath: String?
        /// A sub-path of the volume.
        public var subPath: String?
        /// Read-only mount.
        public var readOnly: Bool?
        /// Mount propagation mode.
        public var mountPropagation: String?
    }

    /// `status`.
    public struct Status: Codable, Sendable, Hashable {
        /// Pending, Running, Succeeded, Failed, Unknown.
        public var phase: String?
        /// The pod IP.
        public var podIP: String?
        /// RFC 3339 start time.
        public var startTime: String?
        /// Per-container state.
        public var containerStatuses: [ContainerStatus]?
        /// Why the pod is in its phase.
        public var reason: String?
    }

    /// A container's status.
    public struct ContainerStatus: Codable, Sendable, Hashable {
        /// Container name.
        public var name: String
        /// `containerd://…` or `docker://…`.
        public var containerID: String?
        /// Running image.
        public var image: String?
        /// Image digest reference.
        public var imageID: String?
        /// Readiness.
        public var ready: Bool?
        /// Restarts so far.
        public var restartCount: Int?
        /// Current state.
        public var state: State?

        /// `state` (only the waiting reason is used, for health).
        public struct State: Codable, Sendable, Hashable {
            /// Waiting, with a reason such as `CrashLoopBackOff`.
            public var waiting: Waiting?

            /// `waiting`.
            public struct Waiting: Codable, Sendable, Hashable {
                /// The reason.
                public var reason: String?
            }
        }
    }
}
