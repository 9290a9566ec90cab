import BridgeCore
import BridgeTopology
import Foundation

/// An object that did not decode: its name (or `?`) and what was wrong, with the key path.
struct SkippedObject: Error {
    let name: String
    let reason: String

    /// A decoding error as `spec.containers: invalid value …`, else as the error describes itself.
    static func reason(_ error: any Error) -> String {
        ConfigurationError.from(error)?.description ?? "\(error)"
    }
}

/// An answer to a metadata-only request that carries whole objects: it is not read, since for
/// secrets that would put their data into the process.
struct NotMetadataOnly: Error {
    /// The kind the server sent instead of `PartialObjectMetadata(List)`.
    let kind: String
}

/// A resource type the watcher syncs: where it lives in the API and how its objects decode.
public struct ResourceKind: Sendable {
    /// The resource as RBAC names it (`pods`, `deployments.apps`).
    public let resource: String
    /// The collection path (`/api/v1/pods`, `/apis/apps/v1/deployments`).
    public let path: String
    /// Where to look when the apiserver does not serve ``path`` (404): older API versions, such as
    /// `batch/v1beta1` for CronJobs on clusters before Kubernetes 1.21.
    public let fallbackPaths: [String]
    /// The Accept header of a list: plain JSON, or `PartialObjectMetadataList` only for config
    /// maps and secrets (no JSON fallback: a server that cannot answer so answers 406).
    public let accept: String
    /// The Accept header of a watch: the list's, or `PartialObjectMetadata` for metadata-only kinds.
    public let watchAccept: String
    /// Whether only metadata may be read: any other answer is refused unread (``NotMetadataOnly``).
    public let metadataOnly: Bool
    let decodeList: @Sendable (Data) throws -> DecodedList
    let decodeObject: @Sendable (Data) throws -> KubernetesObject

    /// A kind whose objects decode as `T` and wrap into ``KubernetesObject`` with `wrap`.
    public init<T: Decodable & Sendable>(
        resource: String,
        path: String,
        type: T.Type,
        metadataOnly: Bool = false,
        fallbackPaths: [String] = [],
        wrap: @escaping @Sendable (T) -> KubernetesObject
    ) {
        self.resource = resource
        self.path = path
        self.fallbackPaths = fallbackPaths
        self.metadataOnly = metadataOnly
        accept = metadataOnly ? Self.metadataListAccept : "application/json"
        watchAccept = metadataOnly ? Self.metadataWatchAccept : "application/json"
        decodeList = { data in
            if metadataOnly {
                let kind = (try? JSONDecoder().decode(KindOnly.self, from: data))?.kind ?? "?"
                guard kind == "PartialObjectMetadataList" else { throw NotMetadataOnly(kind: kind) }
            }
            let list = try JSONDecoder().decode(ListEnvelope<T>.self, from: data)
            var decoded = DecodedList(
                continueToken: list.metadata?.continueToken, resourceVersion: list.metadata?.resourceVersion ?? "")
            for item in list.items {
                switch item.result {
                case .success(let object): decoded.items.append(wrap(object))
                case .failure(let skipped): decoded.skipped.append(skipped)
                }
            }
            return decoded
        }
        decodeObject = { data in
            if metadataOnly {
                let kind = (try? JSONDecoder().decode(ObjectEnvelope<KindOnly>.self, from: data))?.object.kind ?? "?"
                guard kind == "PartialObjectMetadata" else { throw NotMetadataOnly(kind: kind) }
            }
            return wrap(try JSONDecoder().decode(ObjectEnvelope<T>.self, from: data).object)
        }
    }

    /// One page of a list: the objects that decoded, those that did not, and where to go on.
    struct DecodedList {
        var items: [KubernetesObject] = []
        var skipped: [SkippedObject] = []
        let continueToken: String?
        let resourceVersion: String
    }

    /// `metadata` of a List.
    struct ListMeta: Decodable {
        let resourceVersion: String?
        let continueToken: String?

        enum CodingKeys: String, CodingKey {
            case resourceVersion
            case continueToken = "continue"
        }
    }

    struct ListEnvelope<T: Decodable>: Decodable {
        let metadata: ListMeta?
        let items: [Lenient<T>]
    }

    /// A list item that decodes as `T` or, when malformed, as what is needed to report it: one bad
    /// object must not stop the rest of the list from syncing.
    struct Lenient<T: Decodable>: Decodable {
        let result: Result<T, SkippedObject>

        init(from decoder: any Decoder) throws {
            do {
                result = .success(try T(from: decoder))
            } catch {
                let name = (try? NameOnly(from: decoder))?.metadata?.name ?? "?"
                result = .failure(SkippedObject(name: name, reason: SkippedObject.reason(error)))
            }
        }
    }

    struct KindOnly: Decodable {
        let kind: String?
    }

    struct NameOnly: Decodable {
        struct Metadata: Decodable { let name: String? }
        let metadata: Metadata?
    }

    struct ObjectEnvelope<T: Decodable>: Decodable {
        let object: T
    }

    /// Metadata-only lists (`PartialObjectMetadataList`), as client-go's metadata client asks for
    /// them but without its plain-JSON fallback: secret and config map values never arrive.
    static let metadataListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
    /// Metadata-only watch events (`PartialObjectMetadata` objects), likewise.
    static let metadataWatchAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"

    /// Every kind the topology needs.
    public static let all: [ResourceKind] = [
        .nodes,
        ResourceKind(
            resource: "namespaces", path: "/api/v1/namespaces", type: Namespace.self, wrap: KubernetesObject.namespace),
        .pods,
        ResourceKind(
            resource: "services", path: "/api/v1/services", type: Service.self, wrap: KubernetesObject.service),
        ResourceKind(
            resource: "configmaps", path: "/api/v1/configmaps", type: MetadataObject.self, metadataOnly: true,
            wrap: KubernetesObject.configMap),
        ResourceKind(
            resource: "secrets", path: "/api/v1/secrets", type: MetadataObject.self, metadataOnly: true,
            wrap: KubernetesObject.secret),
        ResourceKind(
            resource: "persistentvolumes", path: "/api/v1/persistentvolumes", type: PersistentVolume.self,
            wrap: KubernetesObject.persistentVolume),
        ResourceKind(
            resource: "persistentvolumeclaims", path: "/api/v1/persistentvolumeclaims",
            type: PersistentVolumeClaim.self, wrap: KubernetesObject.persistentVolumeClaim),
        ResourceKind(
            resource: "deployments.apps", path: "/apis/apps/v1/deployments", type: Workload.self,
            wrap: KubernetesObject.deployment),
        .replicaSets,
        ResourceKind(
            resource: "daemonsets.apps", path: "/apis/apps/v1/daemonsets", type: Workload.self,
            wrap: KubernetesObject.daemonSet),
        ResourceKind(
            resource: "statefulsets.apps", path: "/apis/apps/v1/statefulsets", type: Workload.self,
            wrap: KubernetesObject.statefulSet),
        .jobs,
        .cronJobs,
        ResourceKind(
            resource: "ingresses.networking.k8s.io", path: "/apis/networking.k8s.io/v1/ingresses", type: Ingress.self,
            wrap: KubernetesObject.ingress),
        ResourceKind(
            resource: "volumeattachments.storage.k8s.io", path: "/apis/storage.k8s.io/v1/volumeattachments",
            type: VolumeAttachment.self, wrap: KubernetesObject.volumeAttachment),
        ResourceKind(
            resource: "endpointslices.discovery.k8s.io", path: "/apis/discovery.k8s.io/v1/endpointslices",
            type: EndpointSlice.self, wrap: KubernetesObject.endpointSlice),
        ResourceKind(
            resource: "componentstatuses", path: "/api/v1/componentstatuses", type: ComponentStatus.self,
            wrap: KubernetesObject.componentStatus),
    ]

    /// CronJobs: `batch/v1` since Kubernetes 1.21, `batch/v1beta1` before.
    public static let cronJobs = ResourceKind(
        resource: "cronjobs.batch",
        path: "/apis/batch/v1/cronjobs",
        type: CronJob.self,
        fallbackPaths: ["/apis/batch/v1beta1/cronjobs"],
        wrap: KubernetesObject.cronJob
    )

    /// Kubernetes events (`events.k8s.io/v1`), which feed an ``EventQueue`` rather than the store.
    public static let events = ResourceKind(
        resource: "events.events.k8s.io", path: "/apis/events.k8s.io/v1/events", type: KubernetesEvent.self,
        wrap: KubernetesObject.event)

    /// Pods.
    public static let pods = ResourceKind(
        resource: "pods", path: "/api/v1/pods", type: Pod.self, wrap: KubernetesObject.pod)

    /// Nodes.
    public static let nodes = ResourceKind(
        resource: "nodes", path: "/api/v1/nodes", type: Node.self, wrap: KubernetesObject.node)

    /// ReplicaSets: the link from a pod to its Deployment.
    public static let replicaSets = ResourceKind(
        resource: "replicasets.apps", path: "/apis/apps/v1/replicasets", type: Workload.self,
        wrap: KubernetesObject.replicaSet)

    /// Jobs: the link from a pod to its CronJob.
    public static let jobs = ResourceKind(
        resource: "jobs.batch", path: "/apis/batch/v1/jobs", type: Job.self, wrap: KubernetesObject.job)

    /// The kinds a `node`-mode instance watches: its node and its node's pods (each by a field
    /// selector), and Jobs, the link to a CronJob. Not ReplicaSets: a pod's Deployment is in its
    /// ReplicaSet's name and its `pod-template-hash` label (``ClusterState/placement(of:)``), and a
    /// large cluster has more ReplicaSets than nodes have pods; what an agent holds and asks for
    /// stays the same whatever the cluster's size (`make bench-scale`).
    public static let nodeScoped: [ResourceKind] = [.nodes, .pods, .jobs]
}

extension ResourceKind: Equatable {
    /// Kinds are the same when they name the same resource (a fallback path is the same kind).
    public static func == (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.resource == rhs.resource }
}
