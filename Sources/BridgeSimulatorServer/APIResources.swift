import BridgeSimulator

/// The resources the simulator serves, for routing and API discovery (`/api/v1`, `/apis/...`),
/// which kubectl reads before anything else.
struct APIResource: Sendable {
    let group: String
    let version: String
    let name: String
    let kind: String
    let namespaced: Bool
    let shortNames: [String]

    /// The resource as the simulator's model names it (`deployments.apps`).
    var qualified: String { group.isEmpty ? name : "\(name).\(group)" }
    /// `v1` or `apps/v1`.
    var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    static let all: [APIResource] = [
        APIResource(group: "", version: "v1", name: "nodes", kind: "Node", namespaced: false, shortNames: ["no"]),
        APIResource(
            group: "", version: "v1", name: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"]),
        APIResource(group: "", version: "v1", name: "pods", kind: "Pod", namespaced: true, shortNames: ["po"]),
        APIResource(group: "", version: "v1", name: "services", kind: "Service", namespaced: true, shortNames: ["svc"]),
        APIResource(
            group: "", version: "v1", name: "configmaps", kind: "ConfigMap", namespaced: true, shortNames: ["cm"]),
        APIResource(group: "", version: "v1", name: "secrets", kind: "Secret", namespaced: true, shortNames: []),
        APIResource(
            group: "", version: "v1", name: "persistentvolumes", kind: "PersistentVolume", namespaced: false,
            shortNames: ["pv"]),
        APIResource(
            group: "", version: "v1", name: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true,
            shortNames: ["pvc"]),
        APIResource(
            group: "apps", version: "v1", name: "deployments", kind: "Deployment", namespaced: true,
            shortNames: ["deploy"]),
        APIResource(
            group: "apps", version: "v1", name: "replicasets", kind: "ReplicaSet", namespaced: true, shortNames: ["rs"]),
        APIResource(
            group: "apps", version: "v1", name: "daemonsets", kind: "DaemonSet", namespaced: true, shortNames: ["ds"]),
        APIResource(
            group: "apps", version: "v1", name: "statefulsets", kind: "StatefulSet", namespaced: true,
            shortNames: ["sts"]),
        APIResource(group: "batch", version: "v1", name: "jobs", kind: "Job", namespaced: true, shortNames: []),
        APIResource(
            group: "batch", version: "v1", name: "cronjobs", kind: "CronJob", namespaced: true, shortNames: ["cj"]),
        APIResource(
            group: "networking.k8s.io", version: "v1", name: "ingresses", kind: "Ingress", namespaced: true,
            shortNames: ["ing"]),
        APIResource(
            group: "storage.k8s.io", version: "v1", name: "volumeattachments", kind: "VolumeAttachment",
            namespaced: false, shortNames: []
        ),
        APIResource(
            group: "events.k8s.io", version: "v1", name: "events", kind: "Event", namespaced: true, shortNames: ["ev"]),
        APIResource(
            group: "discovery.k8s.io", version: "v1", name: "endpointslices", kind: "EndpointSlice", namespaced: true,
            shortNames: []),
        APIResource(
            group: "", version: "v1", name: "componentstatuses", kind: "ComponentStatus", namespaced: false,
            shortNames: ["cs"]),
    ]

    static func find(group: String, name: String) -> APIResource? {
        all.first { $0.group == group && $0.name == name }
    }

    /// `APIResourceList` for one group version.
    static func discovery(groupVersion: String) -> JSONValue? {
        let resources = all.filter { $0.groupVersion == groupVersion }
        guard !resources.isEmpty else { return nil }
        return .object([
            ("kind", "APIResourceList"), ("apiVersion", "v1"), ("groupVersion", .string(groupVersion)),
            (
                "resources",
                .array(
                    resources.map { resource in
                        .object([
                            ("name", .string(resource.name)), ("singularName", .string(resource.kind.lowercased())),
                            ("namespaced", .bool(resource.namespaced)), ("kind", .string(resource.kind)),
                            ("verbs", .array(["get", "list", "watch"])),
                            ("shortNames", .array(resource.shortNames.map { .string($0) })),
                        ])
                    }
                )
            ),
        ])
    }

    /// `APIGroupList` of the named groups.
    static var groups: JSONValue {
        let names = Array(Set(all.map(\.group).filter { !$0.isEmpty })).sorted()
        return .object([
            ("kind", "APIGroupList"), ("apiVersion", "v1"),
            (
                "groups",
                .array(
                    names.map { group in
                        let version = JSONValue.object([("groupVersion", .string("\(group)/v1")), ("version", "v1")])
                        return .object([
                            ("name", .string(group)), ("versions", .array([version])), ("preferredVersion", version),
                        ])
                    }
                )
            ),
        ])
    }
}
