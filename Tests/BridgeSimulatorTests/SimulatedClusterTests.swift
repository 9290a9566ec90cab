import BridgeCore
import BridgeSimulator
import BridgeTopology
import Testing

@Suite struct SimulatedClusterTests {
    let cluster = SimulatedCluster(name: "sim", nodes: 4, podsPerNode: 12, seed: 7)

    @Test func sizeAndEveryObjectDecodes() throws {
        #expect(cluster.state.nodes.count == 4)
        #expect(cluster.state.pods.count >= 4 * 12)
        #expect(cluster.state.pods.count <= 4 * 12 + 3)
        for object in cluster.objects { _ = try object.decoded() }
        #expect(Set(cluster.objects.map(\.resource)).count == 19)
    }

    @Test func eventsAreAboutObjectsOfTheClusterAndFallIntoTheirCategories() throws {
        let events = try cluster.objects.filter { $0.kind == "Event" }.map { object in
            guard case .event(let event) = try object.decoded() else { throw DecodeFailure() }
            return event
        }
        let categorizer = EventCategorizer()
        let summary = events.map { event in
            "\(event.regarding?.kind ?? "?") \(event.reason ?? "?") "
                + categorizer.category(reason: event.reason ?? "").rawValue
        }
        #expect(
            Set(summary) == [
                "Pod Scheduled Activities", "Pod BackOff Activities", "Pod NotTriggerScaleUp Alerts",
                "Deployment ScalingReplicaSet Others",
            ], "\(summary)")
        for event in events {
            let regarding = try #require(event.regarding)
            let exists = cluster.objects.contains {
                $0.kind == regarding.kind && $0.name == regarding.name && $0.namespace == regarding.namespace
                    && $0.json["metadata"]?["uid"]?.stringValue == regarding.uid
            }
            #expect(exists, "\(regarding)")
        }
    }

    struct DecodeFailure: Error {}

    /// The cluster state with the processes its node collectors report, correlated at `time`.
    func withProcesses(at time: Int64 = 1_793_500_000_000) -> (ClusterState, ConnectionCorrelator) {
        var state = cluster.state
        var correlator = ConnectionCorrelator(qualifyAfter: 0)
        let reports = state.nodes.keys.sorted().map { cluster.processReport(node: $0, at: time) }
        state.processes = correlator.correlate(reports, state: state, now: time)
        return (state, correlator)
    }

    @Test func nodeCollectorsReportEveryKindOfConnectionAndEveryOneResolves() {
        let (state, correlator) = withProcesses()
        #expect(correlator.unresolved == 0)
        let kinds = Set(state.processes.connections.map { $0.path.via.split(separator: "/").first ?? "" })
        #expect(kinds == ["direct", "service", "headless"])
        #expect(
            state.processes.connections.allSatisfy {
                $0.client.node.hasPrefix("node-") && [8080, 9090].contains($0.port)
            })
        // Every running pod's process is in a container of a known pod.
        let running = state.pods.values.filter { $0.status?.phase == "Running" }.count
        #expect(state.processes.processes.values.filter { $0.container != nil }.count == running)
    }

    @Test func workersRestartEveryTenMinutesAndPortsChange() {
        let node = "node-1"
        let before = cluster.processReport(node: node, at: 1_793_500_000_000)
        let after = cluster.processReport(node: node, at: 1_793_500_000_000 + 600_000)
        let changed = Set(before.processes.map(\.createTime)).subtracting(after.processes.map(\.createTime))
        #expect(!changed.isEmpty)
        #expect(Set(before.connections.map(\.local)) != Set(after.connections.map(\.local)))
        #expect(before.processes.map(\.pid) == after.processes.map(\.pid))
    }

    @Test func topologyHasEveryComponentTypeAndOwnershipHolds() {
        let topology = TopologyBuilder.build(withProcesses().0)
        let types = Set(topology.components.values.map(\.type))
        // Every component type of the reference appears in the simulated cluster.
        #expect(types == Set(ComponentType.allCases))
        let missing = Set(RelationType.allCases).subtracting(topology.relations.values.map(\.type))
        #expect(missing.isEmpty, "relation types missing: \(missing)")
        for pod in cluster.state.pods.values {
            let urn = URNBuilder(cluster: "sim").component(
                "pod", namespace: pod.metadata.namespace, name: pod.metadata.name)
            let controlled = topology.relations(to: urn).contains { $0.type == .controls }
            let finished = pod.status?.phase == "Succeeded"
            #expect(controlled == (pod.metadata.controller != nil && !finished), "\(pod.metadata.name)")
        }
    }

    @Test func podsSpreadOverNodesAndDaemonSetCoversEach() {
        for index in 0..<4 {
            let pods = cluster.pods(on: "node-\(index)")
            #expect(pods.count >= 10)
            #expect(pods.filter { $0.metadata.controller?.kind == "DaemonSet" }.count == 1)
        }
    }

    @Test func kubeStateMetricsDescribesTheSameObjects() throws {
        var issues = ParseIssues()
        let batch = MetricBatch.parse(Array(cluster.kubeStateMetrics().utf8), format: .text, issues: &issues)
        #expect(issues.isEmpty, "\(issues.kept)")
        let info = try #require(batch.familyValues.first { $0.name == "kube_pod_info" })
        func label(_ sample: MetricSampleValue, _ name: String) -> String? {
            sample.labels.first { $0.name == name }?.value
        }
        #expect(info.samples.count == cluster.state.pods.count)
        for sample in info.samples {
            let key = ObjectKey(try #require(label(sample, "namespace")), try #require(label(sample, "pod")))
            let pod = try #require(cluster.state.pods[key])
            #expect(label(sample, "node") == pod.spec?.nodeName)
            #expect(label(sample, "uid") == pod.metadata.uid)
        }
        let containers = try #require(batch.familyValues.first { $0.name == "kube_pod_container_info" })
        let ids = Set(containers.samples.compactMap { label($0, "container_id") })
        #expect(
            ids
                == Set(
                    cluster.state.pods.values.flatMap { $0.status?.containerStatuses ?? [] }.compactMap(\.containerID)))
        let owners = try #require(batch.familyValues.first { $0.name == "kube_replicaset_owner" })
        #expect(owners.samples.count == cluster.state.replicaSets.count)
    }

    @Test func cadvisorBodiesMatchTheirNode() throws {
        for index in 0..<4 {
            let node = "node-\(index)"
            var issues = ParseIssues()
            let batch = MetricBatch.parse(Array(cluster.cadvisor(node: node).utf8), format: .text, issues: &issues)
            #expect(issues.isEmpty, "\(issues.kept)")
            let pods = Set(
                batch.familyValues.flatMap(\.samples).compactMap { sample in
                    sample.labels.first { $0.name == "pod" }?.value
                }
            )
            let running = Set(cluster.pods(on: node).filter { $0.status?.phase == "Running" }.map(\.metadata.name))
            #expect(pods == running)
            // cAdvisor stamps container series with explicit times; the machine series has none.
            #expect(batch.samples.filter { $0.timestamp == nil }.count == 1)
        }
    }

    @Test func theSameSeedGivesTheSameCluster() {
        let again = SimulatedCluster(name: "sim", nodes: 4, podsPerNode: 12, seed: 7)
        #expect(again.kubeStateMetrics() == cluster.kubeStateMetrics())
        #expect(again.cadvisor(node: "node-1") == cluster.cadvisor(node: "node-1"))
        let other = SimulatedCluster(name: "sim", nodes: 4, podsPerNode: 12, seed: 8)
        #expect(other.kubeStateMetrics() != cluster.kubeStateMetrics())
    }
}
