import BridgeCore
import BridgeSimulator
import BridgeTestPeers
import BridgeTestSupport
import BridgeTopology
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built binaries end to end: stackbridge-sim, `stackbridge run` against it, and real consumers
/// of `/metrics` (promtool, Prometheus 2.42, wrk).
@Suite(.serialized) struct EndToEndTests {
    static let textAccept = "text/plain;version=0.0.4"

    /// The series of an exposition without values, sorted: what must not change between runs.
    static func seriesKeys(_ text: String, simulatorPort: String) -> String {
        var issues = ParseIssues()
        let batch = MetricBatch.parse(Array(text.utf8), format: .text, issues: &issues)
        let written = ExpositionWriter(format: .text).string(batch)
        let keys = written.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            String(line[..<(line.lastIndex(of: " ") ?? line.endIndex)])
                .replacingOccurrences(of: "127.0.0.1:\(simulatorPort)", with: "SIMULATOR")
        }
        return Set(keys).sorted().joined(separator: "\n") + "\n"
    }

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/metrics.golden")

    @Test func metricsMatchTheGoldenFileAndPassPromtool() async throws {
        let run = try BridgeRun(simulatorArguments: ["--nodes", "1", "--pods-per-node", "4", "--seed", "5"])
        defer { run.stop() }
        try await run.waitUntilReady()
        let (body, contentType) = try await PeerProcess.fetch(run.url + "/metrics", accept: Self.textAccept)
        #expect(contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        let actual = Self.seriesKeys(String(decoding: body, as: UTF8.self), simulatorPort: run.simulatorPort)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try actual.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.golden, encoding: .utf8)
        let difference = ExpositionDiff.diff(expected: expected, actual: actual)
        #expect(
            difference.isEmpty,
            "series differ from Fixtures/metrics.golden (UPDATE_GOLDEN=1 rewrites it):\n\(difference.prefix(4000))")
        let (status, complaints) = try PeerProcess.run("/usr/bin/promtool", ["check", "metrics"], input: body)
        #expect(status == 0, "\(complaints.prefix(2000))")
    }

    static func query(_ prometheus: String, _ promQL: String) async throws -> [([String: String], Double)] {
        try await PromQL.query(prometheus, promQL).map { ($0.labels, $0.value) }
    }

    @Test func prometheusScrapesTheBridgeAndPromQLShowsTheJoin() async throws {
        let (nodes, podsPerNode, seed) = (3, 8, UInt64(9))
        let run = try BridgeRun(simulatorArguments: [
            "--nodes", "\(nodes)", "--pods-per-node", "\(podsPerNode)", "--seed", "\(seed)",
        ])
        defer { run.stop() }
        try await run.waitUntilReady()
        // honor_labels keeps the job and instance of the scraped targets, as a StackLight
        // Prometheus scraping the bridge should (docs/install.md: scrape configuration).
        let prometheus = try PrometheusServer(
            configuration: """
                global: {scrape_interval: 1s}
                scrape_configs:
                  - job_name: stackbridge
                    honor_labels: true
                    static_configs: [{targets: ['127.0.0.1:\(run.port)']}]
                """)
        defer { prometheus.stop() }
        let api = prometheus.url
        let cluster = SimulatedCluster(name: "sim", nodes: nodes, podsPerNode: podsPerNode, seed: seed)
        var expected: [String: Double] = [:]
        for pod in cluster.state.pods.values {
            let placement = cluster.state.placement(of: pod)
            expected[
                "\(pod.metadata.namespace ?? "")/\(placement.workloadKind)/\(placement.workloadName)", default: 0] += 1
        }
        var perWorkload: [String: Double] = [:]
        for _ in 0..<150 {
            let rows =
                (try? await Self.query(api, "count by (namespace, workload_kind, workload) (kube_pod_info)")) ?? []
            perWorkload = Dictionary(
                rows.map {
                    ("\($0.0["namespace"] ?? "")/\($0.0["workload_kind"] ?? "")/\($0.0["workload"] ?? "")", $0.1)
                },
                uniquingKeysWith: +)
            if perWorkload == expected { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        // Pod counts per workload from kube-state-metrics, joined by the bridge, equal the
        // simulator's objects.
        #expect(perWorkload == expected)
        let joined = try await Self.query(api, #"count(container_cpu_usage_seconds_total{pod!=""})"#)
        #expect((joined.first?.1 ?? 0) > 0)
        for label in ["workload", "node", "cluster", "zone"] {
            let missing = try await Self.query(api, #"count(container_cpu_usage_seconds_total{pod!="", \#(label)=""})"#)
            #expect(missing.isEmpty, "cAdvisor series with a pod but no \(label): \(missing)")
        }
        let health = try await Self.query(api, #"sum(stackbridge_component_health{type="pod"})"#)
        #expect(health.first?.1 == Double(cluster.state.pods.count))
    }

    @Test func twentyConcurrentScrapersGetCompleteIdenticalAnswers() async throws {
        let run = try BridgeRun(simulatorArguments: ["--nodes", "2", "--pods-per-node", "10", "--seed", "3"])
        defer { run.stop() }
        try await run.waitUntilReady()
        let url = URL(string: run.url + "/metrics")!
        let bodies = try await withThrowingTaskGroup(of: Data.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    var request = URLRequest(url: url)
                    request.setValue(Self.textAccept, forHTTPHeaderField: "Accept")
                    return try await URLSession.shared.data(for: request).0
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let keys = Set(
            bodies.map { Self.seriesKeys(String(decoding: $0, as: UTF8.self), simulatorPort: run.simulatorPort) })
        #expect(keys.count == 1, "20 concurrent answers carried \(keys.count) different series sets")
        // wrk: 20 connections for 5 s while the bridge keeps scraping every second; the script counts
        // answers that are not complete (length differs from Content-Length, or the last family is
        // missing) and prints them.
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-wrk-\(run.port).lua")
        try """
        local threads = {}
        function setup(thread) table.insert(threads, thread) end
        bad = 0
        good = 0
        response = function(status, headers, body)
          local length = tonumber(headers["Content-Length"])
          if status ~= 200 or (length and #body ~= length) or not string.find(body, "stackbridge_component_health", 1, true)
             or string.sub(body, -1) ~= "\\n" then
            bad = bad + 1
          else
            good = good + 1
          end
        end
        done = function(summary, latency, requests)
          local b, g = 0, 0
          for _, thread in ipairs(threads) do
            b = b + thread:get("bad")
            g = g + thread:get("good")
          end
          io.write(string.format("RESULT good=%d bad=%d errors=%d\\n", g, b,
            summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
        end
        """.write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let (status, output) = try PeerProcess.run(
            "/usr/bin/wrk",
            [
                "-t", "2", "-c", "20", "-d", "5s", "-s", script.path, "-H", "Accept: \(Self.textAccept)",
                run.url + "/metrics",
            ])
        #expect(status == 0, "\(output)")
        let result = output.split(separator: "\n").first { $0.hasPrefix("RESULT") } ?? ""
        #expect(result.contains("bad=0") && result.contains("errors=0") && !result.contains("good=0 "), "\(output)")
    }

    @Test func tlsWithClientCertificatesAndBasicAuthProtectTheServer() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let webConfig = certificates.directory + "/web.yml"
        try """
        tls_server_config:
          cert_file: \(certificates.serverCert)
          key_file: \(certificates.serverKey)
          client_ca_file: \(certificates.caFile)
          client_auth_type: RequireAndVerifyClientCert
        basic_auth_users:
          admin: $2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay
        """.write(toFile: webConfig, atomically: true, encoding: .utf8)
        let run = try BridgeRun(
            simulatorArguments: ["--nodes", "1", "--pods-per-node", "3"],
            extraYAML: "server:\n  web_config_file: \(webConfig)")
        defer { run.stop() }
        let base = "https://bridge.test:\(run.port)"
        let tls = ["-s", "--resolve", "bridge.test:\(run.port):127.0.0.1", "--cacert", certificates.caFile]
        let client = ["--cert", certificates.clientCert, "--key", certificates.clientKey]
        func curl(_ arguments: [String]) throws -> (Int32, String) {
            try PeerProcess.run("/usr/bin/curl", tls + arguments)
        }
        var ready = ""
        for _ in 0..<300 where ready != "200" {
            ready = (try? curl(client + ["-o", "/dev/null", "-w", "%{http_code}", base + "/readyz"]))?.1 ?? ""
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(ready == "200", "/readyz over TLS with a client certificate")
        let (status, body) = try curl(client + ["-u", "admin:test", base + "/metrics"])
        #expect(status == 0)
        #expect(body.contains("stackbridge_topology_component_info"))
        let (_, anonymous) = try curl(client + ["-o", "/dev/null", "-w", "%{http_code}", base + "/metrics"])
        #expect(anonymous == "401")
        let (_, wrong) = try curl(
            client + ["-u", "admin:nope", "-o", "/dev/null", "-w", "%{http_code}", base + "/metrics"])
        #expect(wrong == "401")
        let (noCertificate, _) = try curl(["-u", "admin:test", base + "/metrics"])
        #expect(noCertificate != 0, "a client without a certificate must not get through")
        let (plain, _) = try PeerProcess.run("/usr/bin/curl", ["-s", "-f", "http://127.0.0.1:\(run.port)/metrics"])
        #expect(plain != 0, "plain HTTP must not be served")
    }

    @Test func remoteWriteReachesPrometheusAndVictoriaMetricsAndBridgesAMinuteOutage() async throws {
        let receiver = try await PrometheusReceiver()
        defer { receiver.stop() }
        let api = receiver.url
        let victoriaPort = try PeerProcess.freePort()
        let victoria = try PeerProcess(
            "/usr/bin/victoria-metrics",
            [
                "-httpListenAddr=127.0.0.1:\(victoriaPort)", "-storageDataPath=data", "-search.latencyOffset=0s",
                "-loggerLevel=ERROR",
            ])
        defer { victoria.stop() }
        let victoriaAPI = "http://127.0.0.1:\(victoriaPort)"
        _ = try await PeerProcess.fetch(victoriaAPI + "/health", accept: "*/*")
        let run = try BridgeRun(
            simulatorArguments: ["--nodes", "1", "--pods-per-node", "4"],
            extraYAML: """
                remote_write:
                  - url: \(api)/api/v1/write
                    queue_config: {batch_send_deadline: 200ms, max_backoff: 1s}
                  - url: \(victoriaAPI)/api/v1/write
                    # A queue far smaller than one scrape: the scrape waits for room, nothing is dropped.
                    queue_config: {batch_send_deadline: 200ms, capacity: 20, max_samples_per_send: 10}
                """)
        defer { run.stop() }
        try await run.waitUntilReady()
        // Series arrive with the job and instance a scrape gives them, enriched like /metrics.
        var joined: [([String: String], Double)] = []
        for _ in 0..<100 where joined.isEmpty {
            joined = (try? await Self.query(api, #"kube_pod_info{pod="db-0",namespace="checkout"}"#)) ?? []
            try await Task.sleep(for: .milliseconds(200))
        }
        let pod = try #require(joined.first?.0)
        #expect(pod["job"] == "kube-state-metrics")
        #expect(pod["workload"] == "db" && pod["cluster"] == "e2e" && pod["node"] != nil)
        // VictoriaMetrics gets the same series with the same labels.
        var fromVictoria: [(labels: [String: String], value: Double)] = []
        for _ in 0..<100 where fromVictoria.isEmpty {
            // VictoriaMetrics buffers recent rows; force_flush makes them searchable at once.
            _ = try await PeerProcess.fetch(victoriaAPI + "/internal/force_flush", accept: "*/*")
            fromVictoria = try await PromQL.query(victoriaAPI, #"kube_pod_info{pod="db-0",namespace="checkout"}"#)
            if fromVictoria.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(fromVictoria.first?.labels == pod)
        let early = String(
            decoding: try await PeerProcess.fetch(run.url + "/telemetry", accept: Self.textAccept).0, as: UTF8.self)
        let victoriaLabel = "{url=\"\(victoriaAPI)/api/v1/write\"}"
        #expect(early.contains("stackbridge_remote_write_samples_dropped_total\(victoriaLabel) 0\n"))
        let sent = early.split(separator: "\n").first {
            $0.hasPrefix("stackbridge_remote_write_samples_sent_total\(victoriaLabel) ")
        }
        #expect((sent?.split(separator: " ").last.flatMap { Double($0) } ?? 0) > 4 * 20, "\(sent ?? "no counter")")
        // Prometheus goes away for a minute while the bridge scrapes every second, then comes back.
        try await Task.sleep(for: .seconds(5))
        try await receiver.stopGracefully()
        let outageStart = Date().timeIntervalSince1970
        try await Task.sleep(for: .seconds(60))
        try await receiver.start()
        try await Task.sleep(for: .seconds(8))
        // Every scrape around the outage reached the receiver: the stored samples of `up` run from
        // before the outage to after it, one a second, without a gap.
        let times = try await Self.upTimes(api, range: "2m")
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        #expect((times.first ?? .infinity) < outageStart - 2, "samples start before the outage")
        #expect((times.last ?? 0) > outageStart + 62, "samples continue after the outage")
        #expect((gaps.max() ?? .infinity) < 1.5, "largest gap \(gaps.max() ?? .infinity) s in \(times.count) samples")
        // The pod's series are the same every scrape, so they are written from their kept remote-write
        // form (SnapshotSink): each scrape's sample still arrives with its own time.
        let podTimes = try await PromQL.sampleTimes(
            api, #"kube_pod_info{pod="db-0",namespace="checkout"}"#, range: "2m")
        let podGaps = zip(podTimes, podTimes.dropFirst()).map { $1 - $0 }
        #expect(podTimes.count >= times.count - 1, "\(podTimes.count) pod samples, \(times.count) of up")
        #expect((podGaps.max() ?? .infinity) < 1.5, "largest gap \(podGaps.max() ?? .infinity) s")
        let telemetry = String(
            decoding: try await PeerProcess.fetch(run.url + "/telemetry", accept: Self.textAccept).0, as: UTF8.self)
        #expect(telemetry.contains("stackbridge_remote_write_samples_dropped_total{url=\"\(api)/api/v1/write\"} 0"))
        #expect(!telemetry.contains("stackbridge_remote_write_samples_retried_total{url=\"\(api)/api/v1/write\"} 0\n"))
    }

    /// Timestamps of the stored samples of `up` of kube-state-metrics over the last `range`.
    static func upTimes(_ api: String, range: String = "3m") async throws -> [Double] {
        try await PromQL.sampleTimes(api, #"up{job="kube-state-metrics"}"#, range: range)
    }

    @Test func aGracefulRestartDuringAnOutageReplaysTheSpool() async throws {
        try await restartDuringAnOutage(signal: SIGTERM)
    }

    @Test func aKilledBridgeLosesAtMostOneRoundOfAnOutage() async throws {
        try await restartDuringAnOutage(signal: SIGKILL)
    }

    func restartDuringAnOutage(signal: Int32) async throws {
        let receiver = try await PrometheusReceiver()
        defer { receiver.stop() }
        let api = receiver.url
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-spool-e2e-\(UUID())")
        defer { try? FileManager.default.removeItem(at: spool) }
        let run = try BridgeRun(
            simulatorArguments: ["--nodes", "1", "--pods-per-node", "4"],
            extraYAML: """
                remote_write:
                  - url: \(api)/api/v1/write
                    queue_config: {batch_send_deadline: 200ms, max_backoff: 1s}
                    spool: {path: \(spool.path), max_disk_bytes: 100MiB}
                """)
        defer { run.stop() }
        try await run.waitUntilReady()
        for _ in 0..<100 where ((try? await Self.upTimes(api))?.count ?? 0) < 3 {
            try await Task.sleep(for: .milliseconds(200))
        }
        // Receiver down; 5 s later the bridge is stopped and restarted; 5 s later the receiver returns.
        try await receiver.stopGracefully()
        let outageStart = Date().timeIntervalSince1970
        try await Task.sleep(for: .seconds(5))
        let downtime = try await run.restartBridge(signal: signal)
        try await Task.sleep(for: .seconds(5))
        try await receiver.start()
        try await Task.sleep(for: .seconds(10))
        let times = try await Self.upTimes(api)
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        #expect((times.first ?? .infinity) < outageStart - 1, "samples start before the outage")
        #expect((times.last ?? 0) > outageStart + 15, "samples continue after the outage")
        // One hole only, the bridge's own restart (nobody scraped then): every other step is one
        // 1 s round, so what was scraped during the outage before and after the restart arrived.
        // A SIGTERM flushes the last round to the spool; a SIGKILL that falls between a scrape and
        // its spooling (the 200 ms batch deadline, longer on a loaded machine) loses that one round,
        // so the hole may be one round wider.
        let sorted = gaps.sorted(by: >)
        let worst = sorted.first ?? .infinity
        let allowed = downtime + (signal == SIGKILL ? 2.5 : 1.5)
        #expect(worst <= allowed, "largest gap \(worst) s with the bridge gone \(downtime) s (signal \(signal))")
        #expect(sorted.dropFirst().first ?? 0 <= 1.5, "a second gap of \(sorted.dropFirst().first ?? 0) s")
        if signal == SIGKILL {
            // DESIGN.md target: killed during an outage and restarted, worst gap at most 4 s.
            #expect(worst <= 4, "largest gap \(worst) s after SIGKILL")
        }
        let telemetry = String(
            decoding: try await PeerProcess.fetch(run.url + "/telemetry", accept: Self.textAccept).0, as: UTF8.self)
        #expect(telemetry.contains("stackbridge_remote_write_spool_bytes{url=\"\(api)/api/v1/write\"} 0\n"))
    }
}
