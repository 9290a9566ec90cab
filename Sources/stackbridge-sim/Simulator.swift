import ArgumentParser
import BridgeSimulator
import BridgeSimulatorServer
import Hummingbird
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `stackbridge-sim`: a consistent simulated cluster served over HTTP — the Kubernetes API,
/// kubelet endpoints through the apiserver proxy path, and kube-state-metrics at `/ksm/metrics`.
@main
struct Simulator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stackbridge-sim",
        abstract: "Serve a simulated Kubernetes cluster: API (list, watch), kubelet proxy paths and kube-state-metrics."
    )

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one).")
    var listen = "127.0.0.1:8001"

    @Option(help: "Number of nodes.")
    var nodes = 3

    @Option(help: "Pods per node (about).")
    var podsPerNode = 10

    @Option(help: "Seed for names and ids.")
    var seed: UInt64 = 1

    @Option(help: "Pod replacements per second (0: a still cluster).")
    var churn = 0.0

    @Option(help: "Cluster name.")
    var clusterName = "sim"

    @Option(help: "API key the StackState receiver double at /receiver/stsAgent/ accepts.")
    var receiverApiKey = "sim-api-key"

    @Option(
        help:
            "Bucket of the remote-write ledger at /ledger/ in milliseconds: the scrape interval of the senders it checks."
    )
    var ledgerInterval: Int64 = 1000

    @Flag(
        inversion: .prefixedNo,
        help:
            "Serve streaming lists (watch with sendInitialEvents=true); without, refuse them with 422 as a server with the WatchList feature off does."
    )
    var streamingLists = true

    func validate() throws {
        guard let colon = listen.lastIndex(of: ":"), Int(listen[listen.index(after: colon)...]) != nil else {
            throw ValidationError(
                "--listen: invalid value \"\(listen)\" (expected HOST:PORT, for example 127.0.0.1:8001)")
        }
        guard nodes > 0, podsPerNode > 1 else {
            throw ValidationError("--nodes must be at least 1 and --pods-per-node at least 2")
        }
    }

    func run() async throws {
        let colon = listen.lastIndex(of: ":")!
        let hostName = String(listen[..<colon])
        let port = Int(listen[listen.index(after: colon)...])!
        let cluster = SimulatedCluster(name: clusterName, nodes: nodes, podsPerNode: podsPerNode, seed: seed)
        let host = SimulatorHost(cluster: cluster, streamingLists: streamingLists)
        let router = Router()
        SimulatorRoutes.register(router, host: host, advertised: listen)
        ReceiverRoutes.register(router, double: SimulatedStackStateReceiver(), apiKey: receiverApiKey)
        LedgerRoutes.register(
            router, ledger: RemoteWriteLedger(intervalMilliseconds: ledgerInterval, leavingOut: "instance"))
        var logger = Logger(label: "stackbridge-sim")
        logger.logLevel = .warning
        let pods = cluster.state.pods.count
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(hostName, port: port), serverName: "stackbridge-sim"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                print("stackbridge-sim listening on http://\(hostName):\(bound) (\(nodes) nodes, \(pods) pods)")
                // Tests and scripts read this line from a pipe; do not leave it in a buffer.
                fflush(nil)
            },
            logger: logger
        )
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await host.churn(perSecond: churn) }
            try await app.runService()
            group.cancelAll()
        }
    }
}
