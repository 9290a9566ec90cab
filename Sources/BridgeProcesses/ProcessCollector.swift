import BridgeTopology

#if canImport(Glibc)
    import Glibc
#endif

/// Walks a node's `/proc` into a ``ProcessReport``, as the process agent's `/proc` path does
/// without eBPF (reference/process-connections.md §2.1, §5): processes with pid, create time,
/// command line and container; one `net/tcp{,6}` read per network namespace; socket inodes to
/// processes through `/proc/PID/fd`; direction from the namespace's listening sockets; and for
/// outgoing connections the conntrack translation of their destination.
public struct ProcessCollector {
    /// What the walk may read and how it judges.
    public struct Settings: Sendable {
        /// The host's `/proc` as this process sees it (`/proc` with `hostPID`).
        public var procRoot: String
        /// Processes younger than this are left out, as the agent leaves out processes younger
        /// than 60 s (`ShortLivedProcessQualifierSecs`): short-lived ones would churn the topology.
        public var minimumAge: Int64
        /// Reads conntrack through ctnetlink first (needs `CAP_NET_ADMIN` in the host's network
        /// namespace); the `nf_conntrack` file under the root is the fallback either way.
        public var netlink: Bool
        /// `CLK_TCK`, the unit of a process's start time.
        public var clockTicks: Int64

        /// Settings for the real `/proc`.
        public init(
            procRoot: String = "/proc", minimumAge: Int64 = 60_000, netlink: Bool = true,
            clockTicks: Int64 = Int64(sysconf(Int32(_SC_CLK_TCK)))
        ) {
            self.procRoot = procRoot
            self.minimumAge = minimumAge
            self.netlink = netlink
            self.clockTicks = clockTicks
        }
    }

    /// What one walk read, for the bridge's own metrics and logs.
    public struct Statistics: Sendable, Equatable {
        /// Numeric entries of the root.
        public var processesSeen = 0
        /// Processes reported.
        public var processesReported = 0
        /// Processes whose files could not be read (ended during the walk, or access denied).
        public var processesUnreadable = 0
        /// Network namespaces whose tables were read.
        public var namespaces = 0
        /// ESTABLISHED and LISTEN sockets in those tables.
        public var sockets = 0
        /// Sockets no reported process holds (a younger process's, or one closed during the walk).
        public var socketsUnowned = 0
        /// Where conntrack came from.
        public var conntrack = ""

        /// Nothing read yet.
        public init() {}
    }

    /// The node the report is about.
    public let node: String
    /// The settings.
    public let settings: Settings
    private var files: ProcFiles

    /// A collector for `node`.
    public init(node: String, settings: Settings = Settings()) {
        self.node = node
        self.settings = settings
        files = ProcFiles(root: settings.procRoot)
    }

    /// Walks the tree at `now` (ms since the epoch).
    public mutating func collect(now: Int64) -> (report: ProcessReport, statistics: Statistics) {
        var statistics = Statistics()
        // The host's network namespace is pid 1's; where pid 1 cannot be read (a sandbox's init),
        // the collector's own, which `hostNetwork` makes the host's.
        let hostNamespace =
            (files.link("1/ns/net") ?? files.link("self/ns/net")).flatMap { ProcFiles.inode(in: $0, prefix: "net") }
            ?? 0
        var report = ProcessReport(node: node, collectedAt: now, hostNetNamespace: hostNamespace)
        guard let bootTime = files.read("stat").flatMap(ProcessStat.bootTime) else {
            return (report, statistics)
        }
        // Processes, and one process per network namespace to read its tables through.
        var owners: [UInt64: Int] = [:]
        var namespaceReader: [UInt64: Int32] = [:]
        for name in files.names(in: "") {
            guard let pid = Int32(name) else { continue }
            statistics.processesSeen += 1
            guard let stat = files.read("\(pid)/stat").flatMap(ProcessStat.init),
                let namespace = files.link("\(pid)/ns/net").flatMap({ ProcFiles.inode(in: $0, prefix: "net") })
            else {
                statistics.processesUnreadable += 1
                continue
            }
            let createTime = stat.createTime(bootTime: bootTime, clockTicks: settings.clockTicks)
            guard now - createTime >= settings.minimumAge else { continue }
            // Kernel threads have an empty command line and no sockets of their own.
            let args = (files.read("\(pid)/cmdline") ?? [])
                .split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard let first = args.first, !first.isEmpty else { continue }
            let trimmed = args.last == "" ? Array(args.dropLast()) : args
            let process = ReportedProcess(
                pid: pid, createTime: createTime, args: trimmed, exe: files.link("\(pid)/exe") ?? "",
                containerId: files.read("\(pid)/cgroup").flatMap(CgroupContainerID.find), netNamespace: namespace)
            let index = report.processes.count
            report.processes.append(process)
            if namespaceReader[namespace] == nil { namespaceReader[namespace] = pid }
            for descriptor in files.names(in: "\(pid)/fd") {
                guard let target = files.link("\(pid)/fd/\(descriptor)"),
                    let inode = ProcFiles.inode(in: target, prefix: "socket")
                else { continue }
                owners[inode] = index
            }
        }
        statistics.processesReported = report.processes.count
        var outgoing: [Int] = []
        for (namespace, pid) in namespaceReader.sorted(by: { $0.key < $1.key }) {
            var sockets: [TCPTable.Socket] = []
            for table in ["tcp", "tcp6"] {
                _ = files.forEachLine("\(pid)/net/\(table)") { TCPTable.parse(line: $0, into: &sockets) }
            }
            statistics.namespaces += 1
            statistics.sockets += sockets.count
            let listening = sockets.filter(\.listening)
            let listeningPorts = Set(listening.map(\.local.port))
            for socket in sockets {
                guard let index = owners[socket.inode] else {
                    statistics.socketsUnowned += 1
                    continue
                }
                let process = report.processes[index]
                if socket.listening {
                    report.listeners.append(
                        ReportedListener(
                            pid: process.pid, createTime: process.createTime, local: socket.local,
                            netNamespace: namespace))
                    continue
                }
                let incoming =
                    listeningPorts.contains(socket.local.port)
                    && listening.contains {
                        $0.local.port == socket.local.port && ($0.local.isWildcard || $0.local.ip == socket.local.ip)
                    }
                if !incoming && !socket.remote.isLoopback { outgoing.append(report.connections.count) }
                report.connections.append(
                    ReportedConnection(
                        pid: process.pid, createTime: process.createTime, local: socket.local, remote: socket.remote,
                        direction: incoming ? .incoming : .outgoing, netNamespace: namespace))
            }
        }
        if !outgoing.isEmpty {
            let table = conntrack()
            statistics.conntrack = table.source
            for index in outgoing {
                let connection = report.connections[index]
                report.connections[index].translatedRemote = table.translated(
                    from: connection.local, to: connection.remote)
            }
        }
        return (report, statistics)
    }

    /// The host's conntrack table: netlink, else the file, else an empty table saying why.
    private mutating func conntrack() -> ConntrackTable {
        var reasons: [String] = []
        if settings.netlink {
            switch ConntrackTable.netlink() {
            case .success(let table): return table
            case .failure(let failure): reasons.append(failure.reason)
            }
        }
        if let contents = files.read("1/net/nf_conntrack") { return ConntrackTable.parse(file: contents) }
        reasons.append("\(settings.procRoot)/1/net/nf_conntrack cannot be read")
        return ConntrackTable(unavailable: reasons.joined(separator: "; "))
    }
}
