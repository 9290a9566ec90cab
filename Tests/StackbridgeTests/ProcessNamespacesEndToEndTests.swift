import BridgeTestPeers
import BridgeTopology
import Foundation
import Testing

/// Real processes and TCP connections in network namespaces made for the test
/// (``NetworkNamespaceLab``): a client pod dials a server pod through a fake ClusterIP (DNAT in
/// the node namespace, as kube-proxy does), at its address as a headless Service lists it, and at
/// a port no Service lists. `stackbridge processes`, run in the node namespace as the DaemonSet
/// runs with `hostNetwork`, walks the real `/proc` and reads the real conntrack table; the
/// correlation and topology of the leader then name the exact URNs, relation ids and `via`.
@Suite(.serialized) struct ProcessNamespacesEndToEndTests {
    static let server = """
        import selectors, socket
        selector = selectors.DefaultSelector()
        for port in (8080, 5432, 9090):
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("0.0.0.0", port))
            listener.listen(16)
            selector.register(listener, selectors.EVENT_READ)
        held = []
        print("ready")
        while True:
            for key, _ in selector.select():
                held.append(key.fileobj.accept()[0])
        """

    static let client = """
        import socket, time
        held = [socket.create_connection(target, timeout=5) for target in
                (("\(NetworkNamespaceLab.clusterIP)", 80), ("\(NetworkNamespaceLab.serverIP)", 5432),
                 ("\(NetworkNamespaceLab.serverIP)", 9090))]
        print("ready")
        time.sleep(600)
        """

    /// The cluster as the API server would describe the lab: the two pods with their container
    /// ids, the ClusterIP Service `api` (80 → 8080), the headless Service `db` (5432) and its
    /// EndpointSlice.
    static func cluster(_ lab: NetworkNamespaceLab) throws -> ClusterState {
        let objects = [
            #"{"kind":"Node","metadata":{"name":"node-a"},"status":{"addresses":[{"type":"InternalIP","address":"10.244.1.1"}]}}"#,
            #"{"kind":"Pod","metadata":{"name":"client","namespace":"lab"},"spec":{"nodeName":"node-a","containers":[{"name":"app"}]},"status":{"phase":"Running","podIP":"\#(NetworkNamespaceLab.clientIP)","containerStatuses":[{"name":"app","containerID":"containerd://\#(lab.clientContainer)"}]}}"#,
            #"{"kind":"Pod","metadata":{"name":"server","namespace":"lab","labels":{"app":"db"}},"spec":{"nodeName":"node-a","containers":[{"name":"db"}]},"status":{"phase":"Running","podIP":"\#(NetworkNamespaceLab.serverIP)","containerStatuses":[{"name":"db","containerID":"containerd://\#(lab.serverContainer)"}]}}"#,
            #"{"kind":"Service","metadata":{"name":"api","namespace":"lab"},"spec":{"clusterIP":"\#(NetworkNamespaceLab.clusterIP)","selector":{"app":"db"},"ports":[{"port":80}]}}"#,
            #"{"kind":"Service","metadata":{"name":"db","namespace":"lab"},"spec":{"clusterIP":"None","selector":{"app":"db"},"ports":[{"port":5432}]}}"#,
            #"{"kind":"EndpointSlice","metadata":{"name":"db-x","namespace":"lab","labels":{"kubernetes.io/service-name":"db"}},"addressType":"IPv4","endpoints":[{"addresses":["\#(NetworkNamespaceLab.serverIP)"]}],"ports":[{"port":5432}]}"#,
        ]
        var state = ClusterState(clusterName: "lab")
        for object in objects { state.upsert(try JSONDecoder().decode(KubernetesObject.self, from: Data(object.utf8))) }
        return state
    }

    @Test(
        .enabled(if: NetworkNamespaceLab.unavailableReason == nil, "needs root, ip netns, iptables and cgroups"))
    func connectionsThroughAClusterIPAHeadlessServiceAndDirectlyAreNamedExactly() async throws {
        let lab = NetworkNamespaceLab()
        // The lab's commands block; a thread of their own keeps them off the test pool.
        let result: Result<(ProcessReport, Int32, Int32, Int64), any Error> = await withCheckedContinuation { done in
            Thread {
                // Torn down before the test goes on, whatever happened: nothing outlives it.
                let outcome: Result<(ProcessReport, Int32, Int32, Int64), any Error>
                do {
                    try lab.setUp()
                    let serverPID = try lab.start(Self.server, in: lab.serverPod, container: lab.serverContainer)
                    let clientPID = try lab.start(Self.client, in: lab.clientPod, container: lab.clientContainer)
                    let json = try lab.sh([
                        "/usr/sbin/ip", "netns", "exec", lab.node, PeerProcess.builtProduct("stackbridge"), "processes",
                        "--node", "node-a", "--qualify-after", "0s",
                    ])
                    // The report is the first line; the summary follows on standard error.
                    let line = json.split(separator: "\n").first { $0.hasPrefix("{") } ?? ""
                    let report = try JSONDecoder().decode(ProcessReport.self, from: Data(line.utf8))
                    // The agent's arithmetic, worked out here from the kernel's own files.
                    let expected = try NetworkNamespaceLab.createTime(of: clientPID)
                    outcome = .success((report, clientPID, serverPID, expected))
                } catch {
                    outcome = .failure(error)
                }
                lab.tearDown()
                done.resume(returning: outcome)
            }.start()
        }
        let (report, clientPID, serverPID, clientCreateTime) = try result.get()
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(lab.node)"), "the lab was not removed")
        let client = try #require(report.processes.first { $0.pid == clientPID }, "client not reported")
        let server = try #require(report.processes.first { $0.pid == serverPID }, "server not reported")
        #expect(client.containerId == lab.clientContainer && server.containerId == lab.serverContainer)
        #expect(client.createTime == clientCreateTime)
        // The client's dial of the cluster IP, translated by the node namespace's conntrack.
        let dialled = try #require(
            report.connections.first {
                $0.pid == clientPID && $0.remote == SocketAddress(NetworkNamespaceLab.clusterIP, 80)
            })
        #expect(dialled.direction == .outgoing)
        #expect(dialled.translatedRemote == SocketAddress(NetworkNamespaceLab.serverIP, 8080))
        #expect(report.connections.filter { $0.pid == serverPID && $0.direction == .incoming }.count == 3)

        var state = try Self.cluster(lab)
        var correlator = ConnectionCorrelator(qualifyAfter: 0)
        state.processes = correlator.correlate([report], state: state, now: report.collectedAt)
        let topology = TopologyBuilder.build(state)
        let clientURN = "urn:process:/node-a-lab:\(clientPID):\(client.createTime)"
        let serverURN = "urn:process:/node-a-lab:\(serverPID):\(server.createTime)"
        #expect(topology.components[clientURN]?.type == .process)
        #expect(topology.components[serverURN]?.type == .process)
        #expect(topology.relations["urn:kubernetes:/lab:lab:pod/client:container/app->\(clientURN)"]?.type == .runs)
        #expect(topology.relations["urn:kubernetes:/lab:lab:pod/server:container/db->\(serverURN)"]?.type == .runs)
        // The walk sees the whole machine: other tests' processes talking over loopback are in the
        // graph too; the lab's are those of its client.
        let connections = topology.relations.values.filter {
            $0.type == .directionalConnection && $0.sourceId == clientURN
        }
        #expect(
            Set(connections.map { "\($0.externalId) \($0.properties["via"] ?? "")" }) == [
                "connection:/\(clientURN)->\(serverURN):port/8080 service/lab/api",
                "connection:/\(clientURN)->\(serverURN):port/5432 headless/lab/db",
                "connection:/\(clientURN)->\(serverURN):port/9090 direct",
            ])
        #expect(connections.allSatisfy { $0.properties["outgoing.ip"] == NetworkNamespaceLab.clientIP })
        #expect(connections.allSatisfy { $0.properties["incoming.ip"] == NetworkNamespaceLab.serverIP })
    }
}
