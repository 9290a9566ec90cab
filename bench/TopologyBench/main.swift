// Memory per pod of the cluster state and the time to build its topology, for a cluster of
// NODES x PODS_PER_NODE pods (default 5,000 x 30) decoded from Kubernetes JSON as the watcher
// receives it. Target (DESIGN.md): under 2 KiB of resident memory per pod at 150k pods.
// Until the simulator lands, the objects are generated here; run with `make bench`.

import BridgeKubernetes
import BridgeTopology
import Foundation

let nodes = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 5000 : 5000
let podsPerNode = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 30 : 30

/// Resident set size in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
    let pages = Int(text.split(separator: " ")[1]) ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func podJSON(_ index: Int, node: Int) -> String {
    let app = "app-\(index % 997)"
    let hash = String(index % 65_536, radix: 16)
    return """
        {"kind":"Pod","apiVersion":"v1","metadata":{"name":"\(app)-\(hash)-\(index)","namespace":"ns-\(index % 50)",\
        "uid":"0b6c\(index)-aaaa-bbbb-cccc-dddddddddddd","resourceVersion":"\(index)",\
        "labels":{"app.kubernetes.io/name":"\(app)","pod-template-hash":"\(hash)"},\
        "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"\(app)-\(hash)","uid":"rs-\(index % 997)","controller":true}]},\
        "spec":{"nodeName":"node-\(node)","serviceAccountName":"default","containers":[{"name":"main","image":"registry.example.com/\(app):1.\(index % 7)",\
        "volumeMounts":[{"name":"kube-api-access","mountPath":"/var/run/secrets/kubernetes.io/serviceaccount","readOnly":true}]}],\
        "volumes":[{"name":"kube-api-access","projected":{"sources":[{"configMap":{"name":"kube-root-ca.crt"}}]}}]},\
        "status":{"phase":"Running","podIP":"10.\(index / 65_536 % 256).\(index / 256 % 256).\(index % 256)",\
        "startTime":"2026-11-01T00:00:00Z","containerStatuses":[{"name":"main","ready":true,"restartCount":0,\
        "containerID":"containerd://\(String(repeating: "ab", count: 32))","image":"registry.example.com/\(app):1.\(index % 7)",\
        "imageID":"registry.example.com/\(app)@sha256:\(String(repeating: "cd", count: 32))"}]}}
        """
}

let baseline = residentBytes()
let store = ClusterStore(clusterName: "bench")
let decoder = JSONDecoder()
let start = ContinuousClock.now
var batch: [KubernetesObject] = []
var page: [KubernetesObject] = []
var index = 0
for node in 0..<nodes {
    let nodeJSON =
        #"{"kind":"Node","metadata":{"name":"node-\#(node)","labels":{"topology.kubernetes.io/zone":"zone-\#(node % 3)"}},"status":{"addresses":[{"type":"InternalIP","address":"10.0.\#(node / 256).\#(node % 256)"}],"conditions":[{"type":"Ready","status":"True"}]}}"#
    store.apply("ADDED", try decoder.decode(KubernetesObject.self, from: Data(nodeJSON.utf8)))
    for _ in 0..<podsPerNode {
        page.append(try decoder.decode(KubernetesObject.self, from: Data(podJSON(index, node: node).utf8)))
        index += 1
        // Pages of 500, shared as they arrive, as the watcher does with a paginated list.
        if page.count == 500 {
            batch += store.share(page)
            page.removeAll(keepingCapacity: true)
        }
    }
}
batch += store.share(page)
store.replaceAll("pods", with: batch)
batch = []
let synced = ContinuousClock.now - start
let afterSync = residentBytes()
let buildStart = ContinuousClock.now
let topology = TopologyBuilder.build(store.snapshot)
let built = ContinuousClock.now - buildStart
let pods = nodes * podsPerNode
let perPod = Double(afterSync - baseline) / Double(pods)
print("\(nodes) nodes x \(podsPerNode) pods = \(pods) pods")
print("decode + store:        \(synced)")
print(
    "state memory:          \(String(format: "%.0f", perPod)) bytes per pod (RSS growth), target 2048: \(perPod < 2048 ? "MET" : "NOT MET")"
)
print(
    "topology build:        \(built) for \(topology.components.count) components, \(topology.relations.count) relations"
)
print(
    "layout:                Pod \(MemoryLayout<Pod>.stride) B, Container \(MemoryLayout<Pod.Container>.stride) B, Volume \(MemoryLayout<Volume>.stride) B, ContainerStatus \(MemoryLayout<Pod.ContainerStatus>.stride) B, ObjectMeta \(MemoryLayout<ObjectMeta>.stride) B"
)
