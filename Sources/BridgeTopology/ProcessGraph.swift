/// The processes and process-to-process connections of the cluster, as the leader correlated them
/// from the node collectors' reports (``ConnectionCorrelator``); the topology turns them into
/// `process` components, container → process `runs` and `directional_connection` relations.
public struct ProcessGraph: Sendable, Hashable {
    /// The processes that run in a known container or take part in a reported connection.
    public var processes: [ProcessKey: ProcessEntry] = [:]
    /// The connections that qualified (seen long enough) and have not expired.
    public var connections: [ProcessConnection] = []

    /// An empty graph.
    public init() {}

    /// Whether there is nothing in it.
    public var isEmpty: Bool { processes.isEmpty && connections.isEmpty }
}

/// What identifies a process across the cluster: its node, pid and create time, the parts of
/// its URN (`urn:process:/<node>-<cluster>:<pid>:<createTime>`).
public struct ProcessKey: Sendable, Hashable, Comparable, Codable {
    /// The node.
    public var node: String
    /// The pid.
    public var pid: Int32
    /// The create time (ms).
    public var createTime: Int64

    /// Creates a key.
    public init(node: String, pid: Int32, createTime: Int64) {
        self.node = node
        self.pid = pid
        self.createTime = createTime
    }

    /// Node, then pid, then create time.
    public static func < (lhs: ProcessKey, rhs: ProcessKey) -> Bool {
        (lhs.node, lhs.pid, lhs.createTime) < (rhs.node, rhs.pid, rhs.createTime)
    }
}

/// A process of the graph.
public struct ProcessEntry: Sendable, Hashable {
    /// Its key.
    public var key: ProcessKey
    /// Its command line.
    public var args: [String]
    /// Its executable.
    public var exe: String
    /// The pod and container it runs in, when its container id belongs to a known pod.
    public var container: ContainerRef?

    /// Creates an entry.
    public init(key: ProcessKey, args: [String], exe: String, container: ContainerRef?) {
        self.key = key
        self.args = args
        self.exe = exe
        self.container = container
    }
}

/// A container of a pod.
public struct ContainerRef: Sendable, Hashable {
    /// The pod.
    public var pod: ObjectKey
    /// The container's name.
    public var name: String

    /// Creates a reference.
    public init(pod: ObjectKey, name: String) {
        self.pod = pod
        self.name = name
    }
}

/// How a client reached its server (the three kinds of the StackPack, seeds: Kubernetes
/// integration, "Relations").
public enum ConnectionPath: Sendable, Hashable, Comparable {
    /// At the server's own address (a pod IP, a node IP, or loopback).
    case direct
    /// At a Service's cluster IP, translated to the server by kube-proxy.
    case service(ObjectKey)
    /// At a pod address that a headless Service (`clusterIP: None`) lists.
    case headless(ObjectKey)

    /// `direct`, `service/<namespace>/<name>` or `headless/<namespace>/<name>`: the relation's
    /// `via` data and the `via` label of the connection series.
    public var via: String {
        switch self {
        case .direct: "direct"
        case .service(let key): "service/\(key.namespace)/\(key.name)"
        case .headless(let key): "headless/\(key.namespace)/\(key.name)"
        }
    }
}

/// A connection from a client process to a server process on one server port. The relation's
/// identity is (client, server, port): the client's ephemeral port plays no part, as in the
/// process agent (reference/process-connections.md §1.4).
public struct ProcessConnection: Sendable, Hashable {
    /// The client process.
    public var client: ProcessKey
    /// The server process.
    public var server: ProcessKey
    /// The port the server accepted on (the backend's, not a Service's).
    public var port: Int
    /// The client's address as the server saw it.
    public var clientIP: String
    /// The server's address.
    public var serverIP: String
    /// How the server was reached.
    public var path: ConnectionPath

    /// Creates a connection.
    public init(
        client: ProcessKey, server: ProcessKey, port: Int, clientIP: String, serverIP: String, path: ConnectionPath
    ) {
        self.client = client
        self.server = server
        self.port = port
        self.clientIP = clientIP
        self.serverIP = serverIP
        self.path = path
    }

    /// The relation's identity.
    public var identity: ConnectionIdentity { ConnectionIdentity(client: client, server: server, port: port) }
}

/// (client, server, server port): what makes two observations the same relation.
public struct ConnectionIdentity: Sendable, Hashable {
    /// The client process.
    public var client: ProcessKey
    /// The server process.
    public var server: ProcessKey
    /// The server port.
    public var port: Int
}
