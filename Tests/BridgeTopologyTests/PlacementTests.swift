import BridgeTopology
import Foundation
import Testing

/// A pod's workload without its ReplicaSet in the state, as a node agent sees it: the Deployment
/// from the ReplicaSet's name and the pod's `pod-template-hash`, and only then.
@Suite struct PlacementTests {
    func workload(owner: String, labels: [String: String]?, replicaSets: [String: String?] = [:]) throws -> String {
        var objects: [[String: Any]] = replicaSets.map { name, deployment in
            var metadata: [String: Any] = ["name": name, "namespace": "shop"]
            if let deployment {
                metadata["ownerReferences"] = [["kind": "Deployment", "name": deployment, "controller": true]]
            }
            return ["kind": "ReplicaSet", "metadata": metadata]
        }
        var podMetadata: [String: Any] = [
            "name": owner + "-x1", "namespace": "shop",
            "ownerReferences": [["kind": "ReplicaSet", "name": owner, "controller": true]],
        ]
        if let labels { podMetadata["labels"] = labels }
        objects.append(["kind": "Pod", "metadata": podMetadata])
        var state = ClusterState(clusterName: "c")
        let data = try JSONSerialization.data(withJSONObject: objects)
        for object in try JSONDecoder().decode([KubernetesObject].self, from: data) { state.upsert(object) }
        let pod = try #require(state.pods[ObjectKey("shop", owner + "-x1")])
        let placement = state.placement(of: pod)
        return "\(placement.workloadKind)/\(placement.workloadName)"
    }

    @Test func theDeploymentIsInTheReplicaSetsNameAndTheTemplateHash() throws {
        #expect(try workload(owner: "web-7d9f8c6b5", labels: ["pod-template-hash": "7d9f8c6b5"]) == "Deployment/web")
        #expect(
            try workload(owner: "api-v2-5c4b9", labels: ["pod-template-hash": "5c4b9", "app": "api"])
                == "Deployment/api-v2")
    }

    @Test(arguments: [
        ["app": "web"],  // a ReplicaSet made by hand: no hash label
        ["pod-template-hash": "other"],  // a hash the name does not end in
        ["pod-template-hash": ""],
    ])
    func withoutAMatchingHashTheReplicaSetIsTheWorkload(_ labels: [String: String]) throws {
        #expect(try workload(owner: "web-7d9f8c6b5", labels: labels) == "ReplicaSet/web-7d9f8c6b5")
    }

    /// A ReplicaSet the state holds says what it says, even when the names would say otherwise.
    @Test func aKnownReplicaSetDecides() throws {
        let labels = ["pod-template-hash": "7d9f8c6b5"]
        #expect(
            try workload(owner: "web-7d9f8c6b5", labels: labels, replicaSets: ["web-7d9f8c6b5": "storefront"])
                == "Deployment/storefront")
        #expect(
            try workload(owner: "web-7d9f8c6b5", labels: labels, replicaSets: ["web-7d9f8c6b5": nil])
                == "ReplicaSet/web-7d9f8c6b5")
    }
}
