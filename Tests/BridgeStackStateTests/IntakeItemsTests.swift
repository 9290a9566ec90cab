import BridgeCore
import BridgeSimulator
import BridgeTestSupport
import BridgeTopology
import Foundation
import Testing

@testable import BridgeStackState

/// Events, health states and series in the agent's shapes, each checked by the strict receiver
/// double as well as field by field.
@Suite struct IntakeItemsTests {
    func json(_ payload: IntakePayload) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(payload)
    }

    func event(
        kind: String, name: String, namespace: String?, reason: String, type: String = "Normal",
        fieldPath: String? = nil
    ) -> KubernetesEvent {
        var event = KubernetesEvent(
            metadata: ObjectMeta(name: "\(name).1", namespace: namespace ?? "default", uid: "uid-\(name)-\(reason)"),
            regarding: .init(kind: kind, namespace: namespace, name: name), reason: reason, type: type)
        event.regarding?.fieldPath = fieldPath
        event.note = "note of \(reason)"
        event.reportingController = "kubelet"
        event.reportingInstance = "node-3"
        event.deprecatedCount = 4
        event.deprecatedLastTimestamp = "2026-11-01T10:00:00Z"
        return event
    }

    @Test func eventsCarryTheAgentsFieldsURNsAndCategories() throws {
        let categorizer = EventCategorizer(overrides: ["Pulled": .changes])
        let backOff = EventPayload(
            event(
                kind: "Pod", name: "web-1", namespace: "shop", reason: "BackOff", type: "Warning",
                fieldPath: "spec.containers{app}"), cluster: "prod", categorizer: categorizer)
        #expect(backOff.title == "BackOff - web-1 Pod (4x)")
        #expect(backOff.text == "note of BackOff")
        #expect(backOff.timestamp == 1_793_527_200)
        #expect(backOff.alertType == "warning")
        #expect(backOff.host == "node-3-prod")
        #expect(backOff.eventType == "BackOff")
        #expect(backOff.context.category == "Activities")
        #expect(backOff.context.sourceIdentifier == "uid-web-1-BackOff")
        #expect(
            backOff.context.elementIdentifiers == [
                "urn:kubernetes:/prod:shop:pod/web-1:container/app", "urn:kubernetes:/prod:shop:pod/web-1",
            ])
        #expect(
            backOff.tags == [
                "alert_type:warning", "kube_cluster_name:prod", "kube_container_name:app", "kube_namespace:shop",
                "kube_object_kind:Pod", "kube_object_name:web-1", "kube_reason:BackOff", "source_component:kubelet",
            ])
        let cases: [(KubernetesEvent, category: String, elements: [String], host: String)] = [
            (
                event(kind: "Node", name: "node-1", namespace: nil, reason: "NodeReady"), "Changes",
                ["urn:kubernetes:/prod:node/node-1"], "node-1-prod"
            ),
            (
                event(kind: "Deployment", name: "web", namespace: "shop", reason: "ScalingReplicaSet"), "Others",
                ["urn:kubernetes:/prod:shop:deployment/web"], "node-3-prod"
            ),
            (
                event(kind: "Pod", name: "web-1", namespace: "shop", reason: "Pulled"), "Changes",
                ["urn:kubernetes:/prod:shop:pod/web-1"], "node-3-prod"
            ),
            (
                event(kind: "HorizontalPodAutoscaler", name: "web", namespace: "shop", reason: "Scaled"), "Others",
                [""], "node-3-prod"
            ),
        ]
        for (event, category, elements, host) in cases {
            let payload = EventPayload(event, cluster: "prod", categorizer: categorizer)
            #expect(payload.context.category == category, "\(event.reason ?? "")")
            #expect(payload.context.elementIdentifiers == elements)
            #expect(payload.host == host)
        }
        var intake = IntakePayload(internalHostname: "stackbridge-prod")
        intake.events = [
            "kubernetes": [backOff] + cases.map { EventPayload($0.0, cluster: "prod", categorizer: categorizer) }
        ]
        let receiver = SimulatedStackStateReceiver()
        #expect(receiver.receive(try json(intake)) == [])
        #expect(receiver.events.count == 5)
        let raw = String(decoding: try json(intake), as: UTF8.self)
        for key in [
            "\"msg_title\"", "\"alert_type\"", "\"source_identifier\"", "\"element_identifiers\"",
            "\"source_links\":[]",
        ] {
            #expect(raw.contains(key), "\(key)")
        }
    }

    @Test func eventTimesReadWithAndWithoutFractions() {
        #expect(EventPayload.seconds("2026-11-01T10:00:00Z") == 1_793_527_200)
        #expect(EventPayload.seconds("2026-11-01T10:00:00.123456Z") == 1_793_527_200)
        #expect(EventPayload.seconds("yesterday") == nil)
    }

    @Test func healthSnapshotsChunkWithStartAndStopAndReachTheDouble() throws {
        let cluster = SimulatedCluster(name: "prod", nodes: 2, podsPerNode: 10, seed: 3)
        let states = TopologyMetrics().healthByURN(cluster.state).map { (urn: $0.0, health: $0.1) }
        #expect(states.count > 20)
        let chunks = Array(
            IteratorSequence(HealthSnapshot(states, cluster: "prod", repeatInterval: .seconds(90), capacity: 10)))
        #expect(chunks.count == (states.count + 9) / 10)
        #expect(chunks.first?.startSnapshot == .init(repeatInterval: 90, expiryInterval: 210))
        #expect(chunks.dropFirst().allSatisfy { $0.startSnapshot == nil })
        #expect(chunks.last?.stopSnapshot == [:])
        #expect(chunks.dropLast().allSatisfy { $0.stopSnapshot == nil })
        let receiver = SimulatedStackStateReceiver()
        for chunk in chunks {
            var intake = IntakePayload(internalHostname: "h")
            intake.health = [chunk]
            #expect(receiver.receive(try json(intake)) == [])
        }
        #expect(receiver.healthSnapshots == 1)
        #expect(receiver.health.count == states.count)
        for (urn, health) in states { #expect(receiver.health[urn] == health.state.rawValue) }
        // Long intervals are capped at the receiver's 1800 s; an empty set is still a snapshot.
        let empty = Array(IteratorSequence(HealthSnapshot([], cluster: "prod", repeatInterval: .seconds(7200))))
        #expect(empty.count == 1 && empty[0].startSnapshot?.repeatInterval == 1800 && empty[0].stopSnapshot == [:])
        let raw = String(decoding: try JSONEncoder().encode(chunks[1]), as: UTF8.self)
        #expect(!raw.contains("start_snapshot") && !raw.contains("stop_snapshot"))
    }

    @Test func seriesCarryTheTagsStackStateBindsOn() throws {
        var options = EnrichmentOptions()
        options.clusterLabel = "k8s_cluster"
        let tagging = SeriesTagging(options: options, cluster: "prod")
        let tags = tagging.tags([
            ("__name__", "container_cpu_usage_seconds_total"), ("k8s_cluster", "prod"), ("namespace", "shop"),
            ("pod", "web-1"), ("container", "app"), ("node", "n1"), ("workload_kind", "Deployment"),
            ("workload", "web"), ("owner_kind", "ReplicaSet"), ("owner", "web-5d8"), ("cpu", "total"), ("empty", ""),
        ])
        #expect(
            tags == [
                "cluster_name:prod", "container:app", "cpu:total", "deployment:web", "kube_cluster_name:prod",
                "kube_container_name:app", "kube_deployment:web", "kube_namespace:shop", "kube_node:n1",
                "kube_replica_set:web-5d8", "namespace:shop", "node:n1", "owner:web-5d8", "owner_kind:ReplicaSet",
                "pod:web-1", "pod_name:web-1", "replicaset:web-5d8", "workload:web", "workload_kind:Deployment",
            ])
        let job = tagging.tags([
            ("workload_kind", "CronJob"), ("workload", "report"), ("owner_kind", "Job"), ("owner", "report-1"),
        ])
        #expect(
            job.contains("cronjob:report") && job.contains("job_name:report-1") && job.contains("kube_job:report-1"))
        // A scrape's own series carry no cluster label and still bind to the cluster; a source's
        // cluster label naming another cluster stays a plain tag and does not bind.
        #expect(
            tagging.tags([("__name__", "up"), ("job", "kubelet"), ("instance", "n1")]) == [
                "cluster_name:prod", "instance:n1", "job:kubelet", "kube_cluster_name:prod",
            ])
        #expect(
            tagging.tags([("k8s_cluster", "other"), ("namespace", "shop")]) == [
                "cluster_name:prod", "k8s_cluster:other", "kube_cluster_name:prod", "kube_namespace:shop",
                "namespace:shop",
            ])
    }

    @Test func seriesBodiesSplitSkipNaNAndEscape() throws {
        let batch = MetricBatch([
            MetricFamilyValue(
                name: "m", type: .gauge, help: "h",
                samples: (0..<5).map { index in
                    MetricSampleValue(
                        name: "m", labels: [LabelPair("pod", "p\(index)"), LabelPair("node", "n\"1\\\n")],
                        value: index == 2 ? .nan : Double(index) + 0.5)
                })
        ])
        var body = SeriesBody(cluster: "prod", options: EnrichmentOptions(), seriesPerBody: 2)
        body.append(batch, timestamp: 1_700_000_000_123)
        let bodies = body.finish()
        #expect(bodies.map(\.series) == [2, 2])
        let receiver = SimulatedStackStateReceiver()
        for (json, _) in bodies { #expect(receiver.receiveSeries(Data(json)) == []) }
        #expect(receiver.seriesCount == 4)
        let first = try JSONSerialization.jsonObject(with: Data(bodies[0].json)) as? [String: Any]
        let series = try #require((first?["series"] as? [[String: Any]])?.first)
        #expect(series["metric"] as? String == "m")
        #expect(series["points"] as? [[Double]] == [[1_700_000_000, 0.5]])
        #expect(series["host"] as? String == "n\"1\\\n-prod")
        #expect((series["tags"] as? [String])?.contains("pod_name:p0") == true)
        #expect(series["type"] as? String == "gauge")
        var empty = SeriesBody(cluster: "prod", options: EnrichmentOptions())
        #expect(empty.finish().isEmpty)
    }

    @Test func theDoubleNamesWhatIsWrong() {
        let receiver = SimulatedStackStateReceiver()
        let problems = receiver.receive(
            Data(
                #"""
                {"internalHostname":"h","topologies":[],"metrics":[],
                 "health":[{"stream":{"urn":"x"},"start_snapshot":{"repeat_interval_s":4000},
                            "check_states":[{"checkStateId":"a","name":"n","health":"OK","topologyElementIdentifier":"u"}]}],
                 "events":{"kubernetes":[{"msg_title":"t","msg_text":"","timestamp":1,"priority":"urgent","host":"",
                   "tags":["bad"],"alert_type":"info","aggregation_key":"","source_type_name":"kubernetes",
                   "event_type":"x","context":{"source_identifier":"u","source":"kubernetes","category":"Misc",
                   "data":{},"source_links":[]}}]}}
                """#.utf8))
        #expect(
            problems == [
                "health[0].stream.urn: not a urn:health: URN",
                "health[0].start_snapshot.repeat_interval_s: 4000 not in 1…1800",
                "health[0].check_states[0].health: OK is not one of CLEAR, CRITICAL, DEVIATING",
                "events.kubernetes[0].priority: urgent is not one of low, normal",
                "events.kubernetes[0].tags: bad is not key:value",
                "events.kubernetes[0].context.category: Misc is not one of Activities, Alerts, Anomalies, Changes, Others",
                "events.kubernetes[0].context.element_identifiers: missing",
            ])
        #expect(
            receiver.receiveSeries(
                Data(#"{"series":[{"metric":"m","points":[[1]],"tags":[],"host":"","type":"sum"}]}"#.utf8))
                == [
                    "series[0].points: not a list of [timestamp, value] pairs",
                    "series[0] (m).tags: not exactly one cluster_name and kube_cluster_name",
                    "series[0].type: sum is not one of count, gauge, rate", "series[0].interval: missing",
                ])
    }
}
