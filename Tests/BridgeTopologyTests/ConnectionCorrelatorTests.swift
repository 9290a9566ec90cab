import BridgeCore
import BridgeTopology
import Foundation
import Testing

/// Two nodes; a client pod on node-1 and a server pod on node-2 behind a ClusterIP Service `db`
/// (port 80 → 8080) and a headless Service `db-headless` (5432, listed in its EndpointSlice); the
/// server also listens on 9090, which no Service lists.
func processCluster() throws -> ClusterState {
    let objects = [
        #"{"kind":"Node","metadata":{"name":"node-1"},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.1"}]}}"#,
        #"{"kind":"Node","metadata":{"name":"node-2"},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.2"}]}}"#,
        #"{"kind":"Pod","metadata":{"name":"api-1","namespace":"shop","ownerReferences":[{"kind":"ReplicaSet","name":"api-5f","controller":true,"uid":"rs"}]},"spec":{"nodeName":"node-1","containers":[{"name":"app"},{"name":"sidecar"}]},"status":{"podIP":"10.244.1.10","containerStatuses":[{"name":"app","containerID":"containerd://c1"},{"name":"sidecar","containerID":"containerd://c2"}]}}"#,
        #"{"kind":"ReplicaSet","metadata":{"name":"api-5f","namespace":"shop","uid":"rs","ownerReferences":[{"kind":"Deployment","name":"api","controller":true,"uid":"d"}]}}"#,
        #"{"kind":"Deployment","metadata":{"name":"api","namespace":"shop","uid":"d"}}"#,
        #"{"kind":"Pod","metadata":{"name":"db-0","namespace":"shop","labels":{"app":"db"}},"spec":{"nodeName":"node-2","containers":[{"name":"db"}]},"status":{"podIP":"10.244.2.20","containerStatuses":[{"name":"db","containerID":"cri-o://s1"}]}}"#,
        #"{"kind":"Service","metadata":{"name":"db","namespace":"shop"},"spec":{"clusterIP":"10.96.0.50","ports":[{"port":80}]}}"#,
        #"{"kind":"Service","metadata":{"name":"db-headless","namespace":"shop"},"spec":{"clusterIP":"None","ports":[{"port":5432}]}}"#,
        #"{"kind":"EndpointSlice","metadata":{"name":"db-headless-x1","namespace":"shop","labels":{"kubernetes.io/service-name":"db-headless"}},"addressType":"IPv4","endpoints":[{"addresses":["10.244.2.20"]}],"ports":[{"port":5432,"protocol":"TCP"}]}"#,
    ]
    var state = ClusterState(clusterName: "prod")
    for object in objects { state.upsert(try JSONDecoder().decode(KubernetesObject.self, from: Data(object.utf8))) }
    return state
}

/// What node-1 and node-2 report: the client (pid 100) dials the Service with and without a
/// conntrack translation, the headless address, and the server's unlisted port; its sidecar
/// (pid 101, same network namespace) talks to it over loopback.
func processReports() -> [ProcessReport] {
    let (clientNS, serverNS): (UInt64, UInt64) = (4001, 5001)
    let client = ReportedProcess(
        pid: 100, createTime: 1_700_000_000_000, args: ["/bin/api", "--port", "7000"], exe: "/bin/api",
        containerId: "c1", netNamespace: clientNS)
    let sidecar = ReportedProcess(
        pid: 101, createTime: 1_700_000_001_000, args: ["envoy"], exe: "/usr/bin/envoy", containerId: "c2",
        netNamespace: clientNS)
    let server = ReportedProcess(
        pid: 200, createTime: 1_700_000_002_000, args: ["postgres"], exe: "/usr/lib/postgresql/bin/postgres",
        containerId: "s1", netNamespace: serverNS)
    let local = { (port: Int) in SocketAddress("10.244.1.10", port) }
    let out = { (port: Int, remote: SocketAddress, nat: SocketAddress?) in
        ReportedConnection(
            pid: 100, createTime: client.createTime, local: local(port), remote: remote, translatedRemote: nat,
            direction: .outgoing, netNamespace: clientNS)
    }
    let accepted = { (port: Int, remote: Int) in
        ReportedConnection(
            pid: 200, createTime: server.createTime, local: SocketAddress("10.244.2.20", port),
            remote: local(remote), direction: .incoming, netNamespace: serverNS)
    }
    let node1 = ProcessReport(
        node: "node-1", collectedAt: 0, hostNetNamespace: 1, processes: [client, sidecar],
        connections: [
            out(40000, SocketAddress("10.96.0.50", 80), SocketAddress("10.244.2.20", 8080)),
            out(40002, SocketAddress("10.96.0.50", 80), nil),
            out(40001, SocketAddress("10.244.2.20", 5432), nil),
            out(40003, SocketAddress("10.244.2.20", 9090), nil),
            ReportedConnection(
                pid: 100, createTime: client.createTime, local: SocketAddress("127.0.0.1", 41000),
                remote: SocketAddress("127.0.0.1", 15001), direction: .outgoing, netNamespace: clientNS),
            ReportedConnection(
                pid: 101, createTime: sidecar.createTime, local: SocketAddress("127.0.0.1", 15001),
                remote: SocketAddress("127.0.0.1", 41000), direction: .incoming, netNamespace: clientNS),
            // To somewhere no report knows: no relation.
            out(40004, SocketAddress("93.184.216.34", 443), nil),
        ],
        listeners: [
            ReportedListener(
                pid: 101, createTime: sidecar.createTime, local: SocketAddress("127.0.0.1", 15001),
                netNamespace: clientNS)
        ])
    let node2 = ProcessReport(
        node: "node-2", collectedAt: 0, hostNetNamespace: 1, processes: [server],
        connections: [accepted(8080, 40000), accepted(8080, 40002), accepted(5432, 40001)],
        listeners: [
            ReportedListener(
                pid: 200, createTime: server.createTime, local: SocketAddress("0.0.0.0", 8080), netNamespace: serverNS),
            ReportedListener(
                pid: 200, createTime: server.createTime, local: SocketAddress("::", 9090), netNamespace: serverNS),
        ])
    return [node1, node2]
}

@Suite struct ConnectionCorrelatorTests {
    let client = ProcessKey(node: "node-1", pid: 100, createTime: 1_700_000_000_000)
    let sidecar = ProcessKey(node: "node-1", pid: 101, createTime: 1_700_000_001_000)
    let server = ProcessKey(node: "node-2", pid: 200, createTime: 1_700_000_002_000)

    @Test func connectionsAreJoinedAcrossNodesAndLabelledWithHowTheServerWasReached() throws {
        let state = try processCluster()
        var correlator = ConnectionCorrelator(qualifyAfter: 60_000, expireAfter: 120_000)
        #expect(correlator.correlate(processReports(), state: state, now: 0).connections.isEmpty)
        let graph = correlator.correlate(processReports(), state: state, now: 60_000)
        let seen = Set(graph.connections.map { "\($0.client.pid)->\($0.server.pid):\($0.port) \($0.path.via)" })
        #expect(
            seen == [
                "100->200:8080 service/shop/db", "100->200:5432 headless/shop/db-headless", "100->200:9090 direct",
                "100->101:15001 direct",
            ])
        // 40000 (translated) and 40002 (joined on the server's socket) are one relation.
        #expect(graph.connections.count == 4)
        #expect(correlator.unresolved == 1)
        let viaService = try #require(graph.connections.first { $0.path == .service(ObjectKey("shop", "db")) })
        #expect(viaService.clientIP == "10.244.1.10" && viaService.serverIP == "10.244.2.20")
        #expect(graph.processes[server]?.container == ContainerRef(pod: ObjectKey("shop", "db-0"), name: "db"))
        #expect(graph.processes[sidecar]?.container?.name == "sidecar")
    }

    @Test func aConnectionSeenOnceNeverQualifiesAndAQuietOneExpires() throws {
        let state = try processCluster()
        var correlator = ConnectionCorrelator(qualifyAfter: 60_000, expireAfter: 120_000)
        _ = correlator.correlate(processReports(), state: state, now: 0)
        // Unseen at 30 s and 60 s: seen only at one instant, it does not qualify.
        #expect(correlator.correlate([], state: state, now: 60_000).connections.isEmpty)
        #expect(correlator.correlate(processReports(), state: state, now: 90_000).connections.count == 4)
        #expect(correlator.correlate([], state: state, now: 210_000).connections.count == 4)
        #expect(correlator.correlate([], state: state, now: 210_001).connections.isEmpty)
    }

    @Test func withoutATranslationOrTheServersSocketAServiceConnectionIsUnresolved() throws {
        var reports = processReports()
        reports[1].connections.removeAll { $0.remote.port == 40002 }
        var correlator = ConnectionCorrelator(qualifyAfter: 0)
        let graph = correlator.correlate(reports, state: try processCluster(), now: 0)
        #expect(graph.connections.count == 4)
        #expect(correlator.unresolved == 2)
    }

    @Test func theTopologyHasTheAgentsURNsRelationIdsAndData() throws {
        var state = try processCluster()
        var correlator = ConnectionCorrelator(qualifyAfter: 0)
        state.processes = correlator.correlate(processReports(), state: state, now: 0)
        let topology = TopologyBuilder.build(state)
        let clientURN = "urn:process:/node-1-prod:100:1700000000000"
        let serverURN = "urn:process:/node-2-prod:200:1700000002000"
        let process = try #require(topology.components[clientURN])
        #expect(process.type == .process && process.name == "api")
        #expect(process.properties["host"] == "node-1-prod" && process.properties["pid"] == "100")
        #expect(process.properties["command.args"] == "/bin/api\0--port\07000")
        #expect(
            topology.relations["urn:kubernetes:/prod:shop:pod/api-1:container/app->\(clientURN)"]?.type == .runs)
        let id = "connection:/\(clientURN)->\(serverURN):port/9090"
        let direct = try #require(topology.relations[id])
        #expect(direct.type == .directionalConnection && direct.externalId == id)
        #expect(direct.properties["via"] == "direct" && direct.properties["incoming.port"] == "9090")
        let headless = try #require(topology.relations["connection:/\(clientURN)->\(serverURN):port/5432"])
        #expect(headless.properties["via"] == "headless/shop/db-headless")
        #expect(
            headless.properties["outgoing.ip"] == "10.244.1.10" && headless.properties["incoming.ip"] == "10.244.2.20")
        let service = try #require(topology.relations["connection:/\(clientURN)->\(serverURN):port/8080"])
        #expect(service.properties["via"] == "service/shop/db")
        #expect(topology.relations.values.filter { $0.type == .directionalConnection }.count == 4)
        #expect(
            topology.relations["urn:kubernetes:/prod:shop:pod/db-0:container/db->\(serverURN)"]?.type == .runs)
    }

    @Test func configuredDurationsKeepTheirMilliseconds() {
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect(Duration.seconds(60).wholeMilliseconds == 60_000)
        #expect(Duration.zero.wholeMilliseconds == 0)
    }

    @Test func aWorkloadsDependenciesReachWhatItsProcessesTalkTo() throws {
        var state = try processCluster()
        var correlator = ConnectionCorrelator(qualifyAfter: 0)
        state.processes = correlator.correlate(processReports(), state: state, now: 0)
        let topology = TopologyBuilder.build(state)
        let dependencies = try #require(topology.dependencies(of: "urn:kubernetes:/prod:shop:deployment/api"))
        // Deployment → ReplicaSet → pod → container → process → the server's process.
        #expect(dependencies.components["urn:process:/node-2-prod:200:1700000002000"] != nil)
        #expect(
            dependencies.relations.values.contains {
                $0.type == .directionalConnection && $0.targetId == "urn:process:/node-2-prod:200:1700000002000"
            })
    }

    @Test func connectionSeriesNameBothEndsWorkloads() throws {
        var state = try processCluster()
        var correlator = ConnectionCorrelator(qualifyAfter: 0)
        state.processes = correlator.correlate(processReports(), state: state, now: 0)
        let batch = TopologyMetrics().batch(topology: TopologyBuilder.build(state), state: state)
        let text = ExpositionWriter(format: .text).string(batch)
        let lines = text.split(separator: "\n")
            .filter { $0.hasPrefix(TopologyMetrics.connectionInfo + "{") }
        #expect(lines.count == 4)
        #expect(
            lines.contains {
                $0.contains(#"client_workload="api""#) && $0.contains(#"client_workload_kind="Deployment""#)
                    && $0.contains(#"server_pod="db-0""#) && $0.contains(#"via="service/shop/db""#)
                    && $0.contains(#"port="8080""#) && $0.contains(#"server_workload_kind="Pod""#)
            }, "\(lines)")
        #expect(!text.contains(#"type="directional_connection""#))
    }
}
