import BridgeTopology
import Synchronization

/// The cluster state the watchers keep current; readers take snapshots (a copy-on-write value),
/// so building the topology or joining series never blocks a watcher for long.
public final class ClusterStore: Sendable {
    private let state: Mutex<ClusterState>

    /// An empty store for `clusterName`.
    public init(clusterName: String) {
        state = Mutex(ClusterState(clusterName: clusterName))
    }

    /// The current state.
    public var snapshot: ClusterState { state.withLock { $0 } }

    /// Replaces every object of `resource` with `objects` (a completed list).
    public func replaceAll(_ resource: String, with objects: [KubernetesObject]) {
        state.withLock { state in
            state.removeAll(resource)
            for object in objects { state.upsert(object) }
        }
    }

    /// Applies one watch event (`ADDED`, `MODIFIED` or `DELETED`).
    public func apply(_ type: String, _ object: KubernetesObject) {
        state.withLock { state in
            if type == "DELETED" { state.remove(object) } else { state.upsert(object) }
        }
    }
}

extension ClusterState {
    /// Forgets every object of `resource` (as ``ResourceKind/resource`` names it).
    mutating func removeAll(_ resource: String) {
        switch resource {
        case "nodes": nodes = [:]
        case "namespaces": namespaces = [:]
        case "pods": pods = [:]
        case "services": services = [:]
        case "configmaps": configMaps = [:]
        case "secrets": secrets = [:]
        case "persistentvolumes": persistentVolumes = [:]
        case "persistentvolumeclaims": persistentVolumeClaims = [:]
        case "deployments.apps": deployments = [:]
        case "replicasets.apps": replicaSets = [:]
        case "daemonsets.apps": daemonSets = [:]
        case "statefulsets.apps": statefulSets = [:]
        case "jobs.batch": jobs = [:]
        case "cronjobs.batch": cronJobs = [:]
        case "ingresses.networking.k8s.io": ingresses = [:]
        case "volumeattachments.storage.k8s.io": volumeAttachments = [:]
        default: break
        }
    }
}
