import BridgeTopology

extension SimulatedCluster {
    /// The inode the simulated hosts' own network namespace has.
    static let hostNetNamespace: UInt64 = 4_026_531_840

    /// What the node collector on `node` would report at `time` (ms since the epoch): one process
    /// per container of its pods, each listening on 8080 (its Service port) and 9090 (metrics) in
    /// its pod's network namespace, and the TCP connections of those processes, both ends as the
    /// kernel would show them.
    ///
    /// Each Deployment pod is a client of up to three servers in its namespace, one of each kind
    /// of the StackPack: the first other application's Service through its cluster IP (the
    /// client's node has the conntrack translation to the backend), the `db` StatefulSet's pod
    /// through its headless Service, and a pod of that first application at its own address on its
    /// metrics port 9090, which no Service lists.
    /// The ephemeral ports change every 30 s, and `worker` processes restart every 10 minutes
    /// (a new create time, so a new process URN): the churn a real cluster has.
    public func processReport(node: String, at time: Int64) -> ProcessReport {
        let processes = simulatedProcesses(at: time)
        var report = ProcessReport(node: node, collectedAt: time, hostNetNamespace: Self.hostNetNamespace)
        for process in processes.values where process.node == node {
            report.processes.append(process.reported)
            for port in [8080, 9090] {
                report.listeners.append(
                    ReportedListener(
                        pid: process.reported.pid, createTime: process.reported.createTime,
                        local: SocketAddress("0.0.0.0", port), netNamespace: process.reported.netNamespace))
            }
        }
        for flow in simulatedFlows(processes, at: time) {
            if flow.client.node == node {
                report.connections.append(
                    ReportedConnection(
                        pid: flow.client.reported.pid, createTime: flow.client.reported.createTime,
                        local: flow.clientAddress, remote: flow.dialled, translatedRemote: flow.translated,
                        direction: .outgoing, netNamespace: flow.client.reported.netNamespace))
            }
            if flow.server.node == node {
                report.connections.append(
                    ReportedConnection(
                        pid: flow.server.reported.pid, createTime: flow.server.reported.createTime,
                        local: flow.serverAddress, remote: flow.clientAddress, direction: .incoming,
                        netNamespace: flow.server.reported.netNamespace))
            }
        }
        report.processes.sort { $0.pid < $1.pid }
        report.listeners.sort { $0.pid < $1.pid }
        return report
    }

    /// A process of a simulated pod.
    struct SimulatedProcess {
        var node: String
        var pod: ObjectKey
        var app: String
        var ip: String
        var reported: ReportedProcess
    }

    /// A connection between two simulated processes.
    struct SimulatedFlow {
        var client: SimulatedProcess
        var server: SimulatedProcess
        var clientAddress: SocketAddress
        var dialled: SocketAddress
        var translated: SocketAddress?
        var serverAddress: SocketAddress { translated ?? dialled }
    }

    /// The processes of every running pod, by pod.
    func simulatedProcesses(at time: Int64) -> [ObjectKey: SimulatedProcess] {
        var result: [ObjectKey: SimulatedProcess] = [:]
        for (index, entry) in state.pods.sortedByKey().enumerated() {
            let (key, pod) = entry
            guard pod.status?.phase == "Running", let node = pod.spec?.nodeName, let ip = pod.status?.podIP,
                let container = pod.status?.containerStatuses?.first,
                let id = container.containerID?.split(separator: "/").last
            else { continue }
            let app = pod.metadata.labels?["app"] ?? key.name
            let started: Int64 = 1_793_491_200_000 + Int64(index) * 1000
            let restartPeriod: Int64 = 600_000
            // A worker restarted at the start of each period, two minutes back so that it is old
            // enough to be reported (the agent leaves out processes younger than 60 s).
            let createTime = app.hasPrefix("worker") ? (time / restartPeriod) * restartPeriod - 120_000 : started
            result[key] = SimulatedProcess(
                node: node, pod: key, app: app, ip: ip,
                reported: ReportedProcess(
                    pid: Int32(1000 + index * 7 % 30_000), createTime: createTime,
                    args: ["/usr/local/bin/\(app)", "--listen=:8080"], exe: "/usr/local/bin/\(app)",
                    containerId: String(id), netNamespace: 4_026_532_000 + UInt64(index)))
        }
        return result
    }

    /// Every connection at `time`, clients in pod order.
    func simulatedFlows(_ processes: [ObjectKey: SimulatedProcess], at time: Int64) -> [SimulatedFlow] {
        var flows: [SimulatedFlow] = []
        let window = UInt64(time / 30_000)
        for (key, pod) in state.pods.sortedByKey() {
            guard pod.metadata.controller?.kind == "ReplicaSet", let client = processes[key] else { continue }
            let others = state.services
                .filter { $0.key.namespace == key.namespace && $0.value.spec?.selector?["app"] != client.app }
                .filter { $0.value.spec?.selector != nil }
                .sorted { $0.key < $1.key }
            let backends = { (service: Service) in
                processes.values.filter {
                    $0.pod.namespace == key.namespace && $0.app == service.spec?.selector?["app"]
                }.sorted { $0.pod < $1.pod }
            }
            let seed = Self.mix(UInt64(client.reported.pid))
            var port = 32_768 + Int((Self.mix(seed ^ window)) % 20_000)
            func flow(to server: SimulatedProcess, dialled: SocketAddress, translated: SocketAddress? = nil) {
                port += 1
                flows.append(
                    SimulatedFlow(
                        client: client, server: server, clientAddress: SocketAddress(client.ip, port),
                        dialled: dialled, translated: translated))
            }
            let clustered = others.filter { ($0.value.spec?.clusterIP ?? "None") != "None" }
            if let (_, service) = clustered.first, let ip = service.spec?.clusterIP {
                let servers = backends(service)
                if !servers.isEmpty {
                    let server = servers[Int(seed % UInt64(servers.count))]
                    flow(
                        to: server, dialled: SocketAddress(ip, service.spec?.ports?.first?.port ?? 8080),
                        translated: SocketAddress(server.ip, 8080))
                }
            }
            if let (_, service) = others.first(where: { $0.value.spec?.clusterIP == "None" }),
                let server = backends(service).first
            {
                flow(to: server, dialled: SocketAddress(server.ip, 8080))
            }
            if let (_, service) = clustered.first {
                let servers = backends(service)
                if !servers.isEmpty {
                    let server = servers[Int(seed / 7 % UInt64(servers.count))]
                    flow(to: server, dialled: SocketAddress(server.ip, 9090))
                }
            }
        }
        return flows
    }

    /// A well-spread number from `value` (one step of the builder's generator seeded with it).
    static func mix(_ value: UInt64) -> UInt64 {
        var random = SimRandom(seed: value)
        return random.next()
    }
}
