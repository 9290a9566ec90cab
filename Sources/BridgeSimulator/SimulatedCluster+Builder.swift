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
