import ArgumentParser
import BridgeCore
import BridgeSimulator
import BridgeTopology

#if canImport(Glibc)
    import Glibc
#endif

/// `stackbridge demo`: runs what exists of the pipeline against the built-in simulated cluster.
///
/// Today: the cluster's topology (components, relations, health) and the metric core on the
/// cluster's kubelet and kube-state-metrics bodies (parse, relabel, write in both formats). Scraping
/// the simulator over HTTP, the topology join, the `/metrics` server and the forwarders join this
/// command as they land.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the pipeline against the built-in simulated cluster (today: topology and metric core)."
    )

    @Option(help: "Nodes in the simulated cluster.")
    var nodes = 3

    @Option(help: "Pods per node in the simulated cluster.")
    var podsPerNode = 20

    @Option(help: "Write the relabeled kubelet exposition of every node to this file.")
    var output: String?

    func run() throws {
        print("stackbridge demo: scraping over HTTP, the topology join, /metrics and the forwarders arrive with")
        print("later issues; this run shows the topology and the metric core on a simulated cluster.\n")
        let cluster = SimulatedCluster(name: "demo", nodes: nodes, podsPerNode: podsPerNode)
        let topology = TopologyBuilder.build(cluster.state)
        print("cluster  \(cluster.state.nodes.count) nodes, \(cluster.state.pods.count) pods")
        print("topology \(topology.components.count) components, \(topology.relations.count) relations")
        for type in ComponentType.allCases {
            let count = topology.components.values.filter { $0.type == type }.count
            if count > 0 { print("         \(type.rawValue): \(count)") }
        }
        let rules = HealthRules()
        let unhealthy = cluster.state.pods.values.map(rules.health(of:)).filter { $0.state != .clear }
        print("health   \(cluster.state.pods.count - unhealthy.count) pods clear, \(unhealthy.count) not")
        var batches: [MetricBatch] = []
        var samples = 0
        var dropped = 0
        for node in cluster.state.nodes.keys.sorted() {
            var issues = ParseIssues()
            var batch = MetricBatch.parse(Array(cluster.cadvisor(node: node).utf8), format: .text, issues: &issues)
            samples += batch.samples.count
            dropped += Relabeler(Self.demoRules).apply(to: &batch)
            batches.append(batch)
        }
        var written: [UInt8] = []
        ExpositionWriter(format: .text).emit(merging: batches, into: &written)
        var ksmIssues = ParseIssues()
        let ksm = MetricBatch.parse(Array(cluster.kubeStateMetrics().utf8), format: .text, issues: &ksmIssues)
        print(
            "metrics  kubelet: \(samples) samples parsed, \(dropped) dropped by relabeling; kube-state-metrics: \(ksm.samples.count) samples"
        )
        if let output {
            guard let file = fopen(output, "w") else { throw ValidationError("cannot open \(output) for writing") }
            _ = written.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            print("         written to \(output)")
        }
        print("\nfirst kubelet series as StackLight would see them:")
        for line in String(decoding: written.prefix(2000), as: UTF8.self).split(separator: "\n").prefix(6) {
            print("  " + line.prefix(160))
        }
    }

    /// A typical kubelet `metric_relabel_configs`: drop the cgroup path and runtime id, which only
    /// add cardinality, and strip image digests.
    static let demoRules: [RelabelConfig] = [
        RelabelConfig(regex: try! RelabelRegex("id|name"), action: .labelDrop),
        RelabelConfig(
            sourceLabels: ["image"], targetLabel: "image", regex: try! RelabelRegex("(.*)@sha256:.*"), replacement: "$1"
        ),
    ]
}
