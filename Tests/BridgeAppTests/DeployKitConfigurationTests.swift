import BridgeKubernetes
import Foundation
import Logging
import Testing
import Yams

@testable import BridgeApp

/// The configuration files deploy/ ships parse, in the modes their workloads need.
@Suite struct DeployKitConfigurationTests {
    static let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/base/config")

    @Test func theClusterAndNodeConfigurationsParse() throws {
        let cluster = try Configuration.load(file: Self.config.appendingPathComponent("cluster.yaml").path)
        #expect(cluster.mode == .cluster)
        #expect(cluster.scrape.kubeStateMetricsService == "kube-system/kube-state-metrics")
        #expect(cluster.stackState?.apiKeyFile == "/etc/stackbridge/secret/api-key")
        let node = try Configuration.load(file: Self.config.appendingPathComponent("node.yaml").path)
        #expect(node.mode == .node)
        #expect(node.kubernetes.leaderElection.enabled != true)
        #expect(node.stackState?.apiKeyFile == "/etc/stackbridge/secret/api-key")
    }

    /// The `processes` overlay's files are the base's with processes on, and nothing else changed.
    @Test func theProcessesOverlayEnablesProcessesAndOnlyThat() throws {
        let overlay = Self.config.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("overlays/processes/config")
        for file in ["cluster.yaml", "node.yaml"] {
            var enabled = try Configuration.load(file: overlay.appendingPathComponent(file).path)
            let base = try Configuration.load(file: Self.config.appendingPathComponent(file).path)
            #expect(enabled.processes.enabled && !base.processes.enabled, "\(file)")
            enabled.processes.enabled = false
            #expect(enabled == base, "\(file): the overlay differs from the base in more than processes.enabled")
        }
    }

    /// The `large-cluster` overlay's files: the leader reads only the unscheduled pods'
    /// kube-state-metrics, the node agents their node's, the shard sidecars their shard's; each
    /// validates as `run` would start it.
    @Test func theLargeClusterOverlaySplitsKubeStateMetricsByNodeAndShard() throws {
        let overlay = Self.config.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("overlays/large-cluster/config")
        let cluster = try Configuration.load(file: overlay.appendingPathComponent("cluster.yaml").path)
        #expect(cluster.mode == .cluster && cluster.scrape.kubeStateMetricsURLs.count == 1)
        #expect(cluster.scrape.kubeStateMetricsURLs.first?.contains("unscheduled") == true)
        let node = try Configuration.load(file: overlay.appendingPathComponent("node.yaml").path)
        #expect(node.mode == .node && node.scrape.kubeStateMetricsNodeLocalURL != nil)
        let shard = try Configuration.load(file: overlay.appendingPathComponent("shard.yaml").path)
        #expect(shard.mode == .shard && shard.scrape.kubeStateMetricsURLs == ["http://localhost:8080/metrics"])
        #expect(shard.scrape.kubeStateMetricsTelemetryURL == "http://localhost:8081/metrics")
        #expect(shard.stackState?.apiKeyFile == "/etc/stackbridge/secret/api-key")
    }
}

/// deploy/'s cluster roles grant list and watch on exactly the resources each mode watches.
@Suite struct DeployKitRoleTests {
    static let base = DeployKitConfigurationTests.config.deletingLastPathComponent()

    /// `resource.group` (or `resource` for the core group) → verbs, from a ClusterRole's rules.
    static func grants(_ file: String) throws -> [String: Set<String>] {
        let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
        var grants: [String: Set<String>] = [:]
        for document in try Yams.load_all(yaml: text) {
            guard let object = document as? [String: Any], object["kind"] as? String == "ClusterRole" else { continue }
            for rule in object["rules"] as? [[String: Any]] ?? [] {
                let verbs = Set(rule["verbs"] as? [String] ?? [])
                for group in rule["apiGroups"] as? [String] ?? [] {
                    for resource in rule["resources"] as? [String] ?? [] {
                        grants[group.isEmpty ? resource : "\(resource).\(group)", default: []].formUnion(verbs)
                    }
                }
            }
        }
        return grants
    }

    func watched(_ mode: String) throws -> Set<String> {
        let shard =
            mode == "shard"
            ? "\nscrape: {kube_state_metrics: {urls: ['http://localhost:8080/metrics'], "
                + "telemetry_url: 'http://localhost:8081/metrics'}}" : ""
        let configuration = try Configuration.parse(
            "cluster_name: c\nmode: \(mode)\nkubernetes: {api_server: 'https://10.0.0.1'}" + shard)
        let bridge = try Bridge(configuration: configuration, version: "t", logger: Logger(label: "t"))
        return Set(bridge.watchedKinds.map(\.kind.resource))
    }

    @Test func theClusterRoleListsAndWatchesWhatClusterModeWatchesAndNothingElse() throws {
        let grants = try Self.grants("rbac-cluster.yaml")
        let watching = Set(grants.filter { $0.value.isSuperset(of: ["list", "watch"]) }.keys)
        // The StackState forwarder watches events besides the topology's resources.
        #expect(watching == (try watched("cluster")).union([ResourceKind.events.resource]))
        #expect(grants.values.allSatisfy { $0.isSubset(of: ["get", "list", "watch"]) }, "read only")
        #expect(grants["endpoints"] == ["get"])
    }

    /// The shard sidecars share kube-state-metrics' service account, whose role covers what
    /// `shard` mode watches.
    @Test func theKubeStateMetricsRoleCoversWhatShardModeWatches() throws {
        let grants = try Self.grants("../overlays/large-cluster/kube-state-metrics-rbac.yaml")
        let watching = Set(grants.filter { $0.value.isSuperset(of: ["list", "watch"]) }.keys)
        #expect((try watched("shard")).isSubset(of: watching))
        #expect(grants.values.allSatisfy { $0.isSubset(of: ["get", "list", "watch"]) }, "read only")
    }

    @Test func theNodeRoleListsAndWatchesWhatNodeModeWatchesAndProxiesToKubelets() throws {
        let grants = try Self.grants("rbac-node.yaml")
        let watching = Set(grants.filter { $0.value.isSuperset(of: ["list", "watch"]) }.keys)
        #expect(watching == (try watched("node")))
        #expect(grants["nodes/proxy"] == ["get"])
        #expect(grants.values.allSatisfy { $0.isSubset(of: ["get", "list", "watch"]) }, "read only")
    }
}
