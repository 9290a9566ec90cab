import BridgeTestPeers
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two `cluster` replicas of the built binary against one simulator, as deploy/ runs them: one
/// leads and forwards (StackState, remote write, `/metrics`), the other stands by warm, and takes
/// over within seconds when the leader is stopped with SIGTERM (a rolling update).
@Suite(.serialized) struct LeaderElectionEndToEndTests {
    /// One replica: the bridge process, its port and name.
    struct Replica {
        let name: String
        let port: Int
        let process: PeerProcess
        var url: String { "http://127.0.0.1:\(port)" }
    }

    /// The value of the first telemetry line starting with `prefix`, or nil.
    static func value(_ text: String, _ prefix: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { line in
            line.split(separator: " ").last.flatMap { Double($0) }
        }
    }

    static func telemetry(_ replica: Replica) async throws -> String {
        String(decoding: try await PeerProcess.fetch(replica.url + "/telemetry", accept: "text/plain").0, as: UTF8.self)
    }

    static func metrics(_ replica: Replica) async throws -> String {
        String(decoding: try await PeerProcess.fetch(replica.url + "/metrics", accept: "text/plain").0, as: UTF8.self)
    }

    static func isLeader(_ replica: Replica) async -> Bool {
        guard let text = try? await telemetry(replica) else { return false }
        return value(text, "stackbridge_leader_election_is_leader{") == 1
    }

    static func snapshots(_ simulator: SimulatorProcess) async throws -> Int {
        let body = try await PeerProcess.fetch(simulator.url + "/receiver/stsAgent/received", accept: "*/*").0
        return (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["snapshots"] as? Int ?? -1
    }

    static func holder(_ simulator: SimulatorProcess) async throws -> String {
        let url = simulator.url + "/apis/coordination.k8s.io/v1/namespaces/monitoring/leases/stackbridge"
        let body = try await PeerProcess.fetch(url, accept: "application/json").0
        let object = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        return (object?["spec"] as? [String: Any])?["holderIdentity"] as? String ?? ""
    }

    @Test func oneReplicaForwardsAndTheOtherTakesOverOnSIGTERM() async throws {
        let simulator = try SimulatorProcess([
            "--nodes", "2", "--pods-per-node", "6", "--receiver-api-key", "le-key",
        ])
        defer { simulator.stop() }
        let receiver = try await PrometheusReceiver()
        defer { receiver.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("le-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "le-key\n".write(to: directory.appendingPathComponent("key"), atomically: true, encoding: .utf8)
        try """
        cluster_name: le
        mode: cluster
        kubernetes:
          api_server: \(simulator.url)
          leader_election: {lease_namespace: monitoring, lease_duration: 20s, renew_deadline: 4s, retry_period: 500ms}
        scrape:
          interval: 1s
          timeout: 1s
          kube_state_metrics:
            urls: [\(simulator.url)/ksm/metrics]
        topology_metrics:
          interval: 1s
        remote_write:
          - url: \(receiver.writeURL)
            queue_config: {batch_send_deadline: 200ms}
        stackstate:
          url: \(simulator.url)/receiver/stsAgent
          api_key_file: \(directory.appendingPathComponent("key").path)
          topology_interval: 1s
          metrics_interval: 1s
        """.write(to: directory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
        var replicas: [Replica] = []
        for name in ["replica-a", "replica-b"] {
            let port = try PeerProcess.freePort()
            var environment = ProcessInfo.processInfo.environment
            environment["POD_NAME"] = name
            let process = try PeerProcess(
                PeerProcess.builtProduct("stackbridge"),
                [
                    "run", "--config", directory.appendingPathComponent("config.yaml").path, "--listen",
                    "127.0.0.1:\(port)", "--log-level", "error",
                ], environment: environment)
            replicas.append(Replica(name: name, port: port, process: process))
        }
        defer { for replica in replicas { replica.process.stop() } }
        // Both become ready: the standby watches and scrapes too.
        for replica in replicas {
            _ = try await PeerProcess.fetch(replica.url + "/readyz", accept: "*/*", timeout: .seconds(90))
        }
        var leaders: [Replica] = []
        for _ in 0..<100 {
            leaders = []
            for replica in replicas where await Self.isLeader(replica) { leaders.append(replica) }
            if leaders.count == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try #require(leaders.count == 1, "\(leaders.count) leaders")
        let leader = leaders[0]
        let standby = replicas.first { $0.name != leader.name }!
        #expect(try await Self.holder(simulator).hasPrefix(leader.name + "_"))

        // Let both run a few intervals, then compare what each sent.
        for _ in 0..<50 where try await Self.snapshots(simulator) < 2 { try await Task.sleep(for: .milliseconds(200)) }
        try await Task.sleep(for: .seconds(2))
        let leaderTelemetry = try await Self.telemetry(leader)
        let standbyTelemetry = try await Self.telemetry(standby)
        let sent = "stackbridge_stackstate_posts_total{kind=\"topology\",result=\"sent\"}"
        #expect((Self.value(leaderTelemetry, sent) ?? 0) >= 2)
        #expect(Self.value(standbyTelemetry, sent) == 0, "the standby posted to StackState")
        #expect((Self.value(leaderTelemetry, "stackbridge_remote_write_samples_sent_total{") ?? 0) > 0)
        #expect(Self.value(standbyTelemetry, "stackbridge_remote_write_samples_sent_total{") == 0)
        #expect(try await Self.metrics(leader).contains("kube_pod_info{"))
        #expect(try await Self.metrics(standby) == "", "the standby serves series on /metrics")
        #expect(
            (Self.value(standbyTelemetry, "stackbridge_scrapes_total{job=\"kube-state-metrics\",result=\"success\"}")
                ?? 0) > 0,
            "the standby keeps scraping, warm")

        // A rolling update: SIGTERM; the leader releases the Lease and the standby takes over at once.
        let before = try await Self.snapshots(simulator)
        let stopped = ContinuousClock.now
        kill(leader.process.process.processIdentifier, SIGTERM)
        var tookOver = false
        for _ in 0..<200 where !tookOver {
            tookOver = await Self.isLeader(standby)
            if !tookOver { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(tookOver)
        let waited = ContinuousClock.now - stopped
        #expect(waited < .seconds(10), "took over after \(waited); a released lease needs no 20 s wait")
        #expect(try await Self.holder(simulator).hasPrefix(standby.name + "_"))
        var after = before
        for _ in 0..<50 where after <= before {
            try await Task.sleep(for: .milliseconds(200))
            after = try await Self.snapshots(simulator)
        }
        #expect(after > before, "the new leader sends topology snapshots")
        #expect(try await Self.metrics(standby).contains("kube_pod_info{"))
    }
}
