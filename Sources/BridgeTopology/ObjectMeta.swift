/// The part of a Kubernetes object's `metadata` the topology needs (apimachinery ObjectMeta).
public struct ObjectMeta: Codable, Sendable, Hashable {
    /// The object's name.
    public var name: String
    /// The namespace, for namespaced kinds.
    public var namespace: String?
    /// The object's UID.
    public var uid: String?
    /// The resource version the watch resumes from.
    public var resourceVersion: String?
    /// Labels; they become component tags.
    public var labels: [String: String]?
    /// Owners; the controller among them builds `controls` relations.
    public var ownerReferences: [OwnerReference]?
    /// RFC 3339 creation time.
    public var creationTimestamp: String?
    /// Set while the object is being deleted.
    public var deletionTimestamp: String?

    /// Creates metadata.
    public init(
        name: String,
        namespace: String? = nil,
        uid: String? = nil,
        labels: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.labels = labels
        self.ownerReferences = ownerReferences
    }

    /// The owner with `controller: true`, if any.
    public var controller: OwnerReference? {
        ownerReferences?.first { $0.controller == true }
    }
}

/// One entry of `metadata.ownerReferences`.
public struct OwnerReference: Codable, Sendable, Hashable {
    /// The owner's API version.
    public var apiVersion: String?
    /// The owner's kind (`ReplicaSet`, `Deployment`, `Job`, …).
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's UID.
    public var uid: String?
    /// Whether this owner is the managing controller.
    public var controller: Bool?

    /// Creates a reference.
    public init(kind: String, name: String, uid: String? = nil, controller: Bool? = true) {
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
    }
}

/// A label selector (`matchLabels` only; `matchExpressions` are not needed for services).
public struct LabelSelector: Codable, Sendable, Hashable {
    /// Labels that must all match.
    public var matchLabels: [String: String]?
}
