/// The simulated cluster as an API: collections with resource versions, paginated lists, watch
/// events since a version, compaction (410 Gone for versions older than the event log keeps), and
/// churn. Pure: the server maps HTTP onto it, the tests call it directly.
public struct SimulatorAPI: Sendable {
    /// A change, as a watch delivers it.
    public struct Event: Sendable {
        /// ADDED, MODIFIED or DELETED.
        public let type: String
        /// The version after the change.
        public let resourceVersion: Int
        /// The object.
        public let object: SimulatedObject
    }

    /// The answer to a list request.
    public struct ListPage: Sendable {
        /// Objects of this page.
        public var items: [SimulatedObject]
        /// Token for the next page; nil on the last.
        public var continueToken: String?
        /// The version the list reflects.
        public let resourceVersion: Int
    }

    /// Why a request cannot be answered.
    public enum Failure: Error, Sendable, Equatable {
        /// The version or continue token is older than the kept history (HTTP 410).
        case gone(String)
    }

    private var objects: [String: [String: SimulatedObject]] = [:]
    /// Keys of each resource in list order, rebuilt after a change: sorting 150,000 pods for every
    /// page of a paginated list made a full list quadratic.
    private var order: [String: [String]] = [:]
    private var events: [Event] = []
    /// The current resource version.
    public private(set) var resourceVersion = 1
    private var oldestKept = 1
    /// Most events kept for watches; older versions get 410.
    public let historyLimit: Int
    private var churnCounter = 0
    private var random: SimRandom
    /// Pods a ReplicaSet owns, by namespace and name: the pods churn picks from, kept across
    /// steps (each replaces one) and rebuilt after any other change to pods. Filtering and
    /// sorting 150,000 pods on every step would take a core at five steps a second.
    private var churnCandidates: [(namespace: String, name: String)]?

    /// Serves `cluster`.
    public init(cluster: SimulatedCluster, historyLimit: Int = 10_000, seed: UInt64 = 1) {
        self.historyLimit = historyLimit
        random = SimRandom(seed: seed ^ 0x5EED)
        for object in cluster.objects { objects[object.resource, default: [:]][Self.key(object)] = object }
    }

    static func key(_ object: SimulatedObject) -> String { (object.namespace ?? "") + "/" + object.name }

    /// The resources served.
    public var resources: [String] { objects.keys.sorted() }

    /// A page of `resource`, optionally one namespace, pods optionally on one node, `limit` items
    /// after `continueToken` (an offset bound to the version it was issued at).
    public mutating func list(
        _ resource: String,
        namespace: String? = nil,
        nodeName: String? = nil,
        limit: Int? = nil,
        continueToken: String? = nil
    ) throws(Failure) -> ListPage {
        var offset = 0
        if let continueToken {
            let parts = continueToken.split(separator: ":")
            guard parts.count == 2, let version = Int(parts[0]), let start = Int(parts[1]) else {
                throw .gone("invalid continue token")
            }
            guard version >= oldestKept else { throw .gone("the provided continue parameter is too old") }
            offset = start
        }
        let keys = orderedKeys(resource)
        let stored = objects[resource] ?? [:]
        var all = keys.compactMap { stored[$0] }
        if let namespace { all = all.filter { $0.namespace == namespace } }
        if let nodeName { all = all.filter { $0.json["spec"]?["nodeName"]?.stringValue == nodeName } }
        let size = limit.map { max(1, $0) } ?? all.count
        let end = min(all.count, offset + size)
        let page = offset < end ? Array(all[offset..<end]) : []
        return ListPage(
            items: page, continueToken: end < all.count ? "\(resourceVersion):\(end)" : nil,
            resourceVersion: resourceVersion)
    }

    /// The keys of `resource` sorted by namespace and name, cached until the next change.
    private mutating func orderedKeys(_ resource: String) -> [String] {
        if let cached = order[resource] { return cached }
        let keys = (objects[resource] ?? [:]).keys.sorted()
        order[resource] = keys
        return keys
    }

    /// One object.
    public func get(_ resource: String, namespace: String?, name: String) -> SimulatedObject? {
        objects[resource]?[(namespace ?? "") + "/" + name]
    }

    /// Changes to `resource` after `version`, in `namespace` and on node `nodeName` when given (a
    /// watch's `fieldSelector=spec.nodeName=`); 410 when the kept history does not reach back that far.
    public func events(
        _ resource: String, after version: Int, namespace: String? = nil, nodeName: String? = nil
    ) throws(Failure) -> [Event] {
        guard version + 1 >= oldestKept else { throw .gone("too old resource version: \(version) (\(oldestKept - 1))") }
        // The history is ordered by version: skip what the watcher has seen without reading it.
        let low = events.partitioningIndex { $0.resourceVersion > version }
        return events[low...].filter {
            $0.object.resource == resource && (namespace == nil || $0.object.namespace == namespace)
                && (nodeName == nil || $0.object.json["spec"]?["nodeName"]?.stringValue == nodeName)
        }
    }

    /// Applies a change and logs it; the object carries the new resource version, as the
    /// apiserver stamps it, so a watcher can resume from any event.
    public mutating func apply(_ type: String, _ change: SimulatedObject) {
        resourceVersion += 1
        let object = change.stamped(resourceVersion)
        let key = Self.key(object)
        order[object.resource] = nil
        if object.resource == "pods" { churnCandidates = nil }
        if type == "DELETED" {
            objects[object.resource]?[key] = nil
        } else {
            objects[object.resource, default: [:]][key] = object
        }
        events.append(Event(type: type, resourceVersion: resourceVersion, object: object))
        if events.count > historyLimit {
            events.removeFirst(events.count - historyLimit)
            oldestKept = events.first?.resourceVersion ?? resourceVersion
        }
    }

    /// Comes back as an API server whose storage was restored from an older backup: `unseen` churn
    /// steps happen without any watcher seeing them, the event log is gone, and versions start
    /// again from 1 (every object restamped), so a client resuming from its last version asks for
    /// one from the future ("Too large resource version").
    public mutating func resetHistory(unseenChurn unseen: Int, at time: String = "2026-11-01T00:00:00Z") {
        for _ in 0..<unseen { churn(at: time) }
        events.removeAll()
        resourceVersion = 1
        oldestKept = resourceVersion + 1
        for (resource, stored) in objects {
            objects[resource] = stored.mapValues { $0.stamped(resourceVersion) }
        }
    }

    /// Forgets the whole event log, as an etcd compaction does: older versions get 410.
    public mutating func compact() {
        events.removeAll()
        oldestKept = resourceVersion + 1
    }

    /// One step of churn: a pod of a ReplicaSet is deleted and a replacement with a new name is
    /// created on another node, as a rolling restart would, with the events the kubelet and the
    /// scheduler record for it, stamped `time` (RFC 3339).
    public mutating func churn(at time: String = "2026-11-01T00:00:00Z") {
        var candidates = churnCandidates ?? replicaSetPods()
        // Taken, not shared: the removal and insertion below would copy a shared array whole.
        churnCandidates = nil
        guard !candidates.isEmpty else { return }
        let index = Int(random.next() % UInt64(candidates.count))
        let picked = candidates.remove(at: index)
        guard let victim = objects["pods"]?[picked.namespace + "/" + picked.name] else { return }
        apply("DELETED", victim)
        churnCounter += 1
        let base = victim.name.split(separator: "-").dropLast().joined(separator: "-")
        let name = "\(base)-r\(churnCounter)"
        let replacement = SimulatedObject(
            resource: victim.resource, apiVersion: victim.apiVersion, kind: victim.kind, namespace: victim.namespace,
            name: name,
            json: victim.json.replacing(path: ["metadata", "name"], with: .string(name))
        )
        apply("ADDED", replacement)
        let entry = (namespace: replacement.namespace ?? "", name: name)
        let position = candidates.partitioningIndex { ($0.namespace, $0.name) >= (entry.namespace, entry.name) }
        candidates.insert(entry, at: position)
        churnCandidates = candidates
        let node = replacement.json["spec"]?["nodeName"]?.stringValue ?? "?"
        apply(
            "ADDED",
            .event(
                name: "\(victim.name).c\(churnCounter)k", uid: "churn-\(churnCounter)-killing", regarding: victim,
                reason: "Killing", note: "Stopping container \(base)", controller: "kubelet", time: time))
        apply(
            "ADDED",
            .event(
                name: "\(name).c\(churnCounter)s", uid: "churn-\(churnCounter)-scheduled", regarding: replacement,
                reason: "Scheduled", note: "Successfully assigned \(victim.namespace ?? "")/\(name) to \(node)",
                controller: "default-scheduler", time: time))
    }
}

extension SimulatorAPI {
    /// The pods a ReplicaSet owns, by namespace and name.
    private func replicaSetPods() -> [(namespace: String, name: String)] {
        (objects["pods"] ?? [:]).values.filter { pod in
            guard case .array(let owners)? = pod.json["metadata"]?["ownerReferences"] else { return false }
            return owners.contains { $0["kind"]?.stringValue == "ReplicaSet" }
        }
        .map { (namespace: $0.namespace ?? "", name: $0.name) }
        .sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }
}

extension Array {
    /// The first index whose element satisfies `belongs`, for a predicate false then true.
    fileprivate func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

extension SimulatedObject {
    /// The object with `metadata.resourceVersion` set.
    func stamped(_ version: Int) -> SimulatedObject {
        SimulatedObject(
            resource: resource, apiVersion: apiVersion, kind: kind, namespace: namespace, name: name,
            json: json.replacing(path: ["metadata", "resourceVersion"], with: .string(String(version)))
        )
    }
}

extension JSONValue {
    /// The value with the member at `path` (object keys) replaced.
    func replacing(path: [String], with value: JSONValue) -> JSONValue {
        guard let first = path.first, case .object(var pairs) = self else { return path.isEmpty ? value : self }
        if let index = pairs.firstIndex(where: { $0.0 == first }) {
            pairs[index].1 = pairs[index].1.replacing(path: Array(path.dropFirst()), with: value)
        }
        return .object(pairs)
    }
}
