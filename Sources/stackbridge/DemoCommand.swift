import ArgumentParser
import BridgeCore
import BridgeTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `stackbridge demo`: runs what exists of the pipeline on generated data.
///
/// Today that is the metric core: a kubelet cAdvisor body is generated, parsed, relabeled with a
/// typical `metric_relabel_configs` and written as text 0.0.4 and OpenMetrics. The simulator,
/// topology join and forwarders join this command as they land.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the pipeline against generated data (today: the metric core on a kubelet body)."
    )

    @Option(help: "Pods on the generated node.")
    var pods = 110

    @Option(help: "Write the relabeled exposition to this file.")
    var output: String?

    func run() throws {
        print("stackbridge demo: the simulated cluster, topology join and forwarders arrive with later issues;")
        print("this run shows the metric core on a generated kubelet /metrics/cadvisor body.\n")
        let body = CadvisorBodyGenerator(pods: pods).body()
        var issues = ParseIssues()
        var batch = MetricBatch.parse(body, format: .text, issues: &issues)
        print(
            "parsed   \(body.count) bytes: \(batch.families.count) families, \(batch.samples.count) samples, "
                + "\(issues.count) bad lines, \(batch.symbols.count) distinct strings")
        let relabeler = Relabeler(Self.demoRules)
        let dropped = relabeler.apply(to: &batch)
        print("relabel  \(Self.demoRules.count) rules: dropped \(dropped) samples, \(batch.samples.count) left")
        for format in ExpositionFormat.allCases {
            var text: [UInt8] = []
            ExpositionWriter(format: format).emit(batch, into: &text)
            print("write    \(format.contentType): \(text.count) bytes")
            if format == .text, let output {
                let file = fopen(output, "w")
                guard let file else { throw ValidationError("cannot open \(output) for writing") }
                _ = text.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
                fclose(file)
                print("         written to \(output)")
            }
        }
        var preview: [UInt8] = []
        ExpositionWriter(format: .text).emit(batch, into: &preview)
        print("\nfirst lines of /metrics as StackLight would see them:")
        for line in String(decoding: preview.prefix(1200), as: UTF8.self).split(separator: "\n").prefix(5) {
            print("  " + line.prefix(160))
        }
    }

    /// A typical kubelet `metric_relabel_configs`: drop the cgroup path and runtime id, which only
    /// add cardinality, and keep only the families dashboards use.
    static let demoRules: [RelabelConfig] = [
        RelabelConfig(regex: try! RelabelRegex("id|name"), action: .labelDrop),
        RelabelConfig(
            sourceLabels: ["__name__"],
            regex: try! RelabelRegex(
                "container_(cpu_usage_seconds|memory_working_set_bytes|network_.*)_total|container_memory_working_set_bytes"
            ),
            action: .keep
        ),
        RelabelConfig(
            sourceLabels: ["image"],
            targetLabel: "image",
            regex: try! RelabelRegex("(.*)@sha256:.*"),
            replacement: "$1"
        ),
    ]
}
