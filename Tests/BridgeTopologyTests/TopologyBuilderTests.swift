import BridgeTopology
import Foundation
import Testing

/// A Kubernetes List of mixed kinds, as `kubectl get -o json` prints it.
struct ObjectList: Decodable {
    let items: [KubernetesObject]
}

func fixtureCluster() throws -> ClusterState {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/cluster", withExtension: "json"))
    let list = try JSONDecoder().decode(ObjectList.self, from: Data(contentsOf: url))
    var state = ClusterState(clusterName: "prod-eu")
    for object in list.items { state.upsert(object) }
    return state
}

@Suite struct TopologyBuilderTests {
    let topology: Topology
    let p = "urn:kubernetes:/prod-eu"

    init() throws {
        topology = TopologyBuilder.build(try fixtureCluster())
    }

    func has(_ type: RelationType, _ source: String, _ target: String) -> Bool {
        topology.relations["\(source)->\(target)"]?.type == type
    }

    @Test func everyComponentTypeIsBuilt() {
        let types = Set(topology.components.values.map(\.type))
        // Processes come from the node collectors' reports (ConnectionCorrelatorTests).
        #expect(types == Set(ComponentType.allCases).subtracting([.process]))
    }

    @Test(arguments: [
        ("urn:cluster:/kubernetes:prod-eu", ComponentType.cluster),
        ("urn:kubernetes:/prod-eu:node/node-1", .node),
        ("urn:kubernetes:/prod-eu:namespace/shop", .namespace),
        ("urn:kubernetes:/prod-eu:shop:pod/web-7d9f-abcde", .pod),
        ("urn:kubernetes:/prod-eu:shop:pod/web-7d9f-abcde:container/web", .container),
        ("urn:kubernetes:/prod-eu:shop:service/web", .service),
        ("urn:kubernetes:/prod-eu:shop:external-service/payments", .externalService),
        ("urn:kubernetes:/prod-eu:shop:deployment/web", .deployment),
        ("urn:kubernetes:/prod-eu:shop:replicaset/web-7d9f", .replicaset),
        ("urn:kubernetes:/prod-eu:ops:daemonset/agent", .daemonset),
        ("urn:kubernetes:/prod-eu:shop:statefulset/db", .statefulset),
        ("urn:kubernetes:/prod-eu:ops:job/report-28000", .job),
        ("urn:kubernetes:/prod-eu:ops:cronjob/report", .cronjob),
        ("urn:kubernetes:/prod-eu:shop:configmap/web-config", .configmap),
        ("urn:kubernetes:/prod-eu:shop:secret/db-secret", .secret),
        ("urn:kubernetes:/prod-eu:shop:ingress/web", .ingress),
        ("urn:endpoint:/prod-eu:34.1.2.3", .endpoint),
        ("urn:endpoint:/prod-eu:lb.example.com", .endpoint),
        ("urn:kubernetes:/prod-eu:persistent-volume/pv-1", .persistentVolume),
        ("urn:kubernetes:/prod-eu:shop:persistent-volume-claim/data-db-0", .persistentVolumeClaim),
        ("urn:kubernetes:external-volume:csi/ebs.csi.aws.com/vol-0123", .volumeSource),
        ("urn:kubernetes:/prod-eu:empty-dir:volume/shop/web-7d9f-abcde/cache", .volume),
        ("urn:kubernetes:external-volume:hostpath/node-1/var/log/web", .volume),
        ("urn:kubernetes:external-volume:nfs/nfs.example.com//exports/db", .volume),
        ("urn:kubernetes:external-volume:projected/kube-api-access-x1", .volume),
    ])
    func componentURN(_ urn: String, _ type: ComponentType) {
        #expect(topology.components[urn]?.type == type, "\(urn)")
    }

    @Test func relationsOfTheReferenceTable() {
        let pod = "\(p):shop:pod/web-7d9f-abcde"
        let container = "\(pod):container/web"
        let expected: [(RelationType, String, String)] = [
            (.belongsTo, "\(p):node/node-1", "urn:cluster:/kubernetes:prod-eu"),
            (.scheduledOn, pod, "\(p):node/node-1"),
            (.controls, "\(p):shop:replicaset/web-7d9f", pod),
            (.controls, "\(p):shop:deployment/web", "\(p):shop:replicaset/web-7d9f"),
            (.controls, "\(p):shop:statefulset/db", "\(p):shop:pod/db-0"),
            (.controls, "\(p):ops:daemonset/agent", "\(p):ops:pod/agent-x7"),
            (.controls, "\(p):shop:job/migrate", "\(p):shop:pod/migrate-z"),
            (.creates, "\(p):ops:cronjob/report", "\(p):ops:job/report-28000"),
            (.encloses, "\(p):namespace/shop", "\(p):shop:pod/debug"),
            (.encloses, pod, container),
            (.runsOn, container, "\(p):node/node-1"),
            (.encloses, "\(p):namespace/shop", "\(p):shop:deployment/web"),
            (.encloses, "\(p):namespace/shop", "\(p):shop:replicaset/orphan-rs"),
            (.encloses, "\(p):namespace/shop", "\(p):shop:statefulset/db"),
            (.encloses, "\(p):namespace/ops", "\(p):ops:daemonset/agent"),
            (.encloses, "\(p):namespace/ops", "\(p):ops:cronjob/report"),
            (.encloses, "\(p):namespace/shop", "\(p):shop:job/migrate"),
            (.encloses, "\(p):namespace/shop", "\(p):shop:service/web"),
            (.exposes, "\(p):shop:service/web", pod),
            (.exposes, "\(p):shop:service/web", "\(p):shop:pod/debug"),
            (.exposes, "\(p):shop:service/db", "\(p):shop:pod/db-0"),
            (.uses, "\(p):shop:service/payments", "\(p):shop:external-service/payments"),
            (.routes, "\(p):shop:ingress/web", "\(p):shop:service/web"),
            (.routes, "urn:endpoint:/prod-eu:34.1.2.3", "\(p):shop:ingress/web"),
            (.uses, pod, "\(p):shop:configmap/web-config"),
            (.usesValue, pod, "\(p):shop:secret/db-secret"),
            // The volume's `claims` to web-config shares its external id (source->target) with the
            // `uses` above; StackState keys relations by that id, so the first one stands.
            (.claims, pod, "\(p):empty-dir:volume/shop/web-7d9f-abcde/cache"),
            (.claims, pod, "urn:kubernetes:external-volume:projected/kube-api-access-x1"),
            (.claims, "\(p):shop:pod/db-0", "\(p):shop:persistent-volume-claim/data-db-0"),
            (.mounts, container, "\(p):shop:configmap/web-config"),
            (.mounts, container, pod),
            (.mounts, "\(p):shop:pod/db-0:container/postgres", "\(p):shop:persistent-volume-claim/data-db-0"),
            (
                .projects, "urn:kubernetes:external-volume:projected/kube-api-access-x1",
                "\(p):shop:configmap/kube-root-ca.crt"
            ),
            (.projects, "urn:kubernetes:external-volume:projected/kube-api-access-x1", "\(p):shop:secret/db-secret"),
            (.exposes, "\(p):persistent-volume/pv-1", "urn:kubernetes:external-volume:csi/ebs.csi.aws.com/vol-0123"),
            (.exposes, "\(p):shop:persistent-volume-claim/data-db-0", "\(p):persistent-volume/pv-1"),
            (.exposes, "\(p):node/node-2", "\(p):persistent-volume/pv-1"),
        ]
        for (type, source, target) in expected {
            #expect(has(type, source, target), "\(type.rawValue): \(source) -> \(target)")
        }
        // Process relations come from the node collectors' reports (ConnectionCorrelatorTests).
        #expect(
            Set(topology.relations.values.map(\.type))
                == Set(RelationType.allCases).subtracting([.runs, .directionalConnection]))
    }

    @Test func relationsTheReferenceRulesOut() {
        // A finished pod loses its Job link; a ReplicaSet owned by a Deployment is not enclosed by
        // the namespace; a pod with a controller is not either; routes to a missing service vanish.
        #expect(topology.relations["\(p):ops:job/report-28000->\(p):ops:pod/report-28000-q"] == nil)
        #expect(topology.relations["\(p):namespace/shop->\(p):shop:replicaset/web-7d9f"] == nil)
        #expect(topology.relations["\(p):namespace/shop->\(p):shop:pod/web-7d9f-abcde"] == nil)
        #expect(topology.relations["\(p):shop:ingress/web->\(p):shop:service/gone"] == nil)
        // The unscheduled pod has no node relations and its container does not run anywhere.
        #expect(topology.relations(from: "\(p):shop:pod/web-7d9f-fghij").allSatisfy { $0.type != .scheduledOn })
        #expect(topology.relations(from: "\(p):shop:pod/web-7d9f-fghij:container/web").isEmpty)
        // Every relation has both ends.
        for relation in topology.relations.values {
            #expect(topology.components[relation.sourceId] != nil && topology.components[relation.targetId] != nil)
        }
    }

    @Test func mountsCarryTheMountData() {
        let relation = topology.relations[
            "\(p):shop:pod/web-7d9f-abcde:container/web->urn:kubernetes:external-volume:hostpath/node-1/var/log/web"]
        #expect(relation?.type == .mounts)
        #expect(
            relation?.properties == [
                "name": "logs", "readOnly": "false", "mountPath": "/var/log/web", "mountPropagation": "HostToContainer",
            ]
        )
    }

    @Test func tagsAndIdentifiers() throws {
        let pod = try #require(topology.components["\(p):shop:pod/web-7d9f-abcde"])
        #expect(
            pod.tags == [
                "app": "web", "pod-template-hash": "7d9f", "cluster-name": "prod-eu", "namespace": "shop",
                "cluster-type": "kubernetes", "component-type": "kubernetes-pod", "service-account": "web",
            ]
        )
        #expect(pod.properties["podPhase"] == "Running")
        let node = try #require(topology.components["\(p):node/node-1"])
        #expect(
            node.identifiers == [
                "urn:ip:/prod-eu:node-1:10.0.0.1", "urn:ip:/prod-eu:3.3.3.3",
                "urn:host:/prod-eu:ip-10-0-0-1.ec2.internal",
                "urn:host:/i-0abc", "urn:host:/i-0abc-prod-eu",
            ]
        )
        #expect(node.properties["sts_host"] == "i-0abc-prod-eu")
        let azure = try #require(topology.components["\(p):node/node-2"])
        #expect(
            azure.identifiers.contains(
                "urn:azure:/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-2"))
        #expect(
            azure.identifiers.contains(
                "urn:azure:/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM-2"))
        let container = try #require(topology.components["\(p):shop:pod/web-7d9f-abcde:container/web"])
        #expect(container.identifiers == ["urn:container:/node-1-prod-eu:aaaa1111"])
        #expect(container.properties["image"] == "docker.io/library/nginx:1.25")
        let service = try #require(topology.components["\(p):shop:service/web"])
        #expect(
            service.identifiers == [
                "urn:service:/prod-eu:shop:web", "urn:endpoint:/prod-eu:10.96.0.10",
                "urn:endpoint:/prod-eu:10.96.0.10:30080",
                "urn:endpoint:/8.8.4.4:80",
            ]
        )
        #expect(service.tags["service-type"] == "NodePort")
        #expect(topology.components["\(p):shop:service/db"]?.tags["service"] == "headless")
        #expect(topology.components["\(p):namespace/shop"]?.tags["namespace"] == "shop")
        #expect(
            topology.components["\(p):shop:deployment/web"]?.properties == [
                "desiredReplicas": "2", "readyReplicas": "1",
            ])
    }

    @Test func deletingAPodRemovesItsComponentsAndRelations() throws {
        var state = try fixtureCluster()
        let pod = try #require(state.pods[ObjectKey("shop", "db-0")])
        state.remove(.pod(pod))
        let after = TopologyBuilder.build(state)
        #expect(after.components["\(p):shop:pod/db-0"] == nil)
        #expect(after.components["\(p):shop:pod/db-0:container/postgres"] == nil)
        #expect(
            after.relations.values.allSatisfy { !$0.sourceId.contains("pod/db-0") && !$0.targetId.contains("pod/db-0") }
        )
        #expect(after.components["\(p):shop:statefulset/db"] != nil)
    }

    @Test func neighbourhoodOfADeployment() throws {
        let near = try #require(topology.neighbourhood(of: "\(p):shop:deployment/web", depth: 1))
        #expect(
            Set(near.components.keys) == [
                "\(p):shop:deployment/web", "\(p):shop:replicaset/web-7d9f", "\(p):namespace/shop",
            ])
        let around = try #require(topology.neighbourhood(of: "\(p):shop:deployment/web", depth: 2))
        #expect(around.components["\(p):shop:pod/web-7d9f-abcde"] != nil)
        #expect(around.components["\(p):shop:service/db"] != nil)  // through the namespace
        #expect(around.components["\(p):shop:pod/web-7d9f-abcde:container/web"] == nil)
        #expect(
            around.relations.values.allSatisfy {
                around.components[$0.sourceId] != nil && around.components[$0.targetId] != nil
            })
        #expect(topology.neighbourhood(of: "urn:nothing", depth: 1) == nil)
    }
}
