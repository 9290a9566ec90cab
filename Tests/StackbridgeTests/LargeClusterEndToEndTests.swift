import BridgeSimulator
import BridgeTestPeers
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The deployment shape of large clusters (docs/install.md): node agents scrape the per-node
/// kube-state-metrics of their own node, and the Lease leader, with no kube-state-metrics of its
/// own to read, builds the topology and is ready without a scrape target.
@Suite(.serialized) struct LargeClusterEndToEndTests {
    /// Runs `stackbridge run` with `yaml` (the simulator's URL substituted for `SIM`) and
    /// `environment`, until it is ready; returns it with its URL.
    static func bridge(_ yaml: String, simulator: SimulatorProcess, environment: [String: String] = [:]) async throws
        -> (PeerProcess, String)
    {
        let port = try PeerProcess.freePort()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-large-\(port).yaml")
        try yaml.replacingOccurrences(of: "SIM", with: simulator.url).write(to: file, atomically: true, encoding: .utf8)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let bridge = try PeerProcess(
            PeerProcess.builtProduct("stackbridge"),
            ["run", "--config", file.path, "--listen", "127.0.0.1:\(port)", "--log-level", "error"], environment: merged
        )
        let url = "http://127.0.0.1:\(port)"
        do {
            _ = try await PeerProcess.fetch(url + "/readyz", accept: "*/*", timeout: .seconds(60))
        } catch {
            bridge.stop()
            throw error
        }
        return (bridge, url)
    }

    /// A node agent with `node_local_url` scrapes its node's kube-state-metrics: every pod series of
    /// that node, each joined to its workload, and none of another node.
    @Test func aNodeAgentScrapesItsNodesKubeStateMetricsAndJoinsItsPods() async throws {
        let simulator = try SimulatorProcess(["--nodes", "3", "--pods-per-node", "8"])
        defer { simulator.stop() }
        let (bridge, url) = try await Self.bridge(
            """
            cluster_name: large
            mode: node
            kubernetes: {api_server: SIM}
            scrape:
              interval: 1s
              kube_state_metrics: {node_local_url: SIM/ksm/node/node-1/metrics}
            """, simulator: simulator, environment: ["NODE_NAME": "node-1"])
        defer { bridge.stop() }
        let cluster = SimulatedCluster(name: "sim", nodes: 3, podsPerNode: 8)
        let onNode = cluster.state.pods.values.filter { $0.spec?.nodeName == "node-1" }.count
        var infos: [Substring] = []
        for _ in 0..<40 {
            let metrics = String(
                decoding: try await PeerProcess.fetch(url + "/metrics", accept: "text/plain").0, as: UTF8.self)
            infos = metrics.split(separator: "\n").filter { $0.hasPrefix("kube_pod_info{") }
            if infos.count == onNode { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(infos.count == onNode && onNode > 0, "\(infos.count) of \(onNode)")
        #expect(infos.allSatisfy { $0.contains(#"node="node-1""#) && $0.contains("workload_kind=") }, "\(infos)")
    }

    /// A topology-only leader (kube-state-metrics read by the node agents and shard forwarders)
    /// has no target, and is ready once the topology is.
    @Test func aLeaderWithoutTargetsIsReadyOnceTheTopologyIs() async throws {
        let simulator = try SimulatorProcess(["--nodes", "2", "--pods-per-node", "4"])
        defer { simulator.stop() }
        let (bridge, url) = try await Self.bridge(
            """
            cluster_name: large
            mode: cluster
            kubernetes: {api_server: SIM, leader_election: {enabled: false}}
            """, simulator: simulator)
        defer { bridge.stop() }
        let topology = try await PeerProcess.fetch(url + "/api/v1/topology", accept: "*/*").0
        let components = (try JSONSerialization.jsonObject(with: topology) as? [String: Any])?["components"] as? [Any]
        #expect((components?.count ?? 0) > 8)
    }

    /// The kube-state-metrics StatefulSet scaled 2 → 3 → 2 with a `shard`-mode sidecar per replica,
    /// as Kubernetes would run them (the third pod, sidecar included, starts after the scale-up and
    /// is stopped by the scale-down), then a sidecar killed and restarted, and rolled. The objects' series move between shards without a label that
    /// names the shard, so in the receiving Prometheus every one of them is present at every
    /// instant of the whole run: the shards that lose series to the new one mark none stale.
    @Test func aShardedKubeStateMetricsScaledKilledAndRolledKeepsEverySeriesPresent() async throws {
        let simulator = try SimulatorProcess(["--nodes", "3", "--pods-per-node", "8"])
        defer { simulator.stop() }
        let prometheus = try await PrometheusReceiver()
        defer { prometheus.stop() }
        func shard(_ ordinal: Int) async throws -> (PeerProcess, String) {
            try await Self.bridge(
                """
                cluster_name: large
                mode: shard
                kubernetes: {api_server: SIM}
                scrape:
                  interval: 1s
                  kube_state_metrics:
                    urls: [SIM/ksm/statefulset/\(ordinal)/metrics]
                    telemetry_url: SIM/ksm/statefulset/\(ordinal)/telemetry
                remote_write:
                  - url: \(prometheus.writeURL)
                    queue_config: {batch_send_deadline: 200ms}
                """, simulator: simulator, environment: ["POD_NAME": "kube-state-metrics-\(ordinal)"])
        }
        func scale(_ replicas: Int) async throws {
            var request = URLRequest(url: URL(string: simulator.url + "/sim/ksm/replicas?count=\(replicas)")!)
            request.httpMethod = "POST"
            _ = try await URLSession.shared.data(for: request)
        }
        // The series of every object, wherever it lives.
        let objects = "kube_.+"
        let total = SimulatedCluster(name: "sim", nodes: 3, podsPerNode: 8).kubeStateMetrics()
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        let (first, url) = try await shard(0)
        defer { first.stop() }
        let (second, _) = try await shard(1)
        defer { second.stop() }
        try await Task.sleep(for: .seconds(3))
        let start = Date().timeIntervalSince1970
        try await scale(3)
        let (third, _) = try await shard(2)
        try await Task.sleep(for: .seconds(4))
        try await scale(2)
        third.stop()
        try await Task.sleep(for: .seconds(4))
        // A sidecar killed (its pod restarted), then rolled (stopped, and a new one started).
        kill(second.process.processIdentifier, SIGKILL)
        let (restarted, _) = try await shard(1)
        try await Task.sleep(for: .seconds(3))
        restarted.stop()
        let (rolled, _) = try await shard(1)
        defer { rolled.stop() }
        try await Task.sleep(for: .seconds(3))
        let window = Int(Date().timeIntervalSince1970 - start) + 1
        let selector = #"{job="kube-state-metrics", __name__=~"\#(objects)"}"#
        let lowest = try await PromQL.query(prometheus.url, "min_over_time(count(\(selector))[\(window)s:100ms])")
        let highest = try await PromQL.query(prometheus.url, "max_over_time(count(\(selector))[\(window)s:100ms])")
        #expect(
            lowest.first?.value == Double(total) && highest.first?.value == Double(total),
            "\(lowest) \(highest) of \(total)")
        // No label names the shard; the shards' own series do, by their pods.
        let named = try await PromQL.query(prometheus.url, #"count(\#(selector.dropLast()), instance!=""})"#)
        #expect(named.isEmpty, "\(named)")
        let up = try await PromQL.query(prometheus.url, #"up{job="kube-state-metrics"}"#)
        #expect(
            Set(up.compactMap { $0.labels["instance"] }).isSuperset(of: [
                "kube-state-metrics-0", "kube-state-metrics-1",
            ]))
        let telemetry = String(
            decoding: try await PeerProcess.fetch(url + "/telemetry", accept: "text/plain").0, as: UTF8.self)
        #expect(telemetry.contains("stackbridge_kube_state_metrics_total_shards 2"))
        #expect(telemetry.contains("stackbridge_kube_state_metrics_reshards_total 2"))
        #expect(telemetry.contains("stackbridge_kube_state_metrics_shard_ordinal 0"))
    }
}
