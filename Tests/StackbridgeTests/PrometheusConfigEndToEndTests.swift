import BridgeTestPeers
import Foundation
import Testing

/// A `remote_write` block written as a Prometheus user writes it, run by the built binary against a
/// real Prometheus receiver: what `write_relabel_configs` keeps, drops and adds is what is stored.
@Suite(.serialized) struct PrometheusConfigEndToEndTests {
    @Test func writeRelabelConfigsShapeWhatTheReceiverStores() async throws {
        let receiver = try await PrometheusReceiver()
        defer { receiver.stop() }
        let api = receiver.url
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("rw-token-\(UUID())")
        try "rw-token\n".write(to: token, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: token) }
        let run = try BridgeRun(
            simulatorArguments: ["--nodes", "1", "--pods-per-node", "3"],
            extraYAML: """
                remote_write:
                  - url: \(api)/api/v1/write
                    name: central
                    remote_timeout: 30s
                    authorization:
                      type: Bearer
                      credentials_file: \(token.path)
                    follow_redirects: true
                    enable_http2: true
                    write_relabel_configs:
                      - source_labels: [__name__]
                        regex: up|kube_pod_info
                        action: keep
                      - source_labels: [job]
                        regex: kubelet
                        action: drop
                      - target_label: written_by
                        replacement: central
                    queue_config:
                      capacity: 2500
                      max_shards: 200
                      min_shards: 1
                      max_samples_per_send: 500
                      batch_send_deadline: 200ms
                      min_backoff: 30ms
                      max_backoff: 1s
                      retry_on_http_429: false
                    metadata_config: {send: true, send_interval: 1m, max_samples_per_send: 500}
                """)
        defer { run.stop() }
        try await run.waitUntilReady()
        var pods: [(labels: [String: String], value: Double)] = []
        for _ in 0..<100 where pods.isEmpty {
            pods = (try? await PromQL.query(api, #"kube_pod_info{written_by="central"}"#)) ?? []
            if pods.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(!pods.isEmpty, "no relabeled kube_pod_info reached the receiver")
        // Only the kept names arrived, each with the added label; the rule on `job` saw the target's job.
        try await Task.sleep(for: .seconds(2))
        // (No `+` in the query: the query string carries it as a space.)
        let names = try await PromQL.query(api, #"count by (__name__) ({__name__!=""})"#)
        #expect(Set(names.compactMap { $0.labels["__name__"] }) == ["up", "kube_pod_info"], "\(names)")
        let ups = try await PromQL.query(api, "up")
        #expect(!ups.isEmpty && ups.allSatisfy { $0.labels["written_by"] == "central" }, "\(ups)")
        #expect(
            ups.contains { $0.labels["job"] == "kube-state-metrics" } && !ups.contains { $0.labels["job"] == "kubelet" }
        )
        // /metrics is not the remote-write endpoint's business: the kubelet series are all still there.
        let exposition = String(
            decoding: try await PeerProcess.fetch(run.url + "/metrics", accept: "text/plain").0, as: UTF8.self)
        #expect(exposition.contains("container_cpu_usage_seconds_total{") && !exposition.contains("written_by"))
        // The endpoint's name labels its self-metrics as Prometheus labels them; 4 shards within 1…200.
        let telemetry = String(
            decoding: try await PeerProcess.fetch(run.url + "/telemetry", accept: "text/plain").0, as: UTF8.self)
        #expect(
            telemetry.contains("stackbridge_remote_write_shards{remote_name=\"central\",url=\"\(api)/api/v1/write\"} 4")
        )
        #expect(!telemetry.contains("rw-token"))
    }
}
