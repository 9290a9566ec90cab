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

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let level = try logging.bootstrap(
            defaultLevel: ProcessInfo.processInfo.environment["STACKBRIDGE_LOG_LEVEL"].flatMap {
                LoggingOptions.level($0)
            } ?? .warning)
        var logger = Logger(label: "stackbridge")
        logger.logLevel = level
        // The in-process simulator is stopped by cancellation when the demo ends, which its server
        // reports as errors that are not the operator's concern.
        var simulatorLogger = logger
        simulatorLogger.logLevel = .critical
        let cluster = SimulatedCluster(name: "demo", nodes: nodes, podsPerNode: podsPerNode)
        let host = SimulatorHost(cluster: cluster)
        let router = Router()
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        SimulatorRoutes.register(router, host: host, advertised: "127.0.0.1")
        // The strict StackState receiver double stands in for a StackState tenant.
        let receiver = SimulatedStackStateReceiver()
        ReceiverRoutes.register(router, double: receiver, apiKey: "demo-api-key")
        let simulator = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "stackbridge-sim"),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: simulatorLogger)
        let interval = interval
        let listen = listen
        // Each task returns its name, so the demo can wait for the bridge in particular.
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    try await simulator.runService()
                } catch is CancellationError {
                    // Stopped with the demo.
                } catch {
                    portContinuation.finish()
                    throw error
                }
                return "simulator"
            }
            group.addTask {
                await host.churn(perSecond: churn)
                return "churn"
            }
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
                processes:
                  enabled: true
                  interval: \(interval)
                stackstate:
                  url: \(base)/receiver/stsAgent
                  topology_interval: 30s
                  metrics_interval: 30s
                """
            let configuration: Configuration
            do {
                configuration = try Configuration.parse(yaml)
            } catch {
                throw ValidationError("\(error)")
            }
            var environment = ProcessInfo.processInfo.environment
            environment["STS_API_KEY"] = "demo-api-key"
            let bridge = try Bridge(
                configuration: configuration, version: BuildInfo.version, logger: logger, environment: environment)
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
                    print(
                        "  StackState        \(base)/receiver/stsAgent (a simulated receiver; what arrived: /received)")
                    print("  Ctrl-C stops. Remote write needs a receiver: see remote_write in docs/configuration.md.")
                    fflush(nil)
                }
                return "bridge"
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(5))
                    let summary = bridge.telemetry.summary
                    let ready = bridge.readiness.isReady ? "ready" : "starting"
                    print(
                        "[\(ready)] targets \(summary.targets), scrapes \(summary.upScrapes)/\(summary.scrapes) up, "
                            + "series \(bridge.snapshot.seriesCount), components \(summary.components), process "
                            + "connections \(bridge.store.snapshot.processes.connections.count) (after 60 s); StackState got "
                            + "\(receiver.snapshots) snapshots (\(receiver.components.count) components, "
                            + "\(receiver.deleted.count) deletions), \(receiver.events.count) events, "
                            + "\(receiver.seriesCount) series")
                    fflush(nil)
                }
                return "summary"
            }
            if duration > 0 {
                try await Task.sleep(for: .seconds(duration))
                // The same graceful shutdown as Ctrl-C: the bridge's services stop in order (the
                // in-process simulator, a Hummingbird service too, stops on the signal as well).
                kill(getpid(), SIGTERM)
                while try await group.next() != "bridge" {}
                group.cancelAll()
            } else {
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }
}
