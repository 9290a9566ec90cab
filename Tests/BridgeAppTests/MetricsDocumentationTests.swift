import BridgeKubernetes
import BridgeTopology
import Foundation
import Logging
import Testing

@testable import BridgeApp

/// docs/metrics.md and the code name the same metrics and labels.
@Suite struct MetricsDocumentationTests {
    static let document: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/metrics.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// Every `stackbridge_…` name in backquotes in the document.
    static var documentedMetrics: Set<String> {
        let pattern = try! Regex(#"`(stackbridge_[a-z0-9_]+)`"#)
        return Set(document.matches(of: pattern).compactMap { $0.output[1].substring.map(String.init) })
    }

    @Test func everyMetricOfTheCodeIsDocumentedAndNothingElse() {
        #expect(!Self.document.isEmpty, "docs/metrics.md not found")
        let code =
            Set(Telemetry.familyNames)
            .union([
                TopologyMetrics.componentInfo, TopologyMetrics.relationInfo, TopologyMetrics.componentHealth,
                TopologyMetrics.connectionInfo,
            ])
        let documented = Self.documentedMetrics
        #expect(code.subtracting(documented).isEmpty, "undocumented: \(code.subtracting(documented).sorted())")
        #expect(
            documented.subtracting(code).isEmpty, "documented but not exposed: \(documented.subtracting(code).sorted())"
        )
    }

    @Test func telemetryExposesExactlyItsListedFamilies() {
        let telemetry = Telemetry(version: "t")
        // The election and watcher families appear once there is an election and a contact.
        func names() -> Set<String> {
            let batch = telemetry.batch()
            return Set(batch.families.map { batch.symbols.string($0.name) })
        }
        let optional = Set([
            "stackbridge_leader_election_is_leader", "stackbridge_leader_election_acquired_total",
            "stackbridge_k8s_last_contact_timestamp_seconds", "stackbridge_kubernetes_sync_ok",
            "stackbridge_config_last_reload_successful", "stackbridge_config_last_reload_success_timestamp_seconds",
        ]).union(ProcessTelemetry.familyNames).union(KubeStateMetricsShardState.familyNames)
        let all = Set(Telemetry.familyNames).union(ProcessMetrics.familyNames)
        #expect(names() == all.subtracting(optional))
        telemetry.add(Leadership(elected: true), lease: "monitoring/stackbridge")
        let store = ClusterStore(clusterName: "c")
        store.recordContact("pods")
        telemetry.add(store)
        telemetry.add(ConfigurationReloader(file: nil, initial: Configuration(), logger: Logger(label: "t")))
        let processes = ProcessTelemetry()
        telemetry.add(processes)
        processes.recordCollection(.init(), seconds: 0.1)
        processes.recordReport(success: true)
        let shard = KubeStateMetricsShardState(handover: .seconds(2))
        telemetry.add(shard)
        shard.record(ordinal: 1, total: 3)
        #expect(names() == all)
    }

    @Test func everyEnrichmentLabelIsDocumented() {
        let options = EnrichmentOptions()
        for label in [
            options.nodeLabel, options.workloadKindLabel, options.workloadLabel, options.ownerKindLabel,
            options.ownerLabel, options.zoneLabel, options.regionLabel, options.clusterLabel, "label_<name>",
        ] {
            #expect(Self.document.contains("| `\(label)` |"), "enrichment label \(label) is not in docs/metrics.md")
        }
    }
}
