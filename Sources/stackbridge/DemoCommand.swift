import ArgumentParser
import BridgeApp
import BridgeSimulator
import BridgeSimulatorServer
import Foundation
import Hummingbird
import Logging

/// `stackbridge demo`: the whole pipeline against an in-process simulated cluster — the simulator's
/// Kubernetes API, kubelets and kube-state-metrics on a free port of 127.0.0.1, and the bridge
/// watching, scraping, joining and serving `/metrics` as `stackbridge run` does.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the full pipeline against a built-in simulated cluster and serve it on /metrics."
    )

    @Option(help: "Nodes in the simulated cluster.")
    var nodes = 3

    @Option(help: "Pods per node in the simulated cluster.")
    var podsPerNode = 20

    @Option(help: "Pod replacements per second in the simulated cluster.")
    var churn = 0.5

    @Option(help: "Where the bridge listens (HOST:PORT).")
    var listen = "127.0.0.1:10057"

    @Option(help: "Scrape interval.")
    var interval = "5s"

    @Option(help: "Stop after this many seconds (0: run until interrupted).")
    var duration = 0

    func run() async throws {
        var logger = Logger(label: "stackbridge")
        logger.logLevel =
            ProcessInfo.processInfo.environment["STACKBRIDGE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
            ?? .warning
        let cluster = SimulatedCluster(name: "demo", nodes: nodes, podsPerNode: podsPerNode)
        let host = SimulatorHost(cluster: cluster)
        let router = Router()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        SimulatorRoutes.register(router, host: host, advertised: "127.0.0.1")
        let simulator = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "stackbridge-sim"),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let interval = interval
        let listen = listen
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.runService() }
            group.addTask { await host.churn(perSecond: churn) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            let base = "http://127.0.0.1:\(port)"
            let yaml = """
                cluster_name: demo
                kubernetes:
                  api_server: \(base)
                scrape:
                  interval: \(interval)
                  timeout: \(interval)
                  kube_state_metrics:
                    urls: [\(base)/ksm/metrics]
                enrich:
                  pod_labels: [app.kubernetes.io/name]
                server:
                  listen: \(listen)
                """
            let configuration: Configuration
            do {
                configuration = try Configuration.parse(yaml)
            } catch {
                throw ValidationError("\(error)")
            }
            let bridge = try Bridge(configuration: configuration, version: BuildInfo.version, logger: logger)
            print(
                "stackbridge demo: simulated cluster \"demo\" with \(nodes) nodes and \(cluster.state.pods.count) pods")
            print(
                "  Kubernetes API, kubelets and kube-state-metrics at \(base) (try kubectl --server \(base) get pods -A)"
            )
            group.addTask {
                try await bridge.run { bound in
                    let address = "http://\(listen.split(separator: ":").dropLast().joined(separator: ":")):\(bound)"
                    print("  /metrics          \(address)/metrics   (enriched kubelet and kube-state-metrics series)")
                    print("  /telemetry        \(address)/telemetry (the bridge's own metrics)")
                    print("  /api/v1/topology  \(address)/api/v1/topology")
                    print("  /readyz           \(address)/readyz")
                    print("  forwarding to StackState and remote write arrives with later issues; Ctrl-C stops.")
                    fflush(nil)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(5))
                    let summary = bridge.telemetry.summary
                    let ready = bridge.readiness.isReady ? "ready" : "starting"
                    print(
                        "[\(ready)] targets \(summary.targets), scrapes \(summary.upScrapes)/\(summary.scrapes) up, "
                            + "series \(bridge.snapshot.seriesCount), components \(summary.components), forwards 0")
                    fflush(nil)
                }
            }
            if duration > 0 {
                try await Task.sleep(for: .seconds(duration))
                group.cancelAll()
            } else {
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
