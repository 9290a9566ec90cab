import BridgeTopology
import Foundation
import Synchronization

/// The cluster state the watchers keep current; readers take snapshots (a copy-on-write value),
/// so building the topology or joining series never blocks a watcher for long.
///
/// Deleted pods stay joinable for a grace period (default 5 minutes, DESIGN.md): a scrape that lands
/// after the pod is gone still finds its node and workload.
public final class ClusterStore: Sendable {
    private struct Contents {
        var state: ClusterState
        /// Deleted pods within the grace period, as compact records like the live ones.
        var deletedPods = PodTable()
        var deletedAt: [ObjectKey: ContinuousClock.Instant] = [:]
        /// Resources whose first list completed, or that were given up (403).
        var settled: Set<String> = []
        /// Seconds since the epoch when each resource's watcher last heard from the API server.
        var contacts: [String: Double] = [:]
        /// Resources whose watcher has failed since its last good list or watch, and since when.
        var outOfSync: [String: ContinuousClock.Instant] = [:]
        /// Counts changes of `state`.
        var changes: UInt64 = 0
        /// Counts changes that may change a join's answer: of a pod's placement, a node's labels,
        /// a ReplicaSet's or Job's owner (``ClusterState/placement(of:)`` reads nothing else).
        var joinChanges: UInt64 = 0
        /// Counts deleted pods whose grace period ended: they stop being joinable without any
        /// change of `state`.
        var expiries: UInt64 = 0
        /// When the first grace period of `deletedAt` ends, so that pruning, which runs on every
        /// join-version read, scans only when something is due.
        var nextExpiry: ContinuousClock.Instant?
        /// Placements of live pods already worked out since the last change: every scrape joins
        /// the same pods again, and an owner-chain walk per pod per target was a visible cost
        /// (docs/performance.md).
        var placements: [ObjectKey: PodPlacement] = [:]
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

    /// The current state and a number that changes whenever the state does, so that a reader can
    /// skip work when nothing changed since it last looked.
    public var versionedSnapshot: (state: ClusterState, version: UInt64) {
        contents.withLock { ($0.state, $0.changes) }
    }

    /// A number that changes whenever ``placement(ofPod:)`` or ``placement(ofNode:)`` may answer
    /// differently for some key: when a pod is added or its placement changes, a node's labels or a
    /// ReplicaSet's or Job's owner change, a node, ReplicaSet or Job comes or goes, a resource the
    /// joins read is listed again, and when a deleted pod's grace period ends. Status updates,
    /// and every other kind, leave it alone: a busy cluster changes something every second, and a
    /// scrape whose series are the same as last time reuses its last enrichment while this stays
    /// the same (``Enricher/joinVersion``).
    public var joinVersion: UInt64 {
        let time = now()
        return contents.withLock { contents in
            prune(&contents, at: time)
            // Both only grow, so their sum moves whenever either does.
            return contents.joinChanges &+ contents.expiries
        }
    }

    /// Replaces every object of `resource` with those of a completed list, staged in `listed`;
    /// pods that the list no longer has were deleted while unwatched and enter the grace period.
    public func replaceAll(_ resource: String, with listed: ClusterState) {
        let time = now()
        contents.withLock { contents in
            if resource == ResourceKind.pods.resource {
                for key in contents.state.pods.keys where !listed.pods.contains(key) {
                    contents.deletedPods[key] = contents.state.pods[key]
                    markDeleted(key, at: time, &contents)
                }
                for key in listed.pods.keys where contents.deletedAt.removeValue(forKey: key) != nil {
                    contents.deletedPods[key] = nil
                }
            }
            contents.state.replace(resource, from: listed)
            contents.changes &+= 1
            if Self.joinedResources.contains(resource) { contents.joinChanges &+= 1 }
            contents.placements.removeAll(keepingCapacity: true)
            contents.settled.insert(resource)
            prune(&contents, at: time)
        }
    }

    /// Replaces every object of `resource` with `objects`.
    public func replaceAll(_ resource: String, with objects: [KubernetesObject]) {
        var listed = ClusterState(clusterName: "")
        for object in objects { listed.upsert(object) }
        replaceAll(resource, with: listed)
    }

    /// Replaces the correlated processes and connections (the leader's ``ConnectionCorrelator``),
    /// a change of the state like any watch event, so that the next topology build has them.
    public func replaceProcesses(_ graph: ProcessGraph) {
        contents.withLock { contents in
            guard contents.state.processes != graph else { return }
            contents.state.processes = graph
            contents.changes &+= 1
        }
    }

    /// Records that the API server answered the watcher of `resource` (a list, a watch that opened,
    /// an event), for the staleness alert (alerts/stackbridge.rules.yml).
    public func recordContact(_ resource: String) {
        let seconds = Date().timeIntervalSince1970
        contents.withLock { $0.contacts[resource] = seconds }
    }

    /// When each resource's watcher last heard from the API server (seconds since the epoch).
    public var lastContacts: [String: Double] { contents.withLock { $0.contacts } }

    /// `resource`'s watcher failed (a list or watch that did not work): out of sync from now on,
    /// unless it already was, until ``markInSync(_:)``.
    public func markOutOfSync(_ resource: String) {
        let time = now()
        contents.withLock { contents in
            if contents.outOfSync[resource] == nil { contents.outOfSync[resource] = time }
        }
    }

    /// `resource`'s watcher has a complete list or an open watch again.
    public func markInSync(_ resource: String) {
        contents.withLock { contents in
            if contents.outOfSync[resource] != nil { contents.outOfSync[resource] = nil }
        }
    }

    /// The resources out of sync for longer than `grace`, with how long, by name.
    public func outOfSync(longerThan grace: Duration) -> [(resource: String, duration: Duration)] {
        let time = now()
        return contents.withLock { contents in
            contents.outOfSync.compactMap { resource, since in
                time - since > grace ? (resource, time - since) : nil
            }.sorted { $0.resource < $1.resource }
        }
    }

    /// Whether each resource ever reported is in sync now (``markOutOfSync(_:)``), by name.
    public var syncStates: [String: Bool] {
        contents.withLock { contents in
            var states = Dictionary(uniqueKeysWithValues: contents.contacts.keys.map { ($0, true) })
            for resource in contents.outOfSync.keys { states[resource] = false }
            return states
        }
    }

    /// Records that `resource` will not be listed (disabled for lack of permission), so that
    /// readiness does not wait for it.
    public func giveUp(_ resource: String) {
        _ = contents.withLock { $0.settled.insert(resource) }
    }

    /// Whether every one of `resources` has completed a first list or was given up.
    public func hasSettled(_ resources: some Sequence<String>) -> Bool {
        contents.withLock { contents in resources.allSatisfy { contents.settled.contains($0) } }
    }

    /// Where the pod at `key` lives, live or deleted within the grace period; what the enricher
    /// joins each series to.
    public func placement(ofPod key: ObjectKey) -> PodPlacement? {
        let time = now()
        return contents.withLock { contents in
            if let cached = contents.placements[key] { return cached }
            if let pod = contents.state.pods[key] {
                let placement = contents.state.placement(of: pod)
                contents.placements[key] = placement
                return placement
            }
            guard let deletedAt = contents.deletedAt[key], deletedAt.advanced(by: gracePeriod) > time,
                let pod = contents.deletedPods[key]
            else { return nil }
            return contents.state.placement(of: pod)
        }
    }

    /// Zone and region of the node called `name`.
    public func placement(ofNode name: String) -> NodePlacement? {
        contents.withLock { $0.state.placement(ofNode: name) }
    }

    /// Applies one watch event (`ADDED`, `MODIFIED` or `DELETED`).
    public func apply(_ type: String, _ object: KubernetesObject) {
        let time = now()
        contents.withLock { contents in
            let key = ObjectKey(object.metadata)
            if Self.movesJoins(type, object, key: key, in: contents.state) { contents.joinChanges &+= 1 }
            if type == "DELETED" {
                if case .pod(let pod) = object {
                    contents.deletedPods[key] = contents.state.pods[key] ?? pod
                    markDeleted(key, at: time, &contents)
                }
                contents.state.remove(object)
            } else {
                if case .pod = object, contents.deletedAt.removeValue(forKey: key) != nil {
                    contents.deletedPods[key] = nil
                }
                contents.state.upsert(object)
            }
            contents.changes &+= 1
            contents.placements.removeAll(keepingCapacity: true)
            prune(&contents, at: time)
        }
    }

    /// The pod for a series' `namespace` and `pod` labels: live, or deleted within the grace period.
    public func joinablePod(_ key: ObjectKey) -> Pod? {
        let time = now()
        return contents.withLock { contents in
            if let pod = contents.state.pods[key] { return pod }
            guard let deletedAt = contents.deletedAt[key], deletedAt.advanced(by: gracePeriod) > time else {
                return nil
            }
            return contents.deletedPods[key]
        }
    }

    /// How many deleted pods are still joinable.
    public var recentlyDeletedPods: Int {
        let time = now()
        return contents.withLock { contents in
            prune(&contents, at: time)
            return contents.deletedAt.count
        }
    }

    /// The resources ``ClusterState/placement(of:)`` reads.
    static let joinedResources = Set(ResourceKind.nodeScoped.map(\.resource))

    /// Whether applying the event may change what a join answers, judged against the state
    /// before it.
    static func movesJoins(_ type: String, _ object: KubernetesObject, key: ObjectKey, in state: ClusterState) -> Bool {
        let deleted = type == "DELETED"
        switch object {
        case .pod(let pod):
            // A deleted pod stays joinable, unchanged, for its grace period; its end moves the version.
            guard !deleted else { return false }
            guard let old = state.pods[key] else { return true }
            return state.placement(of: old) != state.placement(of: pod)
        case .node(let node):
            guard !deleted, let old = state.nodes[node.metadata.name] else { return true }
            return old.metadata.labels != node.metadata.labels
        case .replicaSet(let set):
            guard !deleted, let old = state.replicaSets[key] else { return true }
            return old.metadata.controller != set.metadata.controller
        case .job(let job):
            guard !deleted, let old = state.jobs[key] else { return true }
            return old.metadata.controller != job.metadata.controller
        default:
            return false
        }
    }

    private func markDeleted(_ key: ObjectKey, at time: ContinuousClock.Instant, _ contents: inout Contents) {
        contents.deletedAt[key] = time
        let expiry = time.advanced(by: gracePeriod)
        if contents.nextExpiry.map({ expiry < $0 }) ?? true { contents.nextExpiry = expiry }
    }

    private func prune(_ contents: inout Contents, at time: ContinuousClock.Instant) {
        guard let due = contents.nextExpiry, due <= time else { return }
        contents.nextExpiry = nil
        for (key, deletedAt) in contents.deletedAt {
            let expiry = deletedAt.advanced(by: gracePeriod)
            if expiry <= time {
                contents.deletedAt[key] = nil
                contents.deletedPods[key] = nil
                contents.expiries &+= 1
            } else if contents.nextExpiry.map({ expiry < $0 }) ?? true {
                contents.nextExpiry = expiry
            }
        }
    }
}

extension ClusterState {
    /// Takes every object of `resource` (as ``ResourceKind/resource`` names it) from `listed`.
    mutating func replace(_ resource: String, from listed: ClusterState) {
        switch resource {
        case "nodes": nodes = listed.nodes
        case "namespaces": namespaces = listed.namespaces
        case "pods": pods = listed.pods
        case "services": services = listed.services
        case "configmaps": configMaps = listed.configMaps
        case "secrets": secrets = listed.secrets
        case "persistentvolumes": persistentVolumes = listed.persistentVolumes
        case "persistentvolumeclaims": persistentVolumeClaims = listed.persistentVolumeClaims
        case "deployments.apps": deployments = listed.deployments
        case "replicasets.apps": replicaSets = listed.replicaSets
        case "daemonsets.apps": daemonSets = listed.daemonSets
        case "statefulsets.apps": statefulSets = listed.statefulSets
        case "jobs.batch": jobs = listed.jobs
        case "cronjobs.batch": cronJobs = listed.cronJobs
        case "ingresses.networking.k8s.io": ingresses = listed.ingresses
        case "volumeattachments.storage.k8s.io": volumeAttachments = listed.volumeAttachments
        case "endpointslices.discovery.k8s.io": endpointSlices = listed.endpointSlices
        case "componentstatuses": componentStatuses = listed.componentStatuses
        default: break
        }
    }
}
