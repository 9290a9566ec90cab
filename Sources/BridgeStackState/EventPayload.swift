import BridgeTopology
import Foundation

/// One event of the intake's `events` map, in the fields of the StackState agent's Kubernetes
/// event mapper (reference/stackstate-receiver.md §5).
public struct EventPayload: Encodable, Sendable, Hashable {
    /// `context`: where the event belongs in the topology and its category.
    public struct Context: Encodable, Sendable, Hashable {
        /// The event's UID.
        public var sourceIdentifier: String
        /// URNs of the container (if any) and of the object the event is about.
        public var elementIdentifiers: [String]
        /// `kubernetes`.
        public var source: String
        /// `Activities`, `Alerts`, `Changes` or `Others`.
        public var category: String
        /// Extra data (empty, sent as `{}`).
        public var data: [String: String]
        /// Links (none, sent as `[]`).
        public var sourceLinks: [String]

        enum CodingKeys: String, CodingKey {
            case sourceIdentifier = "source_identifier"
            case elementIdentifiers = "element_identifiers"
            case source, category, data
            case sourceLinks = "source_links"
        }
    }

    /// `<reason> - <object name> <kind> (<count>x)`.
    public var title: String
    /// The event's note.
    public var text: String
    /// When it last happened, in seconds since the epoch.
    public var timestamp: Int64
    /// Always `normal`.
    public var priority: String
    /// `<node>-<cluster>` for node and kubelet events, else empty.
    public var host: String
    /// `key:value` tags.
    public var tags: [String]
    /// `info` for Normal events, `warning` for Warning events.
    public var alertType: String
    /// The event's UID, so repetitions aggregate.
    public var aggregationKey: String
    /// `kubernetes`.
    public var sourceTypeName: String
    /// The reason.
    public var eventType: String
    /// Topology context.
    public var context: Context

    enum CodingKeys: String, CodingKey {
        case title = "msg_title"
        case text = "msg_text"
        case timestamp, priority, host, tags
        case alertType = "alert_type"
        case aggregationKey = "aggregation_key"
        case sourceTypeName = "source_type_name"
        case eventType = "event_type"
        case context
    }

    /// URN kinds by Kubernetes kind; events about other kinds get an empty identifier, as the agent's.
    static let urnKinds: [String: (kind: String, namespaced: Bool)] = [
        "Pod": ("pod", true), "Node": ("node", false), "Namespace": ("namespace", false),
        "Deployment": ("deployment", true), "ReplicaSet": ("replicaset", true), "DaemonSet": ("daemonset", true),
        "StatefulSet": ("statefulset", true), "Job": ("job", true), "CronJob": ("cronjob", true),
        "Service": ("service", true), "ConfigMap": ("configmap", true), "Secret": ("secret", true),
        "Ingress": ("ingress", true), "PersistentVolume": ("persistent-volume", false),
        "PersistentVolumeClaim": ("persistent-volume-claim", true),
    ]

    /// The payload form of `event` in `cluster`, its category from `categorizer`.
    public init(_ event: KubernetesEvent, cluster: String, categorizer: EventCategorizer) {
        let urns = URNBuilder(cluster: cluster)
        let object = event.regarding
        let kind = object?.kind ?? ""
        let name = object?.name ?? ""
        let namespace = object?.namespace ?? event.metadata.namespace
        let reason = event.reason ?? ""
        let type = event.type ?? "Normal"
        // `spec.containers{web}` names the container a kubelet event is about.
        var container: String?
        if let path = object?.fieldPath, let open = path.firstIndex(of: "{"), path.hasSuffix("}") {
            container = String(path[path.index(after: open)..<path.index(before: path.endIndex)])
        }
        var identifiers: [String] = []
        if let container, kind == "Pod", let namespace {
            identifiers.append(urns.container(namespace: namespace, pod: name, name: container))
        }
        if let known = Self.urnKinds[kind], !name.isEmpty {
            identifiers.append(urns.component(known.kind, namespace: known.namespaced ? namespace : nil, name: name))
        } else {
            identifiers.append("")
        }
        title = "\(reason) - \(name) \(kind) (\(event.count)x)"
        text = event.note ?? ""
        timestamp = event.lastObserved.flatMap(Self.seconds) ?? Int64(Date().timeIntervalSince1970)
        priority = "normal"
        if kind == "Node" {
            host = "\(name)-\(cluster)"
        } else if event.reportingController == "kubelet", let node = event.reportingInstance, !node.isEmpty {
            host = "\(node)-\(cluster)"
        } else {
            host = ""
        }
        alertType = type == "Warning" ? "warning" : "info"
        var tags = [
            "kube_object_name:\(name)", "kube_object_kind:\(kind)", "kube_cluster_name:\(cluster)",
            "kube_reason:\(reason)", "alert_type:\(alertType)",
        ]
        if let namespace { tags.append("kube_namespace:\(namespace)") }
        if let container { tags.append("kube_container_name:\(container)") }
        if let controller = event.reportingController { tags.append("source_component:\(controller)") }
        self.tags = tags.sorted()
        let uid = event.metadata.uid ?? "\(namespace ?? "")/\(event.metadata.name)"
        aggregationKey = uid
        sourceTypeName = "kubernetes"
        eventType = reason
        context = Context(
            sourceIdentifier: uid, elementIdentifiers: identifiers, source: "kubernetes",
            category: categorizer.category(reason: reason).rawValue, data: [:], sourceLinks: [])
    }

    /// Seconds since the epoch of an RFC 3339 time, with or without fractional seconds.
    static func seconds(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }
}
