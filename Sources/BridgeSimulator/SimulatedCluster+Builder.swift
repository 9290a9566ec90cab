import BridgeTopology

extension SimulatedCluster {
    /// Generates the objects; one method per kind of thing, all drawing from one seeded generator.
    struct Builder {
        var random: SimRandom
        let nodeCount: Int
        var objects: [SimulatedObject] = []
        var nodeCursor = 0
        var podCount = 0
        /// One digest per image, as a registry gives: pods running the same image share it.
        var digests: [String: String] = [:]

        init(seed: UInt64, nodeCount: Int) {
            random = SimRandom(seed: seed)
            self.nodeCount = nodeCount
        }

        mutating func build(podsPerNode: Int) {
            addNodesAndNamespaces()
            let target = nodeCount * podsPerNode
            addDaemonSet()
            var index = 0
            for namespace in SimulatedCluster.applicationNamespaces {
                addStatefulSet(namespace: namespace)
                addCronJob(namespace: namespace)
            }
            addBarePod(namespace: "default", name: "debug-shell")
            addExternalService(namespace: "payments", name: "card-processor", target: "api.cards.example.com")
            while podCount < target {
                let namespace = SimulatedCluster.applicationNamespaces[
                    index % SimulatedCluster.applicationNamespaces.count]
                let app = SimulatedCluster.applications[index % SimulatedCluster.applications.count]
                let name =
                    index < SimulatedCluster.applications.count * SimulatedCluster.applicationNamespaces.count
                    ? app : "\(app)-\(index)"
                addDeployment(namespace: namespace, name: name, replicas: min(3, max(1, target - podCount)))
                index += 1
            }
            addEndpointSlicesAndComponentStatuses()
        }

        mutating func nextNode() -> String {
            defer { nodeCursor = (nodeCursor + 1) % nodeCount }
            return "node-\(nodeCursor)"
        }

        mutating func hex(_ count: Int) -> String {
            let digits = Array("0123456789abcdef")
            return String((0..<count).map { _ in digits[Int(random.next() % 16)] })
        }

        mutating func digest(of image: String) -> String {
            if let known = digests[image] { return known }
            let digest = "sha256:\(hex(64))"
            digests[image] = digest
            return digest
        }

        mutating func uid() -> String {
            "\(hex(8))-\(hex(4))-\(hex(4))-\(hex(4))-\(hex(12))"
        }

        /// `metadata` with a fresh UID; `owner` is (kind, name, uid) of the controller.
        mutating func meta(
            _ name: String,
            namespace: String?,
            labels: [(String, String)] = [],
            owner: (kind: String, name: String, uid: String, apiVersion: String)? = nil
        ) -> (json: JSONValue, uid: String) {
            let id = uid()
            var pairs: [(String, JSONValue)] = [("name", .string(name))]
            if let namespace { pairs.append(("namespace", .string(namespace))) }
            pairs += [("uid", .string(id)), ("resourceVersion", "1"), ("creationTimestamp", "2026-11-01T00:00:00Z")]
            if !labels.isEmpty { pairs.append(("labels", .object(labels.map { ($0.0, .string($0.1)) }))) }
            // What every object of a real cluster carries and the topology does not use: an
            // annotation and server-side apply's managedFields (2–4 KB a pod in measured clusters,
            // reference/large-clusters.md §3.1), so lists have a real cluster's weight and the
            // bridge's trimming of them is exercised.
            pairs.append(
                ("annotations", .object([("stackbridge.example/applied-by", .string("simulator, \(name)"))])))
            pairs.append(("managedFields", Self.managedFields(labels: labels.map(\.0), owned: owner != nil)))
            if let owner {
                pairs.append(
                    (
                        "ownerReferences",
                        .array([
                            .object([
                                ("apiVersion", .string(owner.apiVersion)), ("kind", .string(owner.kind)),
                                ("name", .string(owner.name)), ("uid", .string(owner.uid)), ("controller", true),
                                ("blockOwnerDeletion", true),
                            ])
                        ])
                    )
                )
            }
            return (.object(pairs), id)
        }

        /// The `managedFields` of an object applied by a controller and updated by another: the
        /// fields each manages, in the `FieldsV1` form the API server writes.
        static func managedFields(labels: [String], owned: Bool) -> JSONValue {
            var metadata: [(String, JSONValue)] = [
                ("f:annotations", .object([(".", .object([])), ("f:stackbridge.example/applied-by", .object([]))]))
            ]
            if !labels.isEmpty {
                metadata.append(("f:labels", .object([(".", .object([]))] + labels.map { ("f:\($0)", .object([])) })))
            }
            if owned { metadata.append(("f:ownerReferences", .object([(".", .object([]))]))) }
            func entry(_ manager: String, _ operation: String, _ fields: [(String, JSONValue)]) -> JSONValue {
                .object([
                    ("manager", .string(manager)), ("operation", .string(operation)), ("apiVersion", "v1"),
                    ("time", "2026-11-01T00:00:00Z"), ("fieldsType", "FieldsV1"), ("fieldsV1", .object(fields)),
                ])
            }
            return .array([
                entry(
                    "kube-controller-manager", "Update", [("f:metadata", .object(metadata)), ("f:spec", .object([]))]),
                entry(
                    "kubelet", "Update",
                    [
                        (
                            "f:status",
                            .object([
                                ("f:conditions", .object([(".", .object([]))])), ("f:phase", .object([])),
                                ("f:startTime", .object([])),
                            ])
                        )
                    ]),
            ])
        }

        /// Adds an object.
        mutating func add(
            _ resource: String,
            _ apiVersion: String,
            _ kind: String,
            namespace: String?,
            name: String,
            metadata: JSONValue,
            _ fields: [(String, JSONValue)] = []
        ) {
            let json = JSONValue.object(
                [("apiVersion", .string(apiVersion)), ("kind", .string(kind)), ("metadata", metadata)] + fields)
            objects.append(
                SimulatedObject(
                    resource: resource, apiVersion: apiVersion, kind: kind, namespace: namespace, name: name, json: json
                )
            )
        }
    }
}

/// SplitMix64, the simulator's seeded source of names and ids.
struct SimRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
