import BridgeTestPeers
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `stackbridge run` forwarding a churning simulated cluster to the simulator's strict receiver
/// double: every payload kind arrives valid, and deleted pods leave the receiver's topology.
@Suite(.serialized) struct StackStateEndToEndTests {
    static func received(_ run: BridgeRun) async throws -> [String: Any] {
        let body = try await PeerProcess.fetch(run.simulator.url + "/receiver/stsAgent/received", accept: "*/*").0
        return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }

    @Test func topologyHealthEventsAndSeriesReachTheReceiverAndDeletionsFollowChurn() async throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("sts-key-\(UUID())")
        try "e2e-key\n".write(to: keyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        let run = try BridgeRun(
            simulatorArguments: [
                "--nodes", "2", "--pods-per-node", "10", "--churn", "1", "--receiver-api-key", "e2e-key",
            ],
            simulatorYAML: { simulator in
                """
                stackstate:
                  url: \(simulator)/receiver/stsAgent
                  api_key_file: \(keyFile.path)
                  topology_interval: 2s
                  metrics_interval: 2s
                  events_interval: 500ms
                """
            })
        defer { run.stop() }
        var summary: [String: Any] = [:]
        for _ in 0..<60 {
            try await Task.sleep(for: .milliseconds(500))
            summary = try await Self.received(run)
            let deleted = summary["deleted"] as? [String] ?? []
            if (summary["snapshots"] as? Int ?? 0) >= 3 && deleted.contains(where: { $0.contains(":pod/") })
                && (summary["series"] as? Int ?? 0) > 0 && !(summary["events"] as? [Any] ?? []).isEmpty
            {
                break
            }
        }
        #expect(summary["problems"] as? [String] == [], "\(summary["problems"] ?? "")")
        #expect((summary["snapshots"] as? Int ?? 0) >= 3)
        // Churn replaced pods between snapshots: the receiver was told, and holds only live pods.
        let deleted = summary["deleted"] as? [String] ?? []
        let deletedPods = deleted.filter { $0.contains(":pod/") && !$0.contains(":container/") }
        #expect(!deletedPods.isEmpty)
        let components = Set(summary["components"] as? [String] ?? [])
        let livePods = try await PeerProcess.fetch(run.simulator.url + "/api/v1/pods", accept: "*/*").0
        let podCount =
            ((try JSONSerialization.jsonObject(with: livePods) as? [String: Any])?["items"] as? [Any])?.count ?? -1
        let receivedPods = components.filter { $0.contains(":pod/") && !$0.contains(":container/") }
        #expect(abs(receivedPods.count - podCount) <= 2, "receiver \(receivedPods.count) pods, cluster \(podCount)")
        #expect(components.contains("urn:cluster:/kubernetes:e2e"))
        // Health of every pod, workload and node of the last snapshot.
        let health = summary["health"] as? [String: String] ?? [:]
        #expect(health.count >= 20)
        #expect(health.keys.contains { $0.hasPrefix("urn:kubernetes:/e2e:node/") })
        // Churn events (Killing / Scheduled) with the pods' URNs; the history list is not resent.
        let events = summary["events"] as? [[String: Any]] ?? []
        #expect(!events.isEmpty)
        #expect(events.allSatisfy { ($0["title"] as? String ?? "").contains("Pod") })
        #expect(
            events.allSatisfy { event in
                (event["elements"] as? [String] ?? []).allSatisfy { $0.hasPrefix("urn:kubernetes:/e2e:") }
            })
        // Series tagged so StackState binds them to components.
        let tags = summary["series_tags"] as? [String: [String]] ?? [:]
        let cpu = try #require(tags["container_cpu_usage_seconds_total"])
        for prefix in ["cluster_name:e2e", "namespace:", "pod_name:", "container:", "kube_namespace:"] {
            #expect(cpu.contains { $0.hasPrefix(prefix) }, "\(prefix) missing in \(cpu)")
        }
        // Every series binds to the cluster: the strict receiver reports any series without exactly
        // one cluster_name and kube_cluster_name as a problem (none, above), the per-target series too.
        for metric in [
            "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
        ] {
            let own = try #require(tags[metric], "\(metric) never reached the receiver")
            #expect(own.contains("cluster_name:e2e") && own.contains("kube_cluster_name:e2e"), "\(metric): \(own)")
        }
        let telemetry = String(
            decoding: try await PeerProcess.fetch(run.url + "/telemetry", accept: "text/plain").0, as: UTF8.self)
        #expect(telemetry.contains("stackbridge_stackstate_api_key_valid 1"))
        #expect(!telemetry.contains("e2e-key"))
        // SIGTERM ends every service promptly, waits and backoffs included (the 10 s target
        // discovery period and the forwarder's sleeps end on the graceful shutdown).
        let stopping = Date()
        kill(run.bridge.process.processIdentifier, SIGTERM)
        for _ in 0..<200 where run.bridge.process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!run.bridge.process.isRunning)
        #expect(Date().timeIntervalSince(stopping) < 3, "\(Date().timeIntervalSince(stopping)) s to stop")
        #expect(run.bridge.process.terminationStatus == 0)
    }
}
