// 200 targets of about 1 MB each, scraped concurrently by one HTTPClient and 200 ScrapeProcessors,
// served by a real nginx on 127.0.0.1. Prints wall and CPU time per round and the worst delay a
// 5 ms ticker saw meanwhile, which shows whether scraping blocks other work in the process.
// Run with `make bench` (release build).

import BridgeCore
import BridgeHTTP
import BridgeScrape
import BridgeTestPeers
import BridgeTestSupport
import Foundation

let targetCount = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 200 : 200
let rounds = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 5 : 5

func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

let body = CadvisorBodyGenerator(pods: 80).body()
let nginx = try NginxServer(body: body)
let port = nginx.port
defer { nginx.stop() }
// As the bridge runs it: one event loop per core, each target's scrape on its loop (ScrapePool).
let client = HTTPClient(userAgent: "stackbridge-bench", threads: ProcessInfo.processInfo.activeProcessorCount)
let targets = (0..<targetCount).map { ScrapeTarget(job: "bench", url: "http://127.0.0.1:\(port)/target-\($0)") }
_ = try await PeerProcess.fetch(targets[0].url, accept: "text/plain")

final class Processors: @unchecked Sendable {
    var all: [ScrapeProcessor]
    init(_ targets: [ScrapeTarget]) { all = targets.map { ScrapeProcessor(target: $0) } }
}
let processors = Processors(targets)

/// One round: every target fetched and processed concurrently.
func round() async -> (samples: Int, failures: Int) {
    await withTaskGroup(of: (Int, ScrapeResult?).self) { group in
        for (index, target) in targets.enumerated() {
            var processor = processors.all[index]
            let eventLoop = client.loop(for: target.idHash)
            group.addTask(executorPreference: eventLoop.executor) {
                let loop = ScrapeLoop(
                    target: target, client: client, sink: LatestScrapes(), logger: .init(label: "bench"),
                    clock: eventLoop.clock
                )
                let result = await loop.scrape(&processor)
                return (index, result)
            }
        }
        var samples = 0
        var failures = 0
        for await (_, result) in group {
            samples += result?.series.samples.count ?? 0
            failures += result?.up == true ? 0 : 1
        }
        return (samples, failures)
    }
}

_ = await round()  // Warm-up: connections, symbol tables.
let lag = LagMeter()
let ticker = Task { await lag.run() }
let cpuStart = ProcessStats.ownCPUSeconds()
let wallStart = ContinuousClock.now
var samples = 0
var failures = 0
for _ in 0..<rounds {
    let (roundSamples, roundFailures) = await round()
    samples += roundSamples
    failures += roundFailures
}
let wall = ContinuousClock.now - wallStart
let cpu = ProcessStats.ownCPUSeconds() - cpuStart
ticker.cancel()
let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
let megabytes = Double(body.count * targetCount * rounds) / 1e6

print(
    "\(targetCount) targets x \(body.count) bytes (\(samples / max(1, rounds) / targetCount) samples each), \(rounds) rounds, nginx on 127.0.0.1"
)
print("wall per round:      \(fixed(wallSeconds / Double(rounds) * 1000, 1)) ms")
print("CPU per round:       \(fixed(cpu / Double(rounds) * 1000, 1)) ms (user + system, both cores)")
print(
    "throughput:          \(fixed(megabytes / wallSeconds, 1)) MB/s wall, \(fixed(megabytes / cpu, 1)) MB per CPU-second"
)
print(
    "per sample:          \(fixed(cpu * 1e9 / Double(max(1, samples)), 1)) ns CPU (fetch + parse + label + staleness)")
print("failed scrapes:      \(failures)")
print("worst 5 ms tick lag: \(fixed(await lag.worst * 1000, 1)) ms (other work in the process kept running)")

/// Measures how late a 5 ms sleep wakes up while the scrapes run.
actor LagMeter {
    private(set) var worst = 0.0

    func run() async {
        while !Task.isCancelled {
            let start = ContinuousClock.now
            try? await Task.sleep(for: .milliseconds(5))
            let late = ContinuousClock.now - start - .milliseconds(5)
            worst = max(worst, Double(late.components.attoseconds) / 1e18 + Double(late.components.seconds))
        }
    }
}
