/// What a node collector saw on its node in one walk of `/proc`: the processes, their TCP
/// connections and listening sockets (reference/process-connections.md §2.1, §5). The `node`
/// DaemonSet serves it at `GET /api/v1/processes`; the leader correlates the reports of every node
/// (``ConnectionCorrelator``).
public struct ProcessReport: Sendable, Codable, Hashable {
    /// The node's name, as in Kubernetes.
    public var node: String
    /// When the walk ended, in milliseconds since the epoch.
    public var collectedAt: Int64
    /// The inode of the host's network namespace (`/proc/1/ns/net`): sockets in it carry the
    /// node's addresses.
    public var hostNetNamespace: UInt64
    /// The processes, each old enough to be reported.
    public var processes: [ReportedProcess]
    /// Established TCP connections of those processes.
    public var connections: [ReportedConnection]
    /// Listening TCP sockets of those processes.
    public var listeners: [ReportedListener]

    /// Creates a report.
    public init(
        node: String, collectedAt: Int64, hostNetNamespace: UInt64 = 0, processes: [ReportedProcess] = [],
        connections: [ReportedConnection] = [], listeners: [ReportedListener] = []
    ) {
        self.node = node
        self.collectedAt = collectedAt
        self.hostNetNamespace = hostNetNamespace
        self.processes = processes
        self.connections = connections
        self.listeners = listeners
    }
}

/// A process: the pid and create time that make its URN, its command line, and where it runs.
public struct ReportedProcess: Sendable, Codable, Hashable {
    /// The pid in the host's pid namespace.
    public var pid: Int32
    /// The start time in milliseconds since the epoch, with the process agent's arithmetic
    /// (`(starttime / CLK_TCK + btime) * 1000`, integer division: it always ends in 000).
    public var createTime: Int64
    /// `/proc/PID/cmdline`, split at its NULs.
    public var args: [String]
    /// The target of `/proc/PID/exe`, empty when it cannot be read (kernel threads).
    public var exe: String
    /// The container id from `/proc/PID/cgroup`, without runtime prefix; nil outside containers.
    public var containerId: String?
    /// The inode of its network namespace.
    public var netNamespace: UInt64

    /// Creates a process.
    public init(
        pid: Int32, createTime: Int64, args: [String], exe: String, containerId: String?, netNamespace: UInt64
    ) {
        self.pid = pid
        self.createTime = createTime
        self.args = args
        self.exe = exe
        self.containerId = containerId
        self.netNamespace = netNamespace
    }
}

/// An IP address and TCP port, the IP in its textual form (`10.0.0.1`, `fd00::1`).
public struct SocketAddress: Sendable, Codable, Hashable, CustomStringConvertible {
    /// The address.
    public var ip: String
    /// The port.
    public var port: Int

    /// Creates an address.
    public init(_ ip: String, _ port: Int) {
        self.ip = ip
        self.port = port
    }

    /// `ip:port`, or `[ip]:port` for IPv6.
    public var description: String { ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    /// Whether the address is a loopback one (127/8 or ::1, or IPv4-mapped loopback), which names
    /// a socket of the same network namespace only.
    public var isLoopback: Bool {
        ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }

    /// Whether the address is the wildcard a listening socket binds to accept on every address.
    public var isWildcard: Bool { ip == "0.0.0.0" || ip == "::" }
}

/// Which end of a connection a socket is.
public enum ConnectionDirection: String, Sendable, Codable, Hashable {
    /// The socket's local port is one its network namespace listens on: the server's end.
    case incoming
    /// Any other established socket: the client's end.
    case outgoing
}

/// An established TCP connection as one process sees it.
public struct ReportedConnection: Sendable, Codable, Hashable {
    /// The owning process's pid.
    public var pid: Int32
    /// The owning process's create time (ms).
    public var createTime: Int64
    /// The local end.
    public var local: SocketAddress
    /// The remote end, as the process addressed it (a Service's cluster IP for a client that
    /// dialled one).
    public var remote: SocketAddress
    /// The remote end after destination NAT, from conntrack's reply source (the agent's
    /// `natraddr`): the backend pod behind a cluster IP. Nil when conntrack has no translation.
    public var translatedRemote: SocketAddress?
    /// Which end this is.
    public var direction: ConnectionDirection
    /// The network namespace's inode.
    public var netNamespace: UInt64

    /// Creates a connection.
    public init(
        pid: Int32, createTime: Int64, local: SocketAddress, remote: SocketAddress,
        translatedRemote: SocketAddress? = nil, direction: ConnectionDirection, netNamespace: UInt64
    ) {
        self.pid = pid
        self.createTime = createTime
        self.local = local
        self.remote = remote
        self.translatedRemote = translatedRemote
        self.direction = direction
        self.netNamespace = netNamespace
    }
}

/// A listening TCP socket.
public struct ReportedListener: Sendable, Codable, Hashable {
    /// The owning process's pid.
    public var pid: Int32
    /// The owning process's create time (ms).
    public var createTime: Int64
    /// The address it listens on (possibly the wildcard).
    public var local: SocketAddress
    /// The network namespace's inode.
    public var netNamespace: UInt64

    /// Creates a listener.
    public init(pid: Int32, createTime: Int64, local: SocketAddress, netNamespace: UInt64) {
        self.pid = pid
        self.createTime = createTime
        self.local = local
        self.netNamespace = netNamespace
    }
}
