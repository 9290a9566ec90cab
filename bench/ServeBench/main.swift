// CPU cost of serving /metrics with at least 140,000 series, next to Prometheus 2.42 serving the
// same series on /federate, measured in the same run (issue 5). Run with `make bench`.
//
// 1. stackbridge-sim serves NODES x PODS_PER_NODE pods; `stackbridge run` (release) scrapes it
//    and serves the enriched series; Prometheus scrapes the bridge (honor_labels) until it holds
//    them too.
// 2. Each server's CPU (utime + stime from /proc/PID/stat) is read over a window in which curl
//    makes REQUESTS sequential requests, and over an equally long idle window; the difference
//    divided by REQUESTS is the CPU per request. Both servers keep scraping in both windows, so the
//    background cancels out.
// 3. The bridge renders a body once per change and shares it; between its scrapes requests are
//    served from that cache. The worst case adds a fresh rendering to every request: the same
//    series in an ExpositionSnapshot in this process, rendered after a new generation each time.

import BridgeCore
import BridgeServer
import BridgeTestPeers
import Foundation

let nodes = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100 : 100
let podsPerNode = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 48 : 48
let requests = CommandLine.arguments.count > 3 ? Int(CommandLine.arguments[3]) ?? 10 : 10

/// GETs `url` with curl (a separate process, so its CPU is not counted); returns the body size.
@discardableResult
func curl(_ url: String, accept: String = "text/plain;version=0.0.4") throws -> Int {
    let (status, output) = try PeerProcess.run(
        "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{size_download}", "-H", "Accept: \(accept)", url])
    guard status == 0 else { throw PeerError("curl \(url) failed: \(output)") }
    return Int(output) ?? 0
}

/// CPU per request of `pid` serving `url`: (window with requests - idle window) / requests.
func cpuPerRequest(pid: Int32, url: String) throws -> (seconds: Double, bytes: Int) {
    var bytes = 0
    let start = ContinuousClock.now
    let before = ProcessStats.cpuSeconds(pid)
    for _ in 0..<requests { bytes = try curl(url) }
    let busy = ProcessStats.cpuSeconds(pid) - before
    let window = ContinuousClock.now - start
    let idleBefore = ProcessStats.cpuSeconds(pid)
    Thread.sleep(forTimeInterval: Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18)
    let idle = ProcessStats.cpuSeconds(pid) - idleBefore
    return (max(0, busy - idle) / Double(requests), bytes)
}

func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

print("starting stackbridge-sim with \(nodes) nodes x \(podsPerNode) pods (not timed)...")
let simulator = try SimulatorProcess(["--nodes", "\(nodes)", "--pods-per-node", "\(podsPerNode)"])
defer { simulator.stop() }
let bridgePort = try PeerProcess.freePort()
let configFile = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-serve-bench.yaml")
try """
cluster_name: bench
kubernetes: {api_server: \(simulator.url)}
scrape:
  interval: 15s
  timeout: 15s
  kube_state_metrics: {urls: [\(simulator.url)/ksm/metrics]}
topology_metrics: {interval: 1m}
""".write(to: configFile, atomically: true, encoding: .utf8)
let bridge = try PeerProcess(
    PeerProcess.builtProduct("stackbridge"),
    ["run", "--config", configFile.path, "--listen", "127.0.0.1:\(bridgePort)", "--log-level", "error"])
defer { bridge.stop() }
let bridgeURL = "http://127.0.0.1:\(bridgePort)"
_ = try await PeerProcess.fetch(bridgeURL + "/readyz", accept: "*/*", timeout: .seconds(300))
let bridgeSeries = try await ProcessStats.sampleLines(at: bridgeURL + "/metrics")
print("bridge ready: /metrics serves \(bridgeSeries) series")

let prometheus = try PrometheusServer(
    configuration: """
        global: {scrape_interval: 15s}
        scrape_configs:
          - job_name: stackbridge
            honor_labels: true
            static_configs: [{targets: ['127.0.0.1:\(bridgePort)']}]
        """)
defer { prometheus.stop() }
let federate = prometheus.url + "/federate?match%5B%5D=%7B__name__%3D~%22.%2B%22%7D"
var federatedSeries = 0
for _ in 0..<120 where federatedSeries < bridgeSeries * 9 / 10 {
    try await Task.sleep(for: .seconds(1))
    federatedSeries = (try? await ProcessStats.sampleLines(at: federate)) ?? 0
}
print("prometheus ingested: /federate serves \(federatedSeries) series")

let bridgeCost = try cpuPerRequest(pid: bridge.process.processIdentifier, url: bridgeURL + "/metrics")
let federateCost = try cpuPerRequest(pid: prometheus.peer.process.processIdentifier, url: federate)

// The worst case for the bridge: every request finds a new generation and renders the body.
let (body, _) = try await PeerProcess.fetch(bridgeURL + "/metrics", accept: "text/plain;version=0.0.4")
var issues = ParseIssues()
let parsed = MetricBatch.parse(Array(body), format: .text, issues: &issues)
let snapshot = ExpositionSnapshot(now: { 0 })
snapshot.update("all", batches: [parsed], timestamp: 0, interval: nil)
_ = snapshot.render(.text, gzip: false)
var renderCPU = 0.0
for _ in 0..<requests {
    let before = ProcessStats.ownCPUSeconds()
    snapshot.update("all", batches: [parsed], timestamp: 0, interval: nil)
    let rendered = snapshot.render(.text, gzip: false)
    renderCPU += ProcessStats.ownCPUSeconds() - before
    precondition(rendered.count > 0)
}
let renderPerRequest = renderCPU / Double(requests)

print("")
print(
    "CPU per /metrics request, \(requests) sequential requests each, \(bridgeSeries) series (\(bridgeCost.bytes / 1024) KiB):"
)
print("  stackbridge /metrics (render once per change, shared):  \(ms(bridgeCost.seconds))")
print("  + a fresh rendering (worst case, once per change):     \(ms(renderPerRequest))")
print("  = stackbridge worst case per request:                    \(ms(renderPerRequest + bridgeCost.seconds))")
print(
    "  prometheus 2.42 /federate (\(federatedSeries) series, \(federateCost.bytes / 1024) KiB):  \(ms(federateCost.seconds))"
)
print(
    "  ratio worst case / federate: \(String(format: "%.2f", (renderPerRequest + bridgeCost.seconds) / max(federateCost.seconds, 1e-9)))x; "
        + "shared / federate: \(String(format: "%.2f", bridgeCost.seconds / max(federateCost.seconds, 1e-9)))x")
