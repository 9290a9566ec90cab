import Foundation

/// The simulated cluster's StackState receiver, strict where the real one is lenient
/// (reference/stackstate-receiver.md §2–§6): it checks every field of intake and series bodies and
/// keeps what they carried — the components, relations and deletions of topology snapshots, the
/// health states of health snapshots, events, and series — so that `stackbridge demo` reports what
/// arrived and tests compare it with what the cluster holds.
public final class SimulatedStackStateReceiver: @unchecked Sendable {
    let lock = NSLock()
    private var open: (components: Set<String>, relations: Set<String>, types: [String: Int])?
    private var openHealth: [String: String]?
    /// Components of the last complete snapshot.
    public private(set) var components: Set<String> = []
    /// Relations of the last complete snapshot.
    public private(set) var relations: Set<String> = []
    /// How many relations of each type the last complete snapshot had.
    public private(set) var relationTypes: [String: Int] = [:]
    /// Every `delete_ids` entry received.
    public private(set) var deleted: [String] = []
    /// Snapshots completed.
    public private(set) var snapshots = 0
    /// Snapshots started and never stopped: a `start_snapshot` came while they were open, and
    /// replaced them with nothing of theirs kept (the sender gave them up, reference §2).
    public private(set) var abandonedSnapshots = 0
    /// Topology chunks (one a post) received, and the most elements one carried.
    public private(set) var topologyChunks = 0
    /// The most components and relations one topology chunk carried (the agent's batcher capacity).
    public private(set) var largestChunk = 0
    /// Health by component URN, from the last complete health snapshot.
    public private(set) var health: [String: String] = [:]
    /// Health snapshots completed.
    public private(set) var healthSnapshots = 0
    /// Events received: category, element identifiers and title of each.
    public private(set) var events: [(category: String, elements: [String], title: String)] = []
    /// Series received on `/api/v1/series`.
    public private(set) var seriesCount = 0
    /// The tags of the first series of each metric name received.
    public private(set) var seriesTags: [String: [String]] = [:]
    /// Process agent posts accepted (`/api/v1/collector`, `/api/v1/connections`).
    public internal(set) var processAgentPosts = 0
    /// Process URNs of every `CollectorProc` received, as the receiver names them.
    public internal(set) var agentProcesses: Set<String> = []
    /// Connections of every `CollectorConnections` received.
    public internal(set) var agentConnections = 0

    static let healthStates: Set<String> = ["CLEAR", "DEVIATING", "CRITICAL"]
    static let categories: Set<String> = ["Activities", "Alerts", "Changes", "Others", "Anomalies"]
    static let alertTypes: Set<String> = ["info", "warning", "error", "success"]
    static let seriesTypes: Set<String> = ["gauge", "rate", "count"]

    /// An empty receiver.
    public init() {}

    /// Collects problems, each naming the path of the offending field.
    struct Checker {
        var problems: [String] = []

        mutating func require<T>(_ object: [String: Any], _ key: String, _ path: String, as type: T.Type) -> T? {
            guard let value = object[key] else {
                problems.append("\(path.isEmpty ? "" : path + ".")\(key): missing")
                return nil
            }
            guard let typed = value as? T else {
                problems.append("\(path.isEmpty ? "" : path + ".")\(key): wrong type \(Swift.type(of: value))")
                return nil
            }
            return typed
        }

        mutating func oneOf(_ object: [String: Any], _ key: String, _ path: String, _ allowed: Set<String>) {
            guard let value = require(object, key, path, as: String.self) else { return }
            if !allowed.contains(value) {
                problems.append("\(path).\(key): \(value) is not one of \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    /// Checks one intake body (uncompressed JSON) and records it; returns what is wrong with it.
    public func receive(_ body: Data) -> [String] {
        guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return ["body: not a JSON object"]
        }
        var check = Checker()
        _ = check.require(root, "internalHostname", "", as: String.self)
        _ = check.require(root, "metrics", "", as: [Any].self)
        lock.lock()
        defer { lock.unlock() }
        for (index, topology) in (check.require(root, "topologies", "", as: [[String: Any]].self) ?? []).enumerated() {
            receiveTopology(topology, path: "topologies[\(index)]", &check)
        }
        for (index, sync) in (check.require(root, "health", "", as: [[String: Any]].self) ?? []).enumerated() {
            receiveHealth(sync, path: "health[\(index)]", &check)
        }
        if let events = root["events"] {
            if let bySource = events as? [String: [[String: Any]]] {
                for (source, list) in bySource.sorted(by: { $0.key < $1.key }) {
                    for (index, event) in list.enumerated() {
                        receiveEvent(event, path: "events.\(source)[\(index)]", &check)
                    }
                }
            } else {
                check.problems.append("events: not an object of event lists")
            }
        }
        return check.problems
    }

    /// Checks one `/api/v1/series` body (uncompressed JSON) and records it.
    public func receiveSeries(_ body: Data) -> [String] {
        guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return ["body: not a JSON object"]
        }
        var check = Checker()
        let series = check.require(root, "series", "", as: [[String: Any]].self) ?? []
        lock.lock()
        defer { lock.unlock() }
        for (index, one) in series.enumerated() {
            let path = "series[\(index)]"
            guard let metric = check.require(one, "metric", path, as: String.self) else { continue }
            if let points = check.require(one, "points", path, as: [[Double]].self) {
                if points.isEmpty || points.contains(where: { $0.count != 2 }) {
                    check.problems.append("\(path).points: not a list of [timestamp, value] pairs")
                }
            }
            let tags = check.require(one, "tags", path, as: [String].self) ?? []
            for tag in tags where !tag.contains(":") {
                check.problems.append("\(path).tags: \(tag) is not key:value")
            }
            // StackState binds a series to a cluster's components by these two tags (the agent
            // appends both to every check's metrics); a series without them binds to nothing.
            let clusters = ["cluster_name:", "kube_cluster_name:"].map { prefix in
                Set(tags.filter { $0.hasPrefix(prefix) }.map { $0.dropFirst(prefix.count) })
            }
            if clusters[0].count != 1 || clusters[0] != clusters[1] {
                check.problems.append("\(path) (\(metric)).tags: not exactly one cluster_name and kube_cluster_name")
            }
            _ = check.require(one, "host", path, as: String.self)
            check.oneOf(one, "type", path, Self.seriesTypes)
            _ = check.require(one, "interval", path, as: Double.self)
            seriesCount += 1
            if seriesTags[metric] == nil { seriesTags[metric] = tags }
        }
        return check.problems
    }

    private func receiveTopology(_ topology: [String: Any], path: String, _ check: inout Checker) {
        let start = check.require(topology, "start_snapshot", path, as: Bool.self) ?? false
        let stop = check.require(topology, "stop_snapshot", path, as: Bool.self) ?? false
        if let instance = check.require(topology, "instance", path, as: [String: Any].self) {
            if instance["type"] as? String != "kubernetes" {
                check.problems.append("\(path).instance.type: not kubernetes")
            }
            if (instance["url"] as? String ?? "").isEmpty { check.problems.append("\(path).instance.url: empty") }
        }
        _ = check.require(topology, "delete_ids", path, as: [String].self)
        if start {
            // A sender gives a snapshot up when a chunk of it was refused or it lost the lead;
            // taking the rest for the whole would delete what the missing chunk carried.
            if open != nil { abandonedSnapshots += 1 }
            open = ([], [], [:])
        } else if open == nil {
            check.problems.append("\(path): chunk without a start_snapshot")
            open = ([], [], [:])
        }
        let componentList = check.require(topology, "components", path, as: [[String: Any]].self) ?? []
        topologyChunks += 1
        largestChunk = max(largestChunk, componentList.count + ((topology["relations"] as? [Any])?.count ?? 0))
        for (index, component) in componentList.enumerated() {
            let componentPath = "\(path).components[\(index)]"
            guard let id = check.require(component, "externalId", componentPath, as: String.self) else { continue }
            if (check.require(component, "type", componentPath, as: [String: Any].self)?["name"] as? String) == nil {
                check.problems.append("\(componentPath).type.name: missing")
            }
            if let data = check.require(component, "data", componentPath, as: [String: Any].self) {
                if data["tags"] as? [String: String] == nil {
                    check.problems.append("\(componentPath).data.tags: not an object of strings")
                }
                if data["name"] as? String == nil { check.problems.append("\(componentPath).data.name: missing") }
                if (component["type"] as? [String: Any])?["name"] as? String == "process" {
                    checkProcess(id: id, data: data, path: componentPath, &check)
                }
            }
            if !component.keys.contains("sourceProperties") {
                check.problems.append("\(componentPath).sourceProperties: missing")
            } else if !(component["sourceProperties"] is NSNull)
                && component["sourceProperties"] as? [String: Any] == nil
            {
                check.problems.append("\(componentPath).sourceProperties: neither null nor an object")
            }
            open?.components.insert(id)
        }
        let relationList = check.require(topology, "relations", path, as: [[String: Any]].self) ?? []
        for (index, relation) in relationList.enumerated() {
            let relationPath = "\(path).relations[\(index)]"
            guard let id = check.require(relation, "externalId", relationPath, as: String.self),
                let source = check.require(relation, "sourceId", relationPath, as: String.self),
                let target = check.require(relation, "targetId", relationPath, as: String.self)
            else { continue }
            if (check.require(relation, "type", relationPath, as: [String: Any].self)?["name"] as? String) == nil {
                check.problems.append("\(relationPath).type.name: missing")
            }
            let data = check.require(relation, "data", relationPath, as: [String: Any].self) ?? [:]
            if (relation["type"] as? [String: Any])?["name"] as? String == "directional_connection" {
                checkConnection(id: id, source: source, target: target, data: data, path: relationPath, &check)
            }
            for end in [source, target] where open?.components.contains(end) != true {
                check.problems.append("\(relationPath): end \(end) was not sent before it")
            }
            open?.relations.insert(id)
            if let type = (relation["type"] as? [String: Any])?["name"] as? String {
                open?.types[type, default: 0] += 1
            }
        }
        deleted += topology["delete_ids"] as? [String] ?? []
        if stop, let complete = open {
            components = complete.components
            relations = complete.relations
            relationTypes = complete.types
            snapshots += 1
            open = nil
        }
    }

    private func receiveHealth(_ sync: [String: Any], path: String, _ check: inout Checker) {
        if let stream = check.require(sync, "stream", path, as: [String: Any].self) {
            if !((stream["urn"] as? String)?.hasPrefix("urn:health:") ?? false) {
                check.problems.append("\(path).stream.urn: not a urn:health: URN")
            }
        }
        if let start = sync["start_snapshot"] {
            guard let start = start as? [String: Any] else {
                check.problems.append("\(path).start_snapshot: not an object")
                return
            }
            if let repeatInterval = check.require(start, "repeat_interval_s", "\(path).start_snapshot", as: Int.self),
                !(1...1800).contains(repeatInterval)
            {
                check.problems.append("\(path).start_snapshot.repeat_interval_s: \(repeatInterval) not in 1…1800")
            }
            if openHealth != nil { abandonedSnapshots += 1 }
            openHealth = [:]
        } else if openHealth == nil {
            check.problems.append("\(path): check states without a start_snapshot")
            openHealth = [:]
        }
        let states = check.require(sync, "check_states", path, as: [[String: Any]].self) ?? []
        for (index, state) in states.enumerated() {
            let statePath = "\(path).check_states[\(index)]"
            _ = check.require(state, "checkStateId", statePath, as: String.self)
            _ = check.require(state, "name", statePath, as: String.self)
            check.oneOf(state, "health", statePath, Self.healthStates)
            if let urn = check.require(state, "topologyElementIdentifier", statePath, as: String.self),
                let health = state["health"] as? String
            {
                openHealth?[urn] = health
            }
        }
        if let stop = sync["stop_snapshot"] {
            if stop as? [String: Any] == nil { check.problems.append("\(path).stop_snapshot: not an object") }
            health = openHealth ?? [:]
            healthSnapshots += 1
            openHealth = nil
        }
    }

    private func receiveEvent(_ event: [String: Any], path: String, _ check: inout Checker) {
        for key in ["msg_title", "msg_text", "host", "aggregation_key", "source_type_name", "event_type"] {
            _ = check.require(event, key, path, as: String.self)
        }
        _ = check.require(event, "timestamp", path, as: Int.self)
        check.oneOf(event, "priority", path, ["normal", "low"])
        check.oneOf(event, "alert_type", path, Self.alertTypes)
        for tag in check.require(event, "tags", path, as: [String].self) ?? [] where !tag.contains(":") {
            check.problems.append("\(path).tags: \(tag) is not key:value")
        }
        guard let context = check.require(event, "context", path, as: [String: Any].self) else { return }
        let contextPath = "\(path).context"
        _ = check.require(context, "source_identifier", contextPath, as: String.self)
        _ = check.require(context, "source", contextPath, as: String.self)
        _ = check.require(context, "data", contextPath, as: [String: Any].self)
        _ = check.require(context, "source_links", contextPath, as: [Any].self)
        check.oneOf(context, "category", contextPath, Self.categories)
        let elements = check.require(context, "element_identifiers", contextPath, as: [String].self) ?? []
        events.append((context["category"] as? String ?? "", elements, event["msg_title"] as? String ?? ""))
    }
}
