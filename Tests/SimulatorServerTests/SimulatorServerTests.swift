import BridgeCore
import BridgeHTTP
import BridgeKubernetes
import BridgeScrape
import BridgeSimulator
import BridgeTestPeers
import BridgeTopology
import Foundation
import Logging
import Testing

/// The `stackbridge-sim` binary against real clients: kubectl, the bridge's watcher and scraper.
@Suite struct SimulatorServerTests {
    /// Unlimited connections per host, as the bridge's watch client: every watched kind holds a
    /// watch open, and there are more kinds than a limited client's 16 connections.
    let client = HTTPClient(userAgent: "stackbridge-test", maxConnectionsPerHost: 0)

    func kubectl(_ simulator: SimulatorProcess, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try PeerProcess.run("/usr/bin/kubectl", ["--server", simulator.url] + arguments)
    }

    @Test func kubectlListsTheCluster() throws {
        let simulator = try SimulatorProcess(["--nodes", "3", "--pods-per-node", "10", "--seed", "3"])
        let cluster = SimulatedCluster(name: "sim", nodes: 3, podsPerNode: 10, seed: 3)
        let (status, pods) = try kubectl(simulator, ["get", "pods", "-A", "--no-headers"])
        #expect(status == 0, "\(pods)")
        #expect(pods.split(separator: "\n").count == cluster.state.pods.count)
        let anyPod = try #require(cluster.state.pods.keys.first)
        #expect(pods.contains(anyPod.name))
        let (workloadStatus, workloads) = try kubectl(simulator, ["get", "deploy,ds,sts", "-A", "--no-headers"])
        #expect(workloadStatus == 0, "\(workloads)")
        let expected =
            cluster.state.deployments.count + cluster.state.daemonSets.count + cluster.state.statefulSets.count
        #expect(workloads.split(separator: "\n").count == expected)
        let (versionStatus, version) = try kubectl(simulator, ["get", "--raw", "/version"])
        #expect(versionStatus == 0)
        #expect(version.contains(#""gitVersion":"v1.29.4-stackbridge-sim""#))
        let (_, namespace) = try kubectl(simulator, ["get", "namespace", "kube-system", "--no-headers"])
        #expect(namespace.hasPrefix("kube-system"))
    }

    @Test func kubectlWatchSeesChurn() throws {
        let simulator = try SimulatorProcess(["--nodes", "2", "--pods-per-node", "6", "--churn", "5"])
        let (_, output) = try PeerProcess.run(
            "/usr/bin/timeout",
            ["3", "/usr/bin/kubectl", "--server", simulator.url, "get", "pods", "-A", "-w", "--no-headers"]
        )
        // Churn names replacements <replicaset>-r<N>; the watch shows them after the initial list.
        #expect(output.contains("-r1"), "\(output)")
    }

    @Test func theWatcherSyncsEveryKindIncludingMetadataOnlySecrets() async throws {
        let simulator = try SimulatorProcess(["--nodes", "2", "--pods-per-node", "8", "--churn", "4"])
        let store = ClusterStore(clusterName: "sim")
        let config = APIServerConfig(server: simulator.url, security: EndpointSecurity(), source: .configuration)
        let cluster = SimulatedCluster(name: "sim", nodes: 2, podsPerNode: 8)
        let expectedTypes = Set(TopologyBuilder.build(cluster.state).components.values.map(\.type))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for kind in ResourceKind.all {
                let watcher = ResourceWatcher(
                    kind: kind, config: config, client: client, store: store, logger: Logger(label: "test"),
                    watchTimeout: .seconds(20), pageSize: 5
                )
                group.addTask { try await watcher.run() }
            }
            var synced = false
            for _ in 0..<300 where !synced {
                let state = store.snapshot
                let types = Set(TopologyBuilder.build(state).components.values.map(\.type))
                synced =
                    state.nodes.count == 2 && state.secrets.count == cluster.state.secrets.count
                    && state.volumeAttachments.count == cluster.state.volumeAttachments.count
                    && state.pods.count >= cluster.state.pods.count
                    && state.pods.keys.contains { $0.name.contains("-r") } && types == expectedTypes
                try await Task.sleep(for: .milliseconds(50))
            }
            // Every kind listed (secrets as metadata only), churn seen through the pod watch, and the
            // topology has every component type the simulated cluster has.
            let state = store.snapshot
            let missing = expectedTypes.subtracting(TopologyBuilder.build(state).components.values.map(\.type))
            #expect(
                synced,
                "nodes \(state.nodes.count), secrets \(state.secrets.count)/\(cluster.state.secrets.count), attachments \(state.volumeAttachments.count), pods \(state.pods.count)/\(cluster.state.pods.count), missing \(missing)"
            )
            group.cancelAll()
        }
    }

    @Test func eventsWatchQueuesWhatHappensAfterTheFirstList() async throws {
        let simulator = try SimulatorProcess(["--nodes", "2", "--pods-per-node", "6", "--churn", "5"])
        let queue = EventQueue()
        let config = APIServerConfig(server: simulator.url, security: EndpointSecurity(), source: .configuration)
        let watcher = ResourceWatcher(
            kind: .events, config: config, client: client, store: ClusterStore(clusterName: "sim"), events: queue,
            logger: Logger(label: "test"), watchTimeout: .seconds(20)
        )
        var drained: [KubernetesEvent] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run() }
            for _ in 0..<200 where drained.count < 6 {
                drained += queue.drain()
                try await Task.sleep(for: .milliseconds(50))
            }
            group.cancelAll()
        }
        // The events the cluster was built with (Scheduled, BackOff, ScalingReplicaSet at creation)
        // are history; churn's Killing and Scheduled pairs arrive through the watch, each once.
        #expect(drained.count >= 6)
        #expect(drained.allSatisfy { $0.metadata.uid?.hasPrefix("churn-") == true }, "\(drained.map(\.reason))")
        #expect(Set(drained.compactMap(\.reason)) == ["Killing", "Scheduled"])
        #expect(Set(drained.compactMap(\.metadata.uid)).count == drained.count)
    }

    @Test func kubeletAndKubeStateMetricsScrapeThroughTheSimulator() async throws {
        let simulator = try SimulatorProcess(["--nodes", "2", "--pods-per-node", "6"])
        let targets =
            KubeletTargets.make(
                nodes: [
                    NodeAddress(name: "node-0", internalIP: "10.0.0.1"),
                    NodeAddress(name: "node-1", internalIP: "10.0.0.2"),
                ],
                access: .proxy(apiServer: simulator.url, security: EndpointSecurity()),
                endpoints: [.cadvisor]
            ) + KubeStateMetricsTargets.make(urls: [simulator.url + "/ksm/metrics"])
        for target in targets {
            let loop = ScrapeLoop(
                target: target, client: client, sink: LatestScrapes(), logger: Logger(label: "test"),
                clock: ContinuousClock())
            var processor = ScrapeProcessor(target: target)
            let result = try #require(await loop.scrape(&processor))
            #expect(result.up, "\(target.url): \(String(describing: result.failure))")
            #expect(result.parseIssues.isEmpty)
            #expect(result.series.samples.count > 5)
        }
    }

    /// The `/sim/requests` counts as `verb resource list selector` strings.
    func requests(_ simulator: SimulatorProcess) async throws -> [String: Int] {
        let body = try await PeerProcess.fetch(simulator.url + "/sim/requests", accept: "application/json").0
        let rows = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["requests"] as? [[String: Any]]
        var counts: [String: Int] = [:]
        for row in rows ?? [] {
            let key = ["verb", "resource", "list", "selector"].map { row[$0] as? String ?? "" }.joined(separator: " ")
            counts[key, default: 0] += row["count"] as? Int ?? 0
        }
        return counts
    }

    /// A node agent's pod watcher: one streaming list of its own node's pods, completed by the end
    /// bookmark, whose stream then carries that node's churn and nothing of other nodes'.
    @Test func aNodesPodWatchIsOneStreamingListOfItsOwnPods() async throws {
        let simulator = try SimulatorProcess(["--nodes", "3", "--pods-per-node", "8", "--churn", "10"])
        let cluster = SimulatedCluster(name: "sim", nodes: 3, podsPerNode: 8)
        let onNode = cluster.state.pods.values.filter { $0.spec?.nodeName == "node-1" }.count
        let store = ClusterStore(clusterName: "sim")
        let config = APIServerConfig(server: simulator.url, security: EndpointSecurity(), source: .configuration)
        let watcher = ResourceWatcher(
            kind: .pods, config: config, client: client, store: store, logger: Logger(label: "test"),
            watchTimeout: .seconds(20), fieldSelector: "spec.nodeName=node-1")
        var nodes: Set<String> = []
        var replaced = false
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await watcher.run() }
            for _ in 0..<200 where !(replaced && store.hasSettled(["pods"])) {
                let pods = store.snapshot.pods
                nodes.formUnion(pods.values.compactMap { $0.spec?.nodeName })
                replaced = pods.count == onNode && pods.keys.contains { $0.name.contains("-r") }
                try await Task.sleep(for: .milliseconds(50))
            }
            group.cancelAll()
        }
        #expect(replaced, "the node's churn arrives through the stream")
        #expect(nodes == ["node-1"])
        let counts = try await requests(simulator)
        #expect(counts["watch pods streaming spec.nodeName"] == 1, "\(counts)")
        #expect(!counts.keys.contains { $0.hasPrefix("list pods") }, "\(counts)")
    }
}
