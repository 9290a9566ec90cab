// stackbridge at Kubernetes' ceiling (docs/install.md, "Large clusters"), on release builds of the
// bridge and of stackbridge-sim, both on this machine:
//   stackbridge-scale-bench NODES PODS_PER_NODE AGENTS CHURN
// (`make bench-scale`: 5000 30 20 5; CI: 500 30 20 5).
// 1. Node agents: AGENTS `mode: node` bridges on distinct nodes, first against a cluster a tenth
//    of the size, then against the full one: each one's Kubernetes API requests and peak RSS,
//    which must not grow with the cluster (each lists and watches its own node's pods).
// 2. The topology leader (`mode: cluster`, no kube-state-metrics: the node agents and the shard
//    sidecars read it) against the full cluster with CHURN pod replacements a second: time to its
//    first complete topology and to the first complete snapshot at the receiver, the POSTs and the
//    most elements in one, peak RSS and RSS a pod, CPU to the snapshot, then over 30 s of churn the
//    watch events a second, the CPU the leader spends meanwhile, and whether its pods still equal
//    the cluster's; then 60 s of churn at 250 steps a second (about 1,000 watch events a second):
//    the rate reached, the CPU, and how soon the leader's pods are the cluster's again.
// 3. kube-state-metrics' auto-sharded StatefulSet with a `mode: shard` sidecar per shard,
//    remote-writing to the simulator's ledger, scaled 2 → 3 → 2, one sidecar killed and
//    restarted, one rolled (ShardLedger.swift): owners, gaps, duplicates and staleness markers.
// Exits non-zero when an agent's requests or memory grow with the cluster, a snapshot is not
// complete or is abandoned, a post carries more than 10,000 elements, or a shard series goes
// without an owner for more than two intervals, has two for more than one, or is marked stale.

import BridgeTestPeers
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Prints a line and flushes it: a run at the ceiling takes many minutes, and its log is read as
/// it goes.
func report(_ line: String) {
    print(line)
    fflush(nil)
}

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let nodes = arguments.count > 0 ? arguments[0] : 5000
let podsPerNode = arguments.count > 1 ? arguments[1] : 30
let agentCount = arguments.count > 2 ? arguments[2] : 20
let churn = arguments.count > 3 ? arguments[3] : 5
let apiKey = "scale-bench-key"
var failures: [String] = []

func json(_ url: String) async throws -> [String: Any] {
    let body = try await PeerProcess.fetch(url, accept: "application/json", timeout: .seconds(120)).0
    return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
}

/// A POST without a body to one of the simulator's control routes.
func post(_ url: String) async throws {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = "POST"
    _ = try await URLSession.shared.data(for: request)
}

/// The simulated API server's resource version: one more for every change, so its rise is the
/// watch events a second a client watching everything receives.
func resourceVersion(_ simulator: SimulatorProcess) async throws -> Int {
    let list = try await json(simulator.url + "/api/v1/namespaces/default/pods?limit=1")
    return Int((list["metadata"] as? [String: Any])?["resourceVersion"] as? String ?? "") ?? 0
}

/// The pods the bridge at `url` holds, from its telemetry.
func podsHeld(_ url: String) async throws -> Int {
    let telemetry = String(
        decoding: try await PeerProcess.fetch(url + "/telemetry", accept: "text/plain").0, as: UTF8.self)
    return telemetry.split(separator: "\n").first { $0.hasPrefix(#"stackbridge_k8s_objects{resource="pods"}"#) }
        .flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? -1
}

/// Kubernetes API requests the simulator answered so far, all kinds together.
func apiRequests(_ simulator: SimulatorProcess) async throws -> Int {
    let rows = try await json(simulator.url + "/sim/requests")["requests"] as? [[String: Any]] ?? []
    return rows.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
}

/// Lists of pods the simulator answered without a field selector or from etcd: what would make the
/// API server read every pod.
func unselectedPodLists(_ simulator: SimulatorProcess) async throws -> Int {
    let rows = try await json(simulator.url + "/sim/requests")["requests"] as? [[String: Any]] ?? []
    return rows.filter {
        $0["resource"] as? String == "pods" && ($0["list"] as? String == "consistent")
    }.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
}

/// A `stackbridge run` with `yaml` and `environment`, ready; its URL.
func bridge(_ yaml: String, environment: [String: String] = [:]) async throws -> (PeerProcess, String) {
    let port = try PeerProcess.freePort()
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-scale-\(port).yaml")
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    var merged = ProcessInfo.processInfo.environment
    merged.merge(environment) { $1 }
    let process = try PeerProcess(
        PeerProcess.builtProduct("stackbridge"),
        ["run", "--config", file.path, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"],
        environment: merged)
    return (process, "http://127.0.0.1:\(port)")
}

/// Starts the agents on nodes spread over the cluster, waits until each is ready and 10 s more;
/// returns each one's requests and peak RSS.
func nodeAgents(_ simulator: SimulatorProcess, clusterNodes: Int) async throws -> [(requests: Int, rss: Int)] {
    let before = try await apiRequests(simulator)
    var agents: [(PeerProcess, String)] = []
    defer { for (agent, _) in agents { agent.stop() } }
    for index in 0..<agentCount {
        let node = "node-\(index * max(1, clusterNodes / agentCount))"
        agents.append(
            try await bridge(
                """
                cluster_name: scale
                mode: node
                kubernetes: {api_server: \(simulator.url)}
                scrape: {interval: 30s}
                """, environment: ["NODE_NAME": node]))
    }
    for (_, url) in agents { _ = try await PeerProcess.fetch(url + "/readyz", accept: "*/*", timeout: .seconds(300)) }
    try await Task.sleep(for: .seconds(10))
    let requests = try await apiRequests(simulator) - before
    // The simulator's requests are not told apart by client: the agents' share, evenly.
    return agents.map { (requests / agentCount, ProcessStats.peakRSSBytes($0.0.process.processIdentifier)) }
}

func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

report("stackbridge-scale-bench: \(nodes) nodes x \(podsPerNode) pods, \(agentCount) node agents, churn \(churn)/s")
report("settings: scrape interval 30s; leader: mode cluster, leader election off, no kube-state-metrics,")
report(
    "          stackstate topology_interval 10s to the simulator's receiver double; agents: mode node, NODE_NAME set")

// 1. Node agents at a tenth of the size, then at full size.
var perAgent: [Int: (requests: Int, rss: Int)] = [:]
for size in [max(agentCount, nodes / 10), nodes] {
    let simulator = try SimulatorProcess(["--nodes", String(size), "--pods-per-node", String(podsPerNode)])
    let results = try await nodeAgents(simulator, clusterNodes: size)
    let unselected = try await unselectedPodLists(simulator)
    simulator.stop()
    let rss = results.map(\.rss).max() ?? 0
    perAgent[size] = (results.first?.requests ?? 0, rss)
    report(
        "node agents, \(size * podsPerNode) pods: \(results.first?.requests ?? 0) API requests each, peak RSS at most \(mib(rss)); consistent pod lists: \(unselected)"
    )
    if unselected > 0 { failures.append("\(unselected) consistent pod lists at \(size) nodes") }
}
if let small = perAgent[max(agentCount, nodes / 10)], let large = perAgent[nodes], nodes > agentCount {
    report(
        String(
            format: "node agents: requests x%.2f and peak RSS x%.2f from a tenth of the cluster to all of it",
            Double(large.requests) / Double(max(1, small.requests)), Double(large.rss) / Double(max(1, small.rss))))
    if large.requests > small.requests + 2 { failures.append("an agent's requests grew with the cluster") }
    if Double(large.rss) > Double(small.rss) * 1.25 { failures.append("an agent's memory grew with the cluster") }
}

// 2. The leader against the full cluster, churning.
let simulator = try SimulatorProcess(
    [
        "--nodes", String(nodes), "--pods-per-node", String(podsPerNode), "--churn", String(churn),
        "--receiver-api-key", apiKey,
    ])
defer { simulator.stop() }
let pods = simulator.pods
let start = Date()
let (leader, url) = try await bridge(
    """
    cluster_name: scale
    mode: cluster
    kubernetes: {api_server: \(simulator.url), leader_election: {enabled: false}}
    scrape: {interval: 30s}
    stackstate:
      url: \(simulator.url)/receiver/stsAgent
      topology_interval: 10s
      metrics_interval: 30s
    """, environment: ["STS_API_KEY": apiKey])
defer { leader.stop() }
_ = try await PeerProcess.fetch(url + "/readyz", accept: "*/*", timeout: .seconds(600))
let synced = Date().timeIntervalSince(start)
report(
    String(
        format: "leader: first complete topology after %.1f s, peak RSS %@ by then", synced,
        mib(ProcessStats.peakRSSBytes(leader.process.processIdentifier))))
var received: [String: Any] = [:]
while Date().timeIntervalSince(start) < 900 {
    received = try await json(simulator.url + "/receiver/stsAgent/received?brief=1")
    // A snapshot the receiver found broken will not complete: stop waiting.
    if received["snapshots"] as? Int ?? 0 >= 1 || received["problems"] as? Int ?? 0 > 0 { break }
    try await Task.sleep(for: .seconds(1))
}
let snapshotted = Date().timeIntervalSince(start)
let pid = leader.process.processIdentifier
let cpuToSnapshot = ProcessStats.cpuSeconds(pid)
let rssToSnapshot = ProcessStats.peakRSSBytes(pid)
let chunks = received["topology_chunks"] as? Int ?? 0
let largest = received["largest_chunk"] as? Int ?? 0
let elements = (received["components"] as? Int ?? 0) + (received["relations"] as? Int ?? 0)
report(String(format: "leader: first complete snapshot at the receiver after %.1f s", snapshotted))
report(
    "leader: snapshot of \(elements) elements in \(chunks) posts, at most \(largest) in one; receiver problems: \(received["problems"] ?? "?"), snapshots abandoned: \(received["abandoned_snapshots"] ?? "?")"
)
report(
    String(
        format: "leader: peak RSS %@ (%.0f bytes a pod), %.1f CPU s to the snapshot", mib(rssToSnapshot),
        Double(rssToSnapshot) / Double(max(1, pods)), cpuToSnapshot))
if received["snapshots"] as? Int ?? 0 < 1 { failures.append("no complete snapshot within 15 minutes") }
if largest > 10_000 { failures.append("a post of \(largest) elements") }
if received["problems"] as? Int ?? 0 > 0 { failures.append("the receiver double found problems") }
if received["abandoned_snapshots"] as? Int ?? 0 > 0 { failures.append("snapshots were abandoned") }

// Churn: each replacement is a pod deleted and one added, with an event for each.
let cpuBefore = ProcessStats.cpuSeconds(pid)
try await Task.sleep(for: .seconds(30))
let cpuChurn = ProcessStats.cpuSeconds(pid) - cpuBefore
let held = try await podsHeld(url)
// The CPU includes the topology rebuilds for /metrics and the snapshots every 10 s, which the
// events make necessary: it is what the leader costs on a churning cluster, not a cost an event.
report(
    String(
        format:
            "leader under churn: %d watch events/s (pods and their events), %.3f CPU s a second with its rebuilds and snapshots; pods held %d of %d",
        churn * 4, cpuChurn / 30, held, pods))
report("leader: peak RSS after churn \(mib(ProcessStats.peakRSSBytes(pid)))")
if held != pods { failures.append("the leader holds \(held) pods of \(pods)") }

// The churn raised to 250 steps a second (about 1,000 watch events: each step deletes a pod, adds
// one and records an event for each) for 60 s, then stopped: the CPU the leader spends keeping up,
// and how soon after the burst its pods are the cluster's again.
try await post(simulator.url + "/sim/churn?rate=250")
let burstStart = (Date(), try await resourceVersion(simulator), ProcessStats.cpuSeconds(pid))
try await Task.sleep(for: .seconds(60))
let burstSeconds = Date().timeIntervalSince(burstStart.0)
let burstEvents = Double(try await resourceVersion(simulator) - burstStart.1) / burstSeconds
let burstCPU = (ProcessStats.cpuSeconds(pid) - burstStart.2) / burstSeconds
try await post(simulator.url + "/sim/churn?rate=0")
let stopped = Date()
var heldAfterBurst = try await podsHeld(url)
while heldAfterBurst != pods && Date().timeIntervalSince(stopped) < 120 {
    try await Task.sleep(for: .milliseconds(500))
    heldAfterBurst = try await podsHeld(url)
}
report(
    String(
        format:
            "leader under a burst: %.0f watch events/s for 60 s, %.3f CPU s a second; pods held %d of %d %.1f s after it stopped",
        burstEvents, burstCPU, heldAfterBurst, pods, Date().timeIntervalSince(stopped)))
if heldAfterBurst != pods {
    failures.append("the leader holds \(heldAfterBurst) pods of \(pods) 2 minutes after the burst")
}

leader.stop()
simulator.stop()

// 3. kube-state-metrics shards through scaling, a kill and a roll, against the ledger: a
// fiftieth of the cluster's nodes (a cluster's series on one machine, shards and all), a 2 s
// scrape interval.
failures += try await shardLedger(nodes: max(10, nodes / 50), podsPerNode: podsPerNode, interval: 2)

if failures.isEmpty {
    report("scale bench: every check held")
} else {
    report("scale bench FAILED: " + failures.joined(separator: "; "))
    // exit() runs no defer: stop the peers first, or they outlive the bench.
    leader.stop()
    simulator.stop()
    exit(1)
}
