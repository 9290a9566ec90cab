/// Joins the node collectors' reports into a ``ProcessGraph``: each client's outgoing connection
/// is matched with the server process that accepted it, on whichever node that runs, and labelled
/// with how the server was reached (reference/process-connections.md §1.4, §2.4, §5).
///
/// The server is found, in order, by the server's own socket for the same pair of ends (it sees
/// the client's address and port as its remote end, whatever the client dialled), then by the
/// listening socket on the backend address. The backend is conntrack's translation when the node
/// had one; for a client that dialled a cluster IP without one, the server socket whose remote end
/// is the client's local end. As the process agent does, a relation appears only once it has been
/// observed across `qualifyAfter`, and goes when unseen for `expireAfter`.
public struct ConnectionCorrelator: Sendable {
    /// How long a connection must have been observed before it becomes a relation (the agent's
    /// `ShortLivedNetworkRelationQualifierSecs`, 60 s).
    public var qualifyAfter: Int64
    /// How long an unobserved connection stays a relation.
    public var expireAfter: Int64
    /// First and last observation of each connection, in ms since the epoch.
    private var sightings: [ConnectionIdentity: Sighting] = [:]

    private struct Sighting {
        var first: Int64
        var last: Int64
        var connection: ProcessConnection
    }

    /// What the last ``correlate(_:state:now:)`` could not resolve, for the bridge's own metrics.
    public private(set) var unresolved = 0

    /// A correlator; durations in milliseconds.
    public init(qualifyAfter: Int64 = 60_000, expireAfter: Int64 = 300_000) {
        self.qualifyAfter = qualifyAfter
        self.expireAfter = expireAfter
    }

    /// The graph of the latest `reports` (one per node) in the cluster `state`, at `now` (ms).
    public mutating func correlate(_ reports: [ProcessReport], state: ClusterState, now: Int64) -> ProcessGraph {
        let index = ReportIndex(reports, state: state)
        var graph = ProcessGraph()
        unresolved = 0
        for report in reports {
            for connection in report.connections where connection.direction == .outgoing {
                guard let resolved = index.resolve(connection, on: report.node) else {
                    unresolved += 1
                    continue
                }
                let identity = resolved.identity
                if var sighting = sightings[identity] {
                    sighting.last = max(sighting.last, now)
                    sighting.connection = resolved
                    sightings[identity] = sighting
                } else {
                    sightings[identity] = Sighting(first: now, last: now, connection: resolved)
                }
            }
        }
        sightings = sightings.filter { now - $0.value.last <= expireAfter }
        graph.connections = sightings.values
            .filter { $0.last - $0.first >= qualifyAfter }
            .map(\.connection)
            .sorted { ($0.client, $0.server, $0.port) < ($1.client, $1.server, $1.port) }
        for (key, process) in index.processes where process.container != nil {
            graph.processes[key] = process
        }
        for connection in graph.connections {
            for key in [connection.client, connection.server] where graph.processes[key] == nil {
                graph.processes[key] = index.processes[key]
            }
        }
        return graph
    }
}

/// A socket address within the scope where it means one socket: loopback addresses only within
/// their node's network namespace, every other address cluster-wide.
private struct ScopedAddress: Hashable {
    var scope: String
    var address: SocketAddress

    init(_ address: SocketAddress, node: String, netNamespace: UInt64) {
        self.address = address
        scope = address.isLoopback ? "\(node)/\(netNamespace)" : ""
    }
}

/// The lookups one correlation needs, built from the reports and the cluster state.
private struct ReportIndex {
    var processes: [ProcessKey: ProcessEntry] = [:]
    /// Server sockets by (their local end, their remote end).
    var accepted: [PairKey: ProcessKey] = [:]
    /// Server sockets by their remote end (the client's local end), with their local end.
    var acceptedFrom: [ScopedAddress: (ProcessKey, SocketAddress)] = [:]
    /// Listening sockets by address, wildcards expanded to the addresses of their namespace.
    var listening: [ScopedAddress: ProcessKey] = [:]
    /// Services by cluster IP, with their ports.
    var services: [String: (ObjectKey, Set<Int>)] = [:]
    /// Headless Services by the endpoint addresses their EndpointSlices list.
    var headless: [SocketAddress: ObjectKey] = [:]

    struct PairKey: Hashable {
        var local: ScopedAddress
        var remote: ScopedAddress
    }

    init(_ reports: [ProcessReport], state: ClusterState) {
        var containers: [String: ContainerRef] = [:]
        for (key, pod) in state.pods {
            for status in pod.status?.containerStatuses ?? [] {
                guard let id = status.containerID.map(Self.bareContainerID), !id.isEmpty else { continue }
                containers[id] = ContainerRef(pod: key, name: status.name)
            }
        }
        var nodeAddresses: [String: [String]] = [:]
        for (name, node) in state.nodes {
            nodeAddresses[name] = (node.status?.addresses ?? [])
                .filter { $0.type == "InternalIP" || $0.type == "ExternalIP" }.map(\.address)
        }
        for report in reports {
            // The addresses of each network namespace: the node's for the host's, else the pod IP
            // of the containers whose processes live in it.
            var namespaceAddresses: [UInt64: Set<String>] = [
                report.hostNetNamespace: Set(nodeAddresses[report.node] ?? [])
            ]
            for process in report.processes {
                let key = ProcessKey(node: report.node, pid: process.pid, createTime: process.createTime)
                let container = process.containerId.flatMap { containers[$0] }
                processes[key] = ProcessEntry(key: key, args: process.args, exe: process.exe, container: container)
                if process.netNamespace != report.hostNetNamespace, let pod = container?.pod,
                    let ip = state.pods[pod]?.status?.podIP
                {
                    namespaceAddresses[process.netNamespace, default: []].insert(ip)
                }
            }
            for connection in report.connections where connection.direction == .incoming {
                let key = ProcessKey(node: report.node, pid: connection.pid, createTime: connection.createTime)
                let local = ScopedAddress(connection.local, node: report.node, netNamespace: connection.netNamespace)
                let remote = ScopedAddress(connection.remote, node: report.node, netNamespace: connection.netNamespace)
                accepted[PairKey(local: local, remote: remote)] = key
                acceptedFrom[remote] = (key, connection.local)
            }
            for listener in report.listeners {
                let key = ProcessKey(node: report.node, pid: listener.pid, createTime: listener.createTime)
                let addresses =
                    listener.local.isWildcard
                    ? (namespaceAddresses[listener.netNamespace] ?? []).sorted() + ["127.0.0.1", "::1"]
                    : [listener.local.ip]
                for ip in addresses {
                    let address = SocketAddress(ip, listener.local.port)
                    listening[ScopedAddress(address, node: report.node, netNamespace: listener.netNamespace)] = key
                }
            }
        }
        for (key, service) in state.services {
            guard let ip = service.spec?.clusterIP, !ip.isEmpty, ip != "None" else { continue }
            services[ip] = (key, Set((service.spec?.ports ?? []).compactMap(\.port)))
        }
        for slice in state.endpointSlices.values {
            guard let owner = slice.service, state.services[owner]?.spec?.clusterIP == "None" else { continue }
            let ports = (slice.ports ?? []).compactMap(\.port)
            for endpoint in slice.endpoints ?? [] {
                for ip in endpoint.addresses {
                    for port in ports { headless[SocketAddress(ip, port)] = owner }
                }
            }
        }
    }

    /// `abc…` from `containerd://abc…` (or `docker://`, `cri-o://`).
    static func bareContainerID(_ id: String) -> String {
        guard let range = id.range(of: "://") else { return id }
        return String(id[range.upperBound...])
    }

    /// The connection `outgoing`, seen on `node`, as client → server; nil when the server is not
    /// among the reported processes.
    func resolve(_ outgoing: ReportedConnection, on node: String) -> ProcessConnection? {
        let client = ProcessKey(node: node, pid: outgoing.pid, createTime: outgoing.createTime)
        let scoped = { (address: SocketAddress) in
            ScopedAddress(address, node: node, netNamespace: outgoing.netNamespace)
        }
        var path = ConnectionPath.direct
        var backend = outgoing.translatedRemote ?? outgoing.remote
        var server: ProcessKey?
        if !outgoing.remote.isLoopback, let (service, ports) = services[outgoing.remote.ip],
            ports.isEmpty || ports.contains(outgoing.remote.port)
        {
            path = .service(service)
            if outgoing.translatedRemote == nil {
                // No conntrack translation: the server's socket whose remote end is this one's
                // local end tells the backend (reference/process-connections.md §2.4).
                guard let (key, local) = acceptedFrom[scoped(outgoing.local)] else { return nil }
                server = key
                backend = local
            }
        } else if let service = headless[backend] {
            path = .headless(service)
        }
        if server == nil {
            server =
                accepted[PairKey(local: scoped(backend), remote: scoped(outgoing.local))]
                ?? listening[scoped(backend)]
        }
        guard let server, processes[server] != nil, processes[client] != nil else { return nil }
        return ProcessConnection(
            client: client, server: server, port: backend.port, clientIP: outgoing.local.ip, serverIP: backend.ip,
            path: path)
    }
}
