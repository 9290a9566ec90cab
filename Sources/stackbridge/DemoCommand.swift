import ArgumentParser
import BridgeCore
import BridgeHTTP
import BridgeScrape
import BridgeSimulator
import BridgeTopology

#if canImport(Glibc)
    import Glibc
#endif

/// `stackbridge demo`: runs what exists of the pipeline against the built-in simulated cluster.
///
/// Today: the cluster's topology (components, relations, health), and the kubelet bodies of every
/// node through the scraper's processing (series labels, relabeling) into one merged exposition. Scraping
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
        let unhealthy = Array(cluster.state.pods.values.map(rules.health(of:)).filter { $0.state != .clear })
        print("health   \(cluster.state.pods.count - unhealthy.count) pods clear, \(unhealthy.count) not")
        // The scraper's processing without the network: each node's body as its kubelet target
        // would see it (node and metrics_path labels, cAdvisor timestamps dropped, relabeling).
        let nodes = cluster.state.nodes.values.map {
            NodeAddress(name: $0.metadata.name, internalIP: $0.address("InternalIP") ?? "")
        }
        var template = ScrapeTarget(job: "kubelet", url: "")
        template.metricRelabelConfigs = Self.demoRules
        let targets = KubeletTargets.make(
            nodes: nodes.sorted { $0.name < $1.name },
            access: .proxy(apiServer: "https://simulated-apiserver", security: EndpointSecurity()),
            endpoints: [.cadvisor],
            template: template
        )
        var batches: [MetricBatch] = []
        var kept = 0
        for target in targets {
            var processor = ScrapeProcessor(target: target)
            let body = Array(cluster.cadvisor(node: target.instance).utf8)
            let result = processor.process(body: body, contentType: nil, timestamp: 0, duration: { 0 })
            kept += result.series.samples.count
            batches.append(result.series)
        }
        var written: [UInt8] = []
        ExpositionWriter(format: .text).emit(merging: batches, into: &written)
        var ksmIssues = ParseIssues()
        let ksm = MetricBatch.parse(Array(cluster.kubeStateMetrics().utf8), format: .text, issues: &ksmIssues)
        print(
            "metrics  kubelet: \(kept) series from \(targets.count) nodes after relabeling; kube-state-metrics: \(ksm.samples.count) samples"
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
