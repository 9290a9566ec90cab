import Foundation
import Testing

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
}
