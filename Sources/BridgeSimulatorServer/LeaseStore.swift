import Foundation

/// The simulator's `coordination.k8s.io/v1` leases: the one kind it lets clients write, so that
/// leader election runs against it as against an API server — create answers 409 AlreadyExists for
/// an existing name, and replace answers 409 Conflict unless it names the current `resourceVersion`.
struct LeaseStore {
    /// An answer: HTTP status and the JSON body (the lease, or a Status).
    struct Answer {
        var status: Int
        var body: [String: Any]
    }

    private var leases: [String: [String: Any]] = [:]
    private var version = 0

    /// GET of `namespace/name`.
    func get(namespace: String, name: String) -> Answer {
        guard let lease = leases["\(namespace)/\(name)"] else { return Self.notFound(name) }
        return Answer(status: 200, body: lease)
    }

    /// POST of `body` into `namespace`.
    mutating func create(namespace: String, body: Data) -> Answer {
        guard var lease = Self.decode(body), let name = Self.name(of: lease) else {
            return Self.failure(400, "BadRequest", "the body is not a Lease with metadata.name")
        }
        guard leases["\(namespace)/\(name)"] == nil else {
            return Self.failure(409, "AlreadyExists", "leases.coordination.k8s.io \"\(name)\" already exists")
        }
        stamp(&lease, namespace: namespace, name: name)
        return Answer(status: 201, body: lease)
    }

    /// PUT of `body` over `namespace/name`.
    mutating func replace(namespace: String, name: String, body: Data) -> Answer {
        guard var lease = Self.decode(body), Self.name(of: lease) == name else {
            return Self.failure(400, "BadRequest", "the body is not a Lease named \(name)")
        }
        guard let current = leases["\(namespace)/\(name)"] else { return Self.notFound(name) }
        let sent = (lease["metadata"] as? [String: Any])?["resourceVersion"] as? String
        let stored = (current["metadata"] as? [String: Any])?["resourceVersion"] as? String
        guard sent == stored else {
            return Self.failure(
                409, "Conflict",
                "Operation cannot be fulfilled on leases.coordination.k8s.io \"\(name)\": the object has been modified; please apply your changes to the latest version and try again"
            )
        }
        stamp(&lease, namespace: namespace, name: name)
        return Answer(status: 200, body: lease)
    }

    private mutating func stamp(_ lease: inout [String: Any], namespace: String, name: String) {
        version += 1
        var metadata = lease["metadata"] as? [String: Any] ?? [:]
        metadata["namespace"] = namespace
        metadata["resourceVersion"] = String(version)
        lease["metadata"] = metadata
        lease["apiVersion"] = "coordination.k8s.io/v1"
        lease["kind"] = "Lease"
        leases["\(namespace)/\(name)"] = lease
    }

    private static func decode(_ body: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }

    private static func name(of lease: [String: Any]) -> String? {
        (lease["metadata"] as? [String: Any])?["name"] as? String
    }

    private static func notFound(_ name: String) -> Answer {
        failure(404, "NotFound", "leases.coordination.k8s.io \"\(name)\" not found")
    }

    private static func failure(_ code: Int, _ reason: String, _ message: String) -> Answer {
        Answer(
            status: code,
            body: [
                "kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message, "reason": reason,
                "code": code,
            ])
    }
}
