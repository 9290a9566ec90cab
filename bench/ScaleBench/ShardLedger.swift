import BridgeTestPeers
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Part 3: kube-state-metrics shards, each with its `mode: shard` sidecar remote-writing to the
/// simulator's ledger under its own sender name, through what Kubernetes does to them: the
/// StatefulSet scaled 2 → 3 → 2 (the third sidecar starting after the scale-up and stopped with
/// SIGTERM by the scale-down), a sidecar killed with SIGKILL and restarted, and one rolled. The
/// ledger (``RemoteWriteLedger`` in stackbridge-sim) buckets the samples by the scrape interval
/// and counts the series without an owner for more than two intervals, those with two owners for
/// more than one, and staleness markers. Returns the failures.
func shardLedger(nodes: Int, podsPerNode: Int, interval: Int) async throws -> [String] {
    let simulator = try SimulatorProcess([
        "--nodes", String(nodes), "--pods-per-node", String(podsPerNode), "--ledger-interval", String(interval * 1000),
    ])
    defer { simulator.stop() }
    var running: [String: PeerProcess] = [:]
    defer { for process in running.values { process.stop() } }
    func start(_ ordinal: Int, as sender: String) async throws {
        let (process, url) = try await bridge(
            """
            cluster_name: scale
            mode: shard
            kubernetes: {api_server: \(simulator.url)}
            scrape:
              interval: \(interval)s
              kube_state_metrics:
                urls: [\(simulator.url)/ksm/statefulset/\(ordinal)/metrics]
                telemetry_url: \(simulator.url)/ksm/statefulset/\(ordinal)/telemetry
            remote_write:
              - url: \(simulator.url)/ledger/\(sender)/api/v1/write
                queue_config: {batch_send_deadline: 200ms}
            """, environment: ["POD_NAME": "kube-state-metrics-\(ordinal)"])
        _ = try await PeerProcess.fetch(url + "/readyz", accept: "*/*", timeout: .seconds(120))
        running[sender] = process
    }
    /// A pod deleted: SIGTERM, as the kubelet sends it, and a wait for the exit.
    func terminate(_ sender: String) async throws {
        guard let process = running.removeValue(forKey: sender) else { return }
        kill(process.process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        process.stop()
    }
    func scale(_ replicas: Int) async throws { try await post(simulator.url + "/sim/ksm/replicas?count=\(replicas)") }
    func intervals(_ count: Int) async throws { try await Task.sleep(for: .seconds(count * interval)) }

    try await start(0, as: "shard-0")
    try await start(1, as: "shard-1")
    try await intervals(3)
    try await scale(3)
    try await start(2, as: "shard-2")
    try await intervals(4)
    try await scale(2)
    try await terminate("shard-2")
    try await intervals(4)
    if let killed = running.removeValue(forKey: "shard-1") {
        kill(killed.process.processIdentifier, SIGKILL)
        killed.stop()
    }
    try await start(1, as: "shard-1-restarted")
    try await intervals(3)
    try await terminate("shard-1-restarted")
    try await start(1, as: "shard-1-rolled")
    try await intervals(3)
    // The series the two shards serve now: every object's, once.
    var expected = 0
    for ordinal in 0..<2 {
        let body = try await PeerProcess.fetch(
            simulator.url + "/ksm/statefulset/\(ordinal)/metrics", accept: "text/plain"
        ).0
        expected += String(decoding: body, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }.count
    }
    let ledger = try await json(simulator.url + "/ledger/report")
    let series = ledger["series"] as? Int ?? 0
    let gaps = ledger["seriesWithGaps"] as? Int ?? -1
    let duplicates = ledger["seriesWithDuplicates"] as? Int ?? -1
    let deletes = ledger["deletes"] as? Int ?? -1
    let senders = (ledger["senders"] as? [String] ?? []).joined(separator: " ")
    report(
        "kube-state-metrics shards (\(nodes * podsPerNode) pods, \(interval) s interval) scaled 2→3→2, killed, rolled: "
            + "\(series) series of \(expected), \(ledger["samples"] ?? "?") samples from \(senders)")
    report(
        "ledger: series without an owner for more than two intervals \(gaps) (longest gap \(ledger["longestGap"] ?? "?")), "
            + "with two owners for more than one \(duplicates) (longest \(ledger["longestDuplicate"] ?? "?")), "
            + "staleness markers \(deletes)")
    var failures: [String] = []
    if series != expected { failures.append("the ledger holds \(series) series of \(expected)") }
    if gaps != 0 { failures.append("\(gaps) series without an owner for more than two intervals") }
    if duplicates != 0 { failures.append("\(duplicates) series with two owners for more than one interval") }
    if deletes != 0 { failures.append("\(deletes) staleness markers for series that moved between shards") }
    return failures
}
