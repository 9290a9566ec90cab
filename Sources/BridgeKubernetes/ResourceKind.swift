import BridgeTopology
import Foundation

/// A resource type the watcher syncs: where it lives in the API and how its objects decode.
public struct ResourceKind: Sendable {
    /// The resource as RBAC names it (`pods`, `deployments.apps`).
    public let resource: String
    /// The collection path (`/api/v1/pods`, `/apis/apps/v1/deployments`).
    public let path: String
    /// Where to look when the apiserver does not serve ``path`` (404): older API versions, such as
    /// `batch/v1beta1` for CronJobs on clusters before Kubernetes 1.21.
    public let fallbackPaths: [String]
    /// The Accept header: plain JSON, or metadata only for config maps and secrets.
    public let accept: String
    let decodeList:
        @Sendable (Data) throws -> (items: [KubernetesObject], continueToken: String?, resourceVersion: String)
    let decodeObject: @Sendable (Data) throws -> KubernetesObject

    /// A kind whose objects decode as `T` and wrap into ``KubernetesObject`` with `wrap`.
    public init<T: Decodable & Sendable>(
        resource: String,
        path: String,
        type: T.Type,
        accept: String = "application/json",
        fallbackPaths: [String] = [],
        wrap: @escaping @Sendable (T) -> KubernetesObject
    ) {
        self.resource = resource
        self.path = path
        self.fallbackPaths = fallbackPaths
        self.accept = accept
        decodeList = { data in
            let list = try JSONDecoder().decode(ListEnvelope<T>.self, from: data)
            return (list.items.map(wrap), list.metadata?.continueToken, list.metadata?.resourceVersion ?? "")
        }
        decodeObject = { data in wrap(try JSONDecoder().decode(ObjectEnvelope<T>.self, from: data).object) }
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
        let items: [T]
    }

    struct ObjectEnvelope<T: Decodable>: Decodable {
        let object: T
    }

    /// Metadata-only lists (`PartialObjectMetadataList`): secret and config map values never arrive.
    static let metadataOnly = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"

    /// Every kind the topology needs.
    public static let all: [ResourceKind] = [
        ResourceKind(resource: "nodes", path: "/api/v1/nodes", type: Node.self, wrap: KubernetesObject.node),
        ResourceKind(
            resource: "namespaces", path: "/api/v1/namespaces", type: Namespace.self, wrap: KubernetesObject.namespace),
        .pods,
        ResourceKind(
            resource: "services", path: "/api/v1/services", type: Service.self, wrap: KubernetesObject.service),
        ResourceKind(
            resource: "configmaps", path: "/api/v1/configmaps", type: MetadataObject.self, accept: metadataOnly,
            wrap: KubernetesObject.configMap),
        ResourceKind(
            resource: "secrets", path: "/api/v1/secrets", type: MetadataObject.self, accept: metadataOnly,
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
        ResourceKind(
            resource: "replicasets.apps", path: "/apis/apps/v1/replicasets", type: Workload.self,
            wrap: KubernetesObject.replicaSet),
        ResourceKind(
            resource: "daemonsets.apps", path: "/apis/apps/v1/daemonsets", type: Workload.self,
            wrap: KubernetesObject.daemonSet),
        ResourceKind(
            resource: "statefulsets.apps", path: "/apis/apps/v1/statefulsets", type: Workload.self,
            wrap: KubernetesObject.statefulSet),
        ResourceKind(resource: "jobs.batch", path: "/apis/batch/v1/jobs", type: Job.self, wrap: KubernetesObject.job),
        ResourceKind(
            resource: "cronjobs.batch", path: "/apis/batch/v1/cronjobs", type: CronJob.self,
            wrap: KubernetesObject.cronJob),
        ResourceKind(
            resource: "ingresses.networking.k8s.io", path: "/apis/networking.k8s.io/v1/ingresses", type: Ingress.self,
            wrap: KubernetesObject.ingress),
        ResourceKind(
            resource: "volumeattachments.storage.k8s.io", path: "/apis/storage.k8s.io/v1/volumeattachments",
            type: VolumeAttachment.self, wrap: KubernetesObject.volumeAttachment),
    ]

    /// CronJobs: `batch/v1` since Kubernetes 1.21, `batch/v1beta1` before.
    public static let cronJobs = ResourceKind(
        resource: "cronjobs.batch",
        path: "/apis/batch/v1/cronjobs",
        type: CronJob.self,
        fallbackPaths: ["/apis/batch/v1beta1/cronjobs"],
        wrap: KubernetesObject.cronJob
    )

    /// Pods.
    public static let pods = ResourceKind(
        resource: "pods", path: "/api/v1/pods", type: Pod.self, wrap: KubernetesObject.pod)
}
