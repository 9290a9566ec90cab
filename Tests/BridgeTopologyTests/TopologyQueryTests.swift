import BridgeTopology
import Foundation
import Testing

@Suite struct TopologyQueryTests {
    let topology: Topology
    let p = "urn:kubernetes:/prod-eu"

    init() throws {
        topology = TopologyBuilder.build(try fixtureCluster())
    }

    func names(_ sub: Topology?) -> Set<String> {
        Set(sub?.components.values.map { "\($0.type.rawValue)/\($0.name)" } ?? [])
    }

    @Test func podsOfWorkloads() {
        #expect(
            names(topology.pods(of: "\(p):shop:deployment/web"))
                == ["deployment/web", "replicaset/web-7d9f", "pod/web-7d9f-abcde", "pod/web-7d9f-fghij"]
        )
        #expect(names(topology.pods(of: "\(p):shop:statefulset/db")) == ["statefulset/db", "pod/db-0"])
        // The finished pod of the CronJob's Job has no controls relation any more.
        #expect(names(topology.pods(of: "\(p):ops:cronjob/report")) == ["cronjob/report", "job/report-28000"])
        #expect(topology.pods(of: "\(p):shop:service/web") == nil)
    }

    @Test func dependenciesFollowRelationsUpToTheDepth() throws {
        let one = try #require(topology.dependencies(of: "\(p):shop:deployment/web", depth: 1))
        #expect(names(one) == ["deployment/web", "replicaset/web-7d9f"])
        let deep = try #require(topology.dependencies(of: "\(p):shop:deployment/web"))
        #expect(
            names(deep).isSuperset(of: [
                "pod/web-7d9f-abcde", "container/web", "node/node-1", "cluster/prod-eu", "configmap/web-config",
            ]))
        #expect(!names(deep).contains("service/web"))  // services point at pods, not the other way
        let capped = try #require(topology.dependencies(of: "\(p):shop:deployment/web", depth: 60))
        #expect(capped.components.count == deep.components.count)
    }

    @Test func configurationAndStorageOfAPod() throws {
        let pod = try #require(topology.configurationAndStorage(of: "\(p):shop:pod/web-7d9f-abcde"))
        #expect(
            names(pod) == [
                "pod/web-7d9f-abcde", "container/web", "container/sidecar", "configmap/web-config", "secret/db-secret",
                "configmap/kube-root-ca.crt", "volume/cache", "volume/kube-api-access-x1", "volume/logs",
            ]
        )
        let db = try #require(topology.configurationAndStorage(of: "\(p):shop:pod/db-0"))
        #expect(
            names(db) == [
                "pod/db-0", "container/postgres", "persistent-volume-claim/data-db-0", "persistent-volume/pv-1",
                "volume-source/vol-0123", "volume/backup",
            ]
        )
        #expect(topology.configurationAndStorage(of: "\(p):shop:deployment/web") == nil)
    }

    @Test func namespaceActions() {
        #expect(
            names(topology.namespaceView("shop", .services))
                == ["service/web", "service/db", "service/payments", "ingress/web", "external-service/pay.example.com"]
        )
        #expect(
            names(topology.namespaceView("ops", .workloads))
                == ["daemonset/agent", "cronjob/report", "job/report-28000"]
        )
        let podsAndServices = topology.namespaceView("shop", .podsAndServices)
        #expect(podsAndServices.components.values.allSatisfy { $0.type == .pod || $0.type == .service })
        #expect(podsAndServices.relations.values.allSatisfy { $0.type == .exposes })
        #expect(podsAndServices.relations.count == 4)
    }

    @Test func clusterViews() {
        #expect(Set(topology.view(.namespaces).components.values.map(\.type)) == [.cluster, .namespace])
        #expect(
            Set(topology.view(.infrastructure).components.values.map(\.type)) == [
                .cluster, .node, .persistentVolume, .volumeSource,
            ])
        #expect(topology.view(.infrastructure).relations.values.contains { $0.type == .belongsTo })
        #expect(Set(topology.view(.workloadControllers).components.values.map(\.type)) == Topology.workloadTypes)
        let applications = topology.view(.applications)
        #expect(applications.components.values.contains { $0.type == .ingress })
        #expect(!applications.components.values.contains { $0.type == .node || $0.type == .secret })
    }

    @Test func jsonHasTheStackStateShapeAndIsStable() throws {
        let bytes = topology.json()
        #expect(bytes == TopologyBuilder.build(try fixtureCluster()).json())
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let components = try #require(document["components"] as? [[String: Any]])
        let relations = try #require(document["relations"] as? [[String: Any]])
        #expect(components.count == topology.components.count)
        #expect(relations.count == topology.relations.count)
        let pod = try #require(components.first { $0["externalId"] as? String == "\(p):shop:pod/db-0" })
        #expect(pod["type"] as? String == "pod")
        #expect(pod["name"] as? String == "db-0")
        #expect((pod["tags"] as? [String: String])?["component-type"] == "kubernetes-pod")
        let relation = try #require(relations.first { $0["type"] as? String == "scheduled_on" })
        #expect(Set(relation.keys) == ["externalId", "type", "sourceId", "targetId", "data"])
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""externalId":"urn:kubernetes:/prod-eu:node/node-1""#))
    }
}
