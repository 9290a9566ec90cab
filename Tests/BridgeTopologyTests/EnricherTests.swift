import BridgeCore
import BridgeTopology
import Foundation
import Testing

@Suite struct EnricherTests {
    /// A node in eu-west-1a; a Deployment → ReplicaSet → pod chain, a CronJob → Job → pod chain,
    /// a pod of a ReplicaSet the state does not have, and a bare pod.
    static let state: ClusterState = {
        var state = ClusterState(clusterName: "prod-eu")
        let objects = """
            [
              {"kind": "Node", "metadata": {"name": "node-1", "labels": {
                "topology.kubernetes.io/zone": "eu-west-1a", "topology.kubernetes.io/region": "eu-west-1"}}},
              {"kind": "Node", "metadata": {"name": "node-bare"}},
              {"kind": "ReplicaSet", "metadata": {"name": "web-7d9", "namespace": "shop",
                "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]}},
              {"kind": "Job", "metadata": {"name": "report-29", "namespace": "shop",
                "ownerReferences": [{"kind": "CronJob", "name": "report", "controller": true}]}},
              {"kind": "Pod", "metadata": {"name": "web-7d9-abc", "namespace": "shop",
                "labels": {"app.kubernetes.io/name": "web"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-7d9", "controller": true}]},
               "spec": {"nodeName": "node-1"}},
              {"kind": "Pod", "metadata": {"name": "report-29-x", "namespace": "shop",
                "ownerReferences": [{"kind": "Job", "name": "report-29", "controller": true}]},
               "spec": {"nodeName": "node-1"}},
              {"kind": "Pod", "metadata": {"name": "orphan-rs-1", "namespace": "shop",
                "ownerReferences": [{"kind": "ReplicaSet", "name": "orphan-rs", "controller": true}]},
               "spec": {"nodeName": "node-1"}},
              {"kind": "Pod", "metadata": {"name": "debug", "namespace": "shop"}, "spec": {"nodeName": "node-1"}}
            ]
            """
        // The literal is valid JSON of known kinds; a failure here is a broken test.
        for object in try! JSONDecoder().decode([KubernetesObject].self, from: Data(objects.utf8)) {
            state.upsert(object)
        }
        return state
    }()

    func enrich(_ text: String, options: EnrichmentOptions = EnrichmentOptions()) -> (String, Enricher.Outcome) {
        var issues = ParseIssues()
        var batch = MetricBatch.parse(Array(text.utf8), format: .text, issues: &issues)
        #expect(issues.count == 0)
        let outcome = Enricher(options: options, state: Self.state).apply(to: &batch)
        return (ExpositionWriter(format: .text).string(batch), outcome)
    }

    @Test func podSeriesGetTheirPlaceAndOwnerChain() {
        var options = EnrichmentOptions()
        options.podLabels = ["app.kubernetes.io/name", "missing"]
        let (text, outcome) = enrich(
            """
            # TYPE container_cpu_usage_seconds_total counter
            container_cpu_usage_seconds_total{namespace="shop",pod="web-7d9-abc",container="web"} 1
            container_cpu_usage_seconds_total{namespace="shop",pod="report-29-x",container="main"} 2
            container_cpu_usage_seconds_total{namespace="shop",pod="orphan-rs-1",container="main"} 3
            container_cpu_usage_seconds_total{namespace="shop",pod="debug",container="sh"} 4

            """, options: options)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let place = #"node="node-1",zone="eu-west-1a",region="eu-west-1",cluster="prod-eu""#
        #expect(
            lines
                == [
                    #"container_cpu_usage_seconds_total{namespace="shop",pod="web-7d9-abc",container="web",node="node-1",workload_kind="Deployment",workload="web",owner_kind="ReplicaSet",owner="web-7d9",zone="eu-west-1a",region="eu-west-1",cluster="prod-eu",label_app_kubernetes_io_name="web"} 1"#,
                    #"container_cpu_usage_seconds_total{namespace="shop",pod="report-29-x",container="main",node="node-1",workload_kind="CronJob",workload="report",owner_kind="Job",owner="report-29",zone="eu-west-1a",region="eu-west-1",cluster="prod-eu"} 2"#,
                    #"container_cpu_usage_seconds_total{namespace="shop",pod="orphan-rs-1",container="main",node="node-1",workload_kind="ReplicaSet",workload="orphan-rs",owner_kind="ReplicaSet",owner="orphan-rs",zone="eu-west-1a",region="eu-west-1",cluster="prod-eu"} 3"#,
                    #"container_cpu_usage_seconds_total{namespace="shop",pod="debug",container="sh",node="node-1",workload_kind="Pod",workload="debug",zone="eu-west-1a",region="eu-west-1",cluster="prod-eu"} 4"#,
                ].map { Substring($0) }, "\(place)")
        #expect(outcome.joinedPods == 4)
        #expect(outcome.unknown == 0)
    }

    @Test func nodeSeriesUnknownPodsAndOthers() {
        let (text, outcome) = enrich(
            """
            kubelet_running_pods{node="node-1"} 4
            kubelet_running_pods{node="node-bare"} 0
            kubelet_running_pods{node="node-gone"} 0
            container_memory_working_set_bytes{namespace="shop",pod="gone-pod",node="node-1"} 5
            container_memory_working_set_bytes{namespace="shop",pod="gone-pod"} 6
            process_start_time_seconds 7

            """)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        #expect(
            lines == [
                #"kubelet_running_pods{node="node-1",zone="eu-west-1a",region="eu-west-1",cluster="prod-eu"} 4"#,
                #"kubelet_running_pods{node="node-bare",cluster="prod-eu"} 0"#,
                #"kubelet_running_pods{node="node-gone",cluster="prod-eu"} 0"#,
                #"container_memory_working_set_bytes{namespace="shop",pod="gone-pod",node="node-1",zone="eu-west-1a",region="eu-west-1",cluster="prod-eu"} 5"#,
                #"container_memory_working_set_bytes{namespace="shop",pod="gone-pod",cluster="prod-eu"} 6"#,
                #"process_start_time_seconds{cluster="prod-eu"} 7"#,
            ])
        #expect(outcome.joinedNodes == 2)
        #expect(outcome.joinedPods == 0)
        #expect(outcome.unknown == 3)  // node-gone, and gone-pod twice
    }

    @Test func sourceLabelsWinUnlessOverwriteIsSet() {
        let input = """
            kube_pod_info{namespace="shop",pod="debug",node="node-9",cluster="other"} 1

            """
        let (kept, outcome) = enrich(input)
        #expect(kept.contains(#"node="node-9""#) && kept.contains(#"cluster="other""#))
        #expect(outcome.conflicts == 2)
        var options = EnrichmentOptions()
        options.overwrite = true
        options.clusterLabel = "k8s_cluster"
        let (replaced, _) = enrich(input, options: options)
        #expect(replaced.contains(#"node="node-1""#) && replaced.contains(#"k8s_cluster="prod-eu""#))
        #expect(replaced.contains(#"cluster="other""#))
    }

    @Test(arguments: [
        ("app.kubernetes.io/name", "label_app_kubernetes_io_name"), ("team", "label_team"), ("a-b.c", "label_a_b_c"),
        ("é", "label__"),
    ])
    func podLabelNamesAreSanitised(_ name: String, _ expected: String) {
        #expect(EnrichmentOptions.sanitisedLabelName(name) == expected)
    }
}
