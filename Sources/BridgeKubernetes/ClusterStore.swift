import BridgeTopology
import Synchronization

/// The cluster state the watchers keep current; readers take snapshots (a copy-on-write value),
/// so building the topology or joining series never blocks a watcher for long.
///
/// Deleted pods stay joinable for a grace period (default 5 minutes, DESIGN.md): a scrape that lands
/// after the pod is gone still finds its node and workload.
public final class ClusterStore: Sendable {
    private struct Contents {
        var state: ClusterState
        var interner = StringInterner()
        var deletedPods: [ObjectKey: (pod: Pod, deletedAt: ContinuousClock.Instant)] = [:]
    }

    private let contents: Mutex<Contents>
    /// How long a deleted pod stays joinable.
    public let gracePeriod: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    /// An empty store for `clusterName`; `now` is injectable for tests.
    public init(
        clusterName: String,
        gracePeriod: Duration = .seconds(300),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        contents = Mutex(Contents(state: ClusterState(clusterName: clusterName)))
        self.gracePeriod = gracePeriod
        self.now = now
    }

    /// The current state (deleted pods are not in it).
    public var snapshot: ClusterState { contents.withLock { $0.state } }

    /// Replaces every object of `resource` with `objects` (a completed list); pods that the list
    /// no longer has were deleted while unwatched and enter the grace period.
    public func replaceAll(_ resource: String, with objects: [KubernetesObject]) {
        let time = now()
        contents.withLock { contents in
            let before = resource == "pods" ? contents.state.pods : [:]
            contents.state.removeAll(resource)
            for object in objects { contents.state.upsert(Self.shared(object, &contents.interner)) }
            for (key, pod) in before where contents.state.pods[key] == nil {
                contents.deletedPods[key] = (pod, time)
            }
            for object in objects { contents.deletedPods[ObjectKey(object.metadata)] = nil }
            prune(&contents, at: time)
        }
    }

    /// Applies one watch event (`ADDED`, `MODIFIED` or `DELETED`).
    public func apply(_ type: String, _ object: KubernetesObject) {
        let time = now()
        contents.withLock { contents in
            let key = ObjectKey(object.metadata)
            if type == "DELETED" {
                if case .pod(let pod) = object { contents.deletedPods[key] = (contents.state.pods[key] ?? pod, time) }
                contents.state.remove(object)
            } else {
                if case .pod = object { contents.deletedPods[key] = nil }
                contents.state.upsert(Self.shared(object, &contents.interner))
            }
            prune(&contents, at: time)
        }
    }

    /// The pod for a series' `namespace` and `pod` labels: live, or deleted within the grace period.
    public func joinablePod(_ key: ObjectKey) -> Pod? {
        let time = now()
        return contents.withLock { contents in
            if let pod = contents.state.pods[key] { return pod }
            guard let deleted = contents.deletedPods[key], deleted.deletedAt.advanced(by: gracePeriod) > time else {
                return nil
            }
            return deleted.pod
        }
    }

    /// How many deleted pods are still joinable.
    public var recentlyDeletedPods: Int {
        let time = now()
        return contents.withLock { contents in
            prune(&contents, at: time)
            return contents.deletedPods.count
        }
    }

    /// `objects` with their repeated strings shared with what the store holds; the watcher calls it
    /// for each list page, so a large list never holds unshared copies of everything at once.
    public func share(_ objects: [KubernetesObject]) -> [KubernetesObject] {
        contents.withLock { contents in objects.map { Self.shared($0, &contents.interner) } }
    }

    /// Pods, the bulk of a cluster, are stored with their repeated strings shared.
    private static func shared(_ object: KubernetesObject, _ interner: inout StringInterner) -> KubernetesObject {
        if case .pod(let pod) = object { return .pod(pod.interned(&interner)) }
        return object
    }

    private func prune(_ contents: inout Contents, at time: ContinuousClock.Instant) {
        contents.deletedPods = contents.deletedPods.filter { $0.value.deletedAt.advanced(by: gracePeriod) > time }
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
