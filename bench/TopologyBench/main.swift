// Initial sync time and resident memory per pod for a cluster of NODES x PODS_PER_NODE pods
// (default 5,000 x 30) served by stackbridge-sim: the bridge's watchers list and watch nodes and
// pods over HTTP into a ClusterStore, then the topology is built. Target (DESIGN.md): under 2 KiB of
// resident memory per pod at 150k pods. Run with `make bench` (release build of both binaries).

import BridgeHTTP
import BridgeKubernetes
import BridgeTestPeers
import BridgeTopology
import Foundation
import Logging

let nodes = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 5000 : 5000
let podsPerNode = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 30 : 30

/// Resident set size in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
    let pages = Int(text.split(separator: " ")[1]) ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

print("starting stackbridge-sim with \(nodes) nodes x \(podsPerNode) pods (not timed)...")
let simulator = try SimulatorProcess(["--nodes", String(nodes), "--pods-per-node", String(podsPerNode)])
defer { simulator.stop() }
let client = HTTPClient(userAgent: "stackbridge-bench")
let expectedPods = simulator.pods
let config = APIServerConfig(server: simulator.url, security: EndpointSecurity(), source: .configuration)
var logger = Logger(label: "bench")
logger.logLevel = .error

let baseline = residentBytes()
let store = ClusterStore(clusterName: "bench")
let start = ContinuousClock.now
var synced = Duration.zero
try await withThrowingTaskGroup(of: Void.self) { group in
    for kind in ResourceKind.all where kind.resource == "pods" || kind.resource == "nodes" {
        let watcher = ResourceWatcher(kind: kind, config: config, client: client, store: store, logger: logger)
        group.addTask { try await watcher.run() }
    }
    while store.snapshot.pods.count < expectedPods || store.snapshot.nodes.count < nodes {
        try await Task.sleep(for: .milliseconds(100))
    }
    synced = ContinuousClock.now - start
    group.cancelAll()
}
let afterSync = residentBytes()
_ = cMallocTrim(0)
// glibc keeps freed heap (the decoded list pages) in its arenas; what trimming returns shows how
// much of the growth is garbage rather than the store.
let afterTrim = residentBytes()
let pods = store.snapshot.pods.count
let buildStart = ContinuousClock.now
let topology = TopologyBuilder.build(store.snapshot)
let built = ContinuousClock.now - buildStart
let perPod = Double(afterSync - baseline) / Double(max(1, pods))
print("\(nodes) nodes x \(podsPerNode) pods: \(pods) pods synced by list and watch over HTTP")
print("initial sync:          \(synced)")
print(
    "state memory:          \(String(format: "%.0f", perPod)) bytes per pod (RSS growth), target 2048: \(perPod < 2048 ? "MET" : "NOT MET")"
)
print(
    "after malloc_trim:     \(String(format: "%.0f", Double(afterTrim - baseline) / Double(max(1, pods)))) bytes per pod"
)
let footprint = store.snapshot.pods.footprint
print(
    "pod records:           \(footprint.recordBytes / max(1, pods)) bytes per pod on average, \(footprint.sharedStrings) shared strings"
)
print(
    "topology build:        \(built) for \(topology.components.count) components, \(topology.relations.count) relations"
)
print(
    "layout:                Pod \(MemoryLayout<Pod>.stride) B, Container \(MemoryLayout<Pod.Container>.stride) B, Volume \(MemoryLayout<Volume>.stride) B, ContainerStatus \(MemoryLayout<Pod.ContainerStatus>.stride) B, ObjectMeta \(MemoryLayout<ObjectMeta>.stride) B"
)
@_silgen_name("malloc_trim") func cMallocTrim(_ pad: Int) -> Int32
