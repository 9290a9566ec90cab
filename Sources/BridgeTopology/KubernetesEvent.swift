/// The fields of an `events.k8s.io/v1` Event that stackbridge forwards (Kubernetes API reference,
/// "Event v1 events.k8s.io"): what happened, to which object, how often and when.
public struct KubernetesEvent: Codable, Sendable, Hashable {
    /// Metadata; the UID identifies the event across its repetitions.
    public var metadata: ObjectMeta
    /// The object the event is about.
    public var regarding: ObjectReference?
    /// A second object involved, if any.
    public var related: ObjectReference?
    /// Short machine-readable reason (`Scheduled`, `BackOff`), which sets the category.
    public var reason: String?
    /// Human-readable description.
    public var note: String?
    /// `Normal` or `Warning`.
    public var type: String?
    /// What was done (`Binding`, `Killing`).
    public var action: String?
    /// The controller that emitted it (`kubelet`, `default-scheduler`).
    public var reportingController: String?
    /// The controller's instance (a node name for the kubelet).
    public var reportingInstance: String?
    /// When it was first observed (MicroTime).
    public var eventTime: String?
    /// Repetitions, for events that recur.
    public var series: Series?
    /// `lastTimestamp` of a core/v1 event, kept by the events API for old emitters.
    public var deprecatedLastTimestamp: String?
    /// `firstTimestamp` of a core/v1 event.
    public var deprecatedFirstTimestamp: String?
    /// `count` of a core/v1 event.
    public var deprecatedCount: Int?

    /// Creates an event.
    public init(metadata: ObjectMeta, regarding: ObjectReference? = nil, reason: String? = nil, type: String? = nil) {
        self.metadata = metadata
        self.regarding = regarding
        self.reason = reason
        self.type = type
    }

    /// `series`.
    public struct Series: Codable, Sendable, Hashable {
        /// How many times it happened.
        public var count: Int
        /// When it last happened.
        public var lastObservedTime: String?
    }

    /// A reference to another object (`regarding`, `related`).
    public struct ObjectReference: Codable, Sendable, Hashable {
        /// The object's kind.
        public var kind: String?
        /// Its namespace.
        public var namespace: String?
        /// Its name.
        public var name: String?
        /// Its UID.
        public var uid: String?
        /// Its API version.
        public var apiVersion: String?
        /// A field within it (`spec.containers{web}`).
        public var fieldPath: String?

        /// Creates a reference.
        public init(kind: String?, namespace: String? = nil, name: String?, uid: String? = nil) {
            self.kind = kind
            self.namespace = namespace
            self.name = name
            self.uid = uid
        }
    }

    /// How many times the event has happened: the series count, else the core/v1 count, else 1.
    public var count: Int { series?.count ?? deprecatedCount ?? 1 }

    /// When it last happened, by the newest timestamp the emitter set.
    public var lastObserved: String? {
        series?.lastObservedTime ?? deprecatedLastTimestamp ?? eventTime ?? metadata.creationTimestamp
    }
}
