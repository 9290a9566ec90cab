/// A workload controller: Deployment, ReplicaSet, DaemonSet or StatefulSet (apps/v1), with the
/// replica counts the health rules compare.
public struct Workload: Codable, Sendable, Hashable {
    /// Metadata (a ReplicaSet's controller owner is its Deployment).
    public var metadata: ObjectMeta
    /// Desired replicas.
    public var spec: Spec?
    /// Observed replicas.
    public var status: Status?

    /// `spec`.
    public struct Spec: Codable, Sendable, Hashable {
        /// Desired replicas (Deployment, ReplicaSet, StatefulSet).
        public var replicas: Int?
    }

    /// `status`, with the fields of all four kinds.
    public struct Status: Codable, Sendable, Hashable {
        /// Ready replicas (Deployment, ReplicaSet, StatefulSet).
        public var readyReplicas: Int?
        /// Available replicas (Deployment).
        public var availableReplicas: Int?
        /// Nodes that should run the pod (DaemonSet).
        public var desiredNumberScheduled: Int?
        /// Nodes where the pod is ready (DaemonSet).
        public var numberReady: Int?
    }
}

/// A batch/v1 Job.
public struct Job: Codable, Sendable, Hashable {
    /// Metadata (a CronJob's jobs have it as controller owner).
    public var metadata: ObjectMeta
    /// Outcome counters.
    public var status: Status?

    /// `status`.
    public struct Status: Codable, Sendable, Hashable {
        /// Pods that failed.
        public var failed: Int?
        /// Pods that succeeded.
        public var succeeded: Int?
        /// Pods running.
        public var active: Int?
    }
}

/// A batch/v1 (or v1beta1) CronJob.
public struct CronJob: Codable, Sendable, Hashable {
    /// Metadata.
    public var metadata: ObjectMeta
}
