import Foundation

/// A strict stand-in for the StackState receiver's intake (reference/stackstate-receiver.md §2):
/// it checks every field of a payload and keeps the components, relations and deletions of the
/// snapshots it saw, so tests can compare what arrived with what the cluster holds.
public final class StackStateReceiverDouble: @unchecked Sendable {
    private let lock = NSLock()
    private var open: (components: Set<String>, relations: Set<String>)?
    /// Components of the last complete snapshot.
    public private(set) var components: Set<String> = []
    /// Relations of the last complete snapshot.
    public private(set) var relations: Set<String> = []
    /// Every `delete_ids` entry received.
    public private(set) var deleted: [String] = []
    /// Snapshots completed.
    public private(set) var snapshots = 0

    /// An empty receiver.
    public init() {}

    /// Checks one intake body (uncompressed JSON) and records it; returns what is wrong with it,
    /// each problem naming the path of the offending field.
    public func receive(_ body: Data) -> [String] {
        guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return ["body: not a JSON object"]
        }
        var problems: [String] = []
        func require<T>(_ object: [String: Any], _ key: String, _ path: String, as type: T.Type) -> T? {
            guard let value = object[key] else {
                problems.append("\(path).\(key): missing")
                return nil
            }
            guard let typed = value as? T else {
                problems.append("\(path).\(key): wrong type \(Swift.type(of: value))")
                return nil
            }
            return typed
        }
        _ = require(root, "internalHostname", "", as: String.self)
        _ = require(root, "health", "", as: [Any].self)
        _ = require(root, "metrics", "", as: [Any].self)
        lock.lock()
        defer { lock.unlock() }
        for (index, topology) in (require(root, "topologies", "", as: [[String: Any]].self) ?? []).enumerated() {
            let path = "topologies[\(index)]"
            let start = require(topology, "start_snapshot", path, as: Bool.self) ?? false
            let stop = require(topology, "stop_snapshot", path, as: Bool.self) ?? false
            if let instance = require(topology, "instance", path, as: [String: Any].self) {
                if instance["type"] as? String != "kubernetes" {
                    problems.append("\(path).instance.type: not kubernetes")
                }
                if (instance["url"] as? String ?? "").isEmpty { problems.append("\(path).instance.url: empty") }
            }
            _ = require(topology, "delete_ids", path, as: [String].self)
            if start {
                if open != nil { problems.append("\(path): start_snapshot while a snapshot is open") }
                open = ([], [])
            } else if open == nil {
                problems.append("\(path): chunk without a start_snapshot")
                open = ([], [])
            }
            for (componentIndex, component) in (require(topology, "components", path, as: [[String: Any]].self) ?? [])
                .enumerated()
            {
                let componentPath = "\(path).components[\(componentIndex)]"
                guard let id = require(component, "externalId", componentPath, as: String.self) else { continue }
                if (require(component, "type", componentPath, as: [String: Any].self)?["name"] as? String) == nil {
                    problems.append("\(componentPath).type.name: missing")
                }
                if let data = require(component, "data", componentPath, as: [String: Any].self) {
                    if data["tags"] as? [String: String] == nil {
                        problems.append("\(componentPath).data.tags: not an object of strings")
                    }
                    if data["name"] as? String == nil { problems.append("\(componentPath).data.name: missing") }
                }
                if !(component["sourceProperties"] is NSNull) && component["sourceProperties"] != nil
                    && component["sourceProperties"] as? [String: Any] == nil
                {
                    problems.append("\(componentPath).sourceProperties: neither null nor an object")
                }
                if component.keys.contains("sourceProperties") == false {
                    problems.append("\(componentPath).sourceProperties: missing")
                }
                open?.components.insert(id)
            }
            for (relationIndex, relation) in (require(topology, "relations", path, as: [[String: Any]].self) ?? [])
                .enumerated()
            {
                let relationPath = "\(path).relations[\(relationIndex)]"
                guard let id = require(relation, "externalId", relationPath, as: String.self),
                    let source = require(relation, "sourceId", relationPath, as: String.self),
                    let target = require(relation, "targetId", relationPath, as: String.self)
                else { continue }
                if (require(relation, "type", relationPath, as: [String: Any].self)?["name"] as? String) == nil {
                    problems.append("\(relationPath).type.name: missing")
                }
                _ = require(relation, "data", relationPath, as: [String: Any].self)
                for end in [source, target] where open?.components.contains(end) != true {
                    problems.append("\(relationPath): end \(end) was not sent before it")
                }
                open?.relations.insert(id)
            }
            deleted += topology["delete_ids"] as? [String] ?? []
            if stop, let complete = open {
                components = complete.components
                relations = complete.relations
                snapshots += 1
                open = nil
            }
        }
        return problems
    }
}
