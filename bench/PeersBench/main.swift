// stackbridge next to vmagent 1.79 and Prometheus 2.42 in agent mode on the same work (issue 9).
// Run with `make bench-peers`; arguments: NODES PODS_PER_NODE SECONDS INTERVAL SCALES
// (defaults 10 110 45 10 1,3,10: at 10x, 100 nodes of 110 pods, about 132,000 samples a round).
//
// For each scale k, stackbridge-sim serves k × NODES nodes × PODS_PER_NODE pods: kube-state-metrics
// and, for every node, the kubelet's four endpoints through the API server proxy path. The three
// agents take turns, alone on the machine with the simulator and a sink: each scrapes every
// endpoint every INTERVAL and remote-writes to the same nginx sink (204, nothing stored). The
// peers apply one metric relabel rule (a `cluster` label); stackbridge does what it always does —
// discovery through the API, the topology watch, the enrichment join of every series — and that is
// counted against it. After a warm-up of two intervals past the first complete round, CPU (utime
// + stime from /proc) is measured over SECONDS; peak RSS is VmHWM at the end. Samples per round
// are counted once by fetching every endpoint (the nominal load); the samples an agent forwarded
// come from its own counter (stackbridge_remote_write_samples_sent_total,
// vmagent_remotewrite_rows_pushed_after_relabel_total, prometheus_remote_storage_samples_total)
// over the same window, and the CPU is divided by those. "kept up" is forwarded / nominal: below
// about 95 % the machine (simulator included) could not serve or scrape everything in time, and
// that row measures an overloaded run. The sink's bytes show each agent really sent.

import BridgeTestPeers
import Foundation

/// Prints a line unbuffered, so a long run shows its progress even into a file or pipe.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
func argument(_ index: Int, _ fallback: String) -> String { arguments.count > index ? arguments[index] : fallback }
let nodes = Int(argument(1, "10")) ?? 10
let podsPerNode = Int(argument(2, "110")) ?? 110
let seconds = Int(argument(3, "45")) ?? 45
let interval = Int(argument(4, "10")) ?? 10
let scales = argument(5, "1,3,10").split(separator: ",").compactMap { Int($0) }

/// One agent's figures at one scale.
struct Measurement {
    var agent: String
    var cpuSeconds: Double
    var samples: Double
    var nominal: Double
    var peakRSS: Int
    var sinkBytes: Int
    var sinkRequests: Int
    var cpuPerMillion: Double { cpuSeconds / samples * 1e6 }
}

/// The scrape configuration the peers share: the sim's kubelet paths as targets of one job with
/// their own `__metrics_path__`, kube-state-metrics as another, one metric relabel rule each.
func peerScrapeConfig(simulator: String, nodes: Int) -> String {
    let host = String(simulator.dropFirst("http://".count))
    let relabel = "    metric_relabel_configs: [{target_label: cluster, replacement: bench}]\n"
    var kubelet = ""
    for node in 0..<nodes {
        for path in ["/metrics/cadvisor", "/metrics/resource", "/metrics/probes", "/metrics"] {
            kubelet +=
                "      - targets: ['\(host)']\n        labels: {__metrics_path__: '/api/v1/nodes/node-\(node)/proxy\(path)', node: 'node-\(node)'}\n"
        }
    }
    return """
        global: {scrape_interval: \(interval)s, scrape_timeout: \(interval)s}
        scrape_configs:
          - job_name: kube-state-metrics
            metrics_path: /ksm/metrics
            static_configs: [{targets: ['\(host)']}]
        \(relabel)  - job_name: kubelet
            static_configs:
        \(kubelet)\(relabel)
        """
}

/// Samples in one scrape round of every endpoint the agents scrape.
func samplesPerRound(simulator: String, nodes: Int) async throws -> Int {
    var total = try await ProcessStats.sampleLines(at: simulator + "/ksm/metrics")
    for node in 0..<nodes {
        for path in ["/metrics/cadvisor", "/metrics/resource", "/metrics/probes", "/metrics"] {
            total += try await ProcessStats.sampleLines(at: simulator + "/api/v1/nodes/node-\(node)/proxy\(path)")
        }
    }
    return total
}

/// The sum of every sample of the counter `name` in the exposition at `url`; 0 when unreachable.
func counter(_ url: String, _ name: String) async -> Double {
    guard let (data, _) = try? await PeerProcess.fetch(url, accept: "text/plain", timeout: .seconds(10)) else {
        return 0
    }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").filter {
        $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ")
    }.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
}

/// Runs `process` through warm-up and the measured window; the sink's and the agent's own
/// counters (`counterURL`, `counterName`) are read around it.
func measure(
    _ agent: String, process: PeerProcess, sink: NginxServer, perRound: Int, counterURL: String, counterName: String
) async throws -> Measurement {
    let pid = process.process.processIdentifier
    // The first round must reach the sink, then two more intervals settle caches and connections.
    let deadline = ContinuousClock.now + .seconds(300)
    while sink.received.requests == 0 && ContinuousClock.now < deadline && process.process.isRunning {
        try await Task.sleep(for: .milliseconds(200))
    }
    guard process.process.isRunning, sink.received.requests > 0 else {
        throw PeerError("\(agent) sent nothing to the sink within 300 s")
    }
    try await Task.sleep(for: .seconds(2 * interval))
    let (requestsBefore, bytesBefore) = sink.received
    let forwardedBefore = await counter(counterURL, counterName)
    let cpuBefore = ProcessStats.cpuSeconds(pid)
    try await Task.sleep(for: .seconds(seconds))
    let cpu = ProcessStats.cpuSeconds(pid) - cpuBefore
    let forwarded = await counter(counterURL, counterName) - forwardedBefore
    let (requestsAfter, bytesAfter) = sink.received
    return Measurement(
        agent: agent, cpuSeconds: cpu, samples: max(1, forwarded),
        nominal: Double(perRound) * Double(seconds) / Double(interval),
        peakRSS: ProcessStats.peakRSSBytes(pid), sinkBytes: bytesAfter - bytesBefore,
        sinkRequests: requestsAfter - requestsBefore)
}

func mib(_ bytes: Int) -> String { "\(bytes / 1_048_576) MiB" }
func fixed(_ value: Double) -> String { String(format: "%.2f", value) }
func percent(_ value: Double) -> String { "\(Int((value * 100).rounded())) %" }

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-peers-\(UUID())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
say("stackbridge vs vmagent 1.79 vs Prometheus 2.42 agent: \(nodes) nodes x \(podsPerNode) pods per scale unit,")
say("scrape every \(interval) s, \(seconds) s measured per agent, scales \(scales)")
var results: [(scale: Int, perRound: Int, measurements: [Measurement])] = []
for scale in scales {
    let scaledNodes = nodes * scale
    let simulator = try SimulatorProcess(["--nodes", "\(scaledNodes)", "--pods-per-node", "\(podsPerNode)"])
    defer { simulator.stop() }
    let perRound = try await samplesPerRound(simulator: simulator.url, nodes: scaledNodes)
    say("\nscale \(scale)x: \(scaledNodes) nodes, \(simulator.pods) pods, \(perRound) samples per round")
    var measurements: [Measurement] = []

    let peerConfig = directory.appendingPathComponent("peers-\(scale).yml")
    try peerScrapeConfig(simulator: simulator.url, nodes: scaledNodes)
        .write(to: peerConfig, atomically: true, encoding: .utf8)
    let bridgeConfig = directory.appendingPathComponent("stackbridge-\(scale).yaml")
    try """
    cluster_name: bench
    kubernetes: {api_server: '\(simulator.url)'}
    scrape:
      interval: \(interval)s
      timeout: \(interval)s
      kube_state_metrics: {urls: ['\(simulator.url)/ksm/metrics']}
    remote_write:
      - url: SINK
    """.write(to: bridgeConfig, atomically: true, encoding: .utf8)

    let agents: [(name: String, counter: (path: String, name: String), start: (String, Int) throws -> PeerProcess)] = [
        (
            "stackbridge", ("/telemetry", "stackbridge_remote_write_samples_sent_total"),
            { sink, port in
                let text = try String(contentsOf: bridgeConfig, encoding: .utf8).replacingOccurrences(
                    of: "SINK", with: sink)
                try text.write(to: bridgeConfig, atomically: true, encoding: .utf8)
                return try PeerProcess(
                    PeerProcess.builtProduct("stackbridge"),
                    [
                        "run", "--config", bridgeConfig.path, "--listen", "127.0.0.1:\(port)",
                        "--log-level", "error",
                    ])
            }
        ),
        (
            "vmagent", ("/metrics", "vmagent_remotewrite_rows_pushed_after_relabel_total"),
            { sink, port in
                try PeerProcess(
                    "/usr/bin/vmagent",
                    [
                        "-promscrape.config=\(peerConfig.path)", "-remoteWrite.url=\(sink)",
                        "-httpListenAddr=127.0.0.1:\(port)",
                        "-remoteWrite.tmpDataPath=vmagent-data",
                        // Its default (16 MiB) refuses kube-state-metrics of a large cluster; the
                        // others have no limit (Prometheus' body_size_limit defaults to none).
                        "-promscrape.maxScrapeSize=1GiB",
                        "-loggerLevel=ERROR",
                    ])
            }
        ),
        (
            "prometheus-agent", ("/metrics", "prometheus_remote_storage_samples_total"),
            { sink, port in
                try PrometheusServer(
                    configuration: String(contentsOf: peerConfig, encoding: .utf8)
                        + "remote_write: [{url: '\(sink)'}]\n",
                    arguments: ["--enable-feature=agent"], port: port
                ).peer
            }
        ),
    ]
    for (name, counterSource, start) in agents {
        let sink = try NginxServer(body: [])
        defer { sink.stop() }
        let port = try PeerProcess.freePort()
        let process = try start(sink.baseURL + "/write", port)
        defer { process.stop() }
        let measurement = try await measure(
            name, process: process, sink: sink, perRound: perRound,
            counterURL: "http://127.0.0.1:\(port)\(counterSource.path)", counterName: counterSource.name)
        measurements.append(measurement)
        let name = measurement.agent.padding(toLength: 17, withPad: " ", startingAt: 0)
        say(
            "  \(name) \(fixed(measurement.cpuSeconds)) CPU s  \(fixed(measurement.cpuPerMillion)) CPU s per 1M samples"
                + "  peak RSS \(mib(measurement.peakRSS))  sent \(fixed(Double(measurement.sinkBytes) / 1e6)) MB"
                + " in \(measurement.sinkRequests) requests, kept up \(percent(measurement.samples / measurement.nominal))"
        )
        process.stop()
        sink.stop()
    }
    results.append((scale, perRound, measurements))
}

say(
    "\n| scale | samples/round | agent | kept up | CPU s per 1M samples | peak RSS | CPU ratio (stackbridge / agent) | RSS ratio |"
)
say("|---|---|---|---|---|---|---|---|")
for (scale, perRound, measurements) in results {
    guard let bridge = measurements.first(where: { $0.agent == "stackbridge" }) else { continue }
    for measurement in measurements {
        let cpuRatio = bridge.cpuPerMillion / measurement.cpuPerMillion
        let rssRatio = Double(bridge.peakRSS) / Double(max(1, measurement.peakRSS))
        say(
            "| \(scale)x | \(perRound) | \(measurement.agent) | \(percent(measurement.samples / measurement.nominal)) | "
                + "\(fixed(measurement.cpuPerMillion)) | "
                + "\(mib(measurement.peakRSS)) | \(fixed(cpuRatio)) | \(fixed(rssRatio)) |")
    }
}
if results.count > 1, let first = results.first, let last = results.last,
    let a = first.measurements.first(where: { $0.agent == "stackbridge" }),
    let b = last.measurements.first(where: { $0.agent == "stackbridge" })
{
    say(
        "\nstackbridge cost curve: \(fixed(a.cpuPerMillion)) CPU s per 1M samples at \(first.scale)x, "
            + "\(fixed(b.cpuPerMillion)) at \(last.scale)x (linear cost: equal)")
}
