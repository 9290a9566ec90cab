import BridgeTestPeers
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The recipe of reference/process-connections.md §4 on one machine, as root: a "node" network
/// namespace routing between two "pod" namespaces over veth pairs, kube-proxy's DNAT for a fake
/// cluster IP in the node namespace, and fake kubepods cgroups that give processes container ids.
/// Every address lives in a namespace made here; ``tearDown()`` removes all of it, processes,
/// namespaces and cgroups, and runs also when the set-up failed half-way.
final class NetworkNamespaceLab: @unchecked Sendable {
    /// The namespaces' names, unique to this run.
    let node: String
    let clientPod: String
    let serverPod: String
    /// Addresses.
    static let clientIP = "10.244.1.10"
    static let serverIP = "10.244.2.20"
    static let clusterIP = "10.96.0.50"
    /// Container ids of the client and the server (64 hex digits, as runtimes name them).
    let clientContainer = String(repeating: "c1", count: 32)
    let serverContainer = String(repeating: "5e", count: 32)
    private let cgroupRoot: String?
    private var processes: [Process] = []

    /// Whether the lab can run here: root, `ip netns`, iptables, and a writable cgroup hierarchy.
    static var unavailableReason: String? {
        if geteuid() != 0 { return "not root" }
        for tool in ["/usr/sbin/ip", "/usr/sbin/iptables"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is missing (make deps installs iproute2 and iptables)"
        }
        if cgroupHierarchy() == nil { return "no writable cgroup hierarchy for fake container ids" }
        return nil
    }

    /// A cgroup v1 `pids` hierarchy, else the cgroup v2 root: where a process can be moved to a
    /// `…/kubepods/pod<uid>/<container id>` cgroup.
    static func cgroupHierarchy() -> String? {
        for path in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
        where access(path + "/cgroup.procs", W_OK) == 0 {
            return path
        }
        return nil
    }

    /// The prefix of every namespace and cgroup a lab makes, followed by the test process's pid.
    static let prefix = "sbe2e-"

    init() {
        let tag = "\(Self.prefix)\(getpid())"
        (node, clientPod, serverPod) = ("\(tag)-node", "\(tag)-client", "\(tag)-server")
        cgroupRoot = Self.cgroupHierarchy().map { "\($0)/\(tag)" }
    }

    /// Removes what an earlier lab left behind when its test process was killed before its
    /// tear-down: namespaces whose pid no longer runs.
    static func removeLeftovers() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        for name in names where name.hasPrefix(prefix) {
            let pid = Int32(name.dropFirst(prefix.count).prefix { $0.isNumber }) ?? 0
            if pid > 0 && kill(pid, 0) != 0 { _ = try? PeerProcess.run("/usr/sbin/ip", ["netns", "delete", name]) }
        }
    }

    /// Runs a command; throws with its output when it fails.
    @discardableResult
    func sh(_ arguments: [String]) throws -> String {
        let (status, output) = try PeerProcess.run(arguments[0], Array(arguments.dropFirst()))
        guard status == 0 else { throw PeerError("\(arguments.joined(separator: " ")): exit \(status): \(output)") }
        return output
    }

    /// Makes the namespaces, links, addresses, routes and the DNAT rule.
    func setUp() throws {
        Self.removeLeftovers()
        let ip = "/usr/sbin/ip"
        for namespace in [node, clientPod, serverPod] { try sh([ip, "netns", "add", namespace]) }
        try sh([ip, "link", "add", "vc0", "netns", node, "type", "veth", "peer", "name", "eth0", "netns", clientPod])
        try sh([ip, "link", "add", "vs0", "netns", node, "type", "veth", "peer", "name", "eth0", "netns", serverPod])
        try sh([ip, "-n", node, "addr", "add", "10.244.1.1/24", "dev", "vc0"])
        try sh([ip, "-n", node, "addr", "add", "10.244.2.1/24", "dev", "vs0"])
        try sh([ip, "-n", clientPod, "addr", "add", Self.clientIP + "/24", "dev", "eth0"])
        try sh([ip, "-n", serverPod, "addr", "add", Self.serverIP + "/24", "dev", "eth0"])
        for (namespace, links) in [
            (node, ["lo", "vc0", "vs0"]), (clientPod, ["lo", "eth0"]), (serverPod, ["lo", "eth0"]),
        ] {
            for link in links { try sh([ip, "-n", namespace, "link", "set", link, "up"]) }
        }
        try sh([ip, "-n", clientPod, "route", "add", "default", "via", "10.244.1.1"])
        try sh([ip, "-n", serverPod, "route", "add", "default", "via", "10.244.2.1"])
        try sh([ip, "netns", "exec", node, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
        // kube-proxy's rule for a ClusterIP Service: port 80 of the cluster IP to the pod's 8080.
        try sh([
            ip, "netns", "exec", node, "/usr/sbin/iptables", "-t", "nat", "-A", "PREROUTING", "-d",
            Self.clusterIP + "/32", "-p", "tcp", "--dport", "80", "-j", "DNAT", "--to-destination",
            Self.serverIP + ":8080",
        ])
    }

    /// Starts `script` with python3 in `namespace`, in the cgroup of `container`; waits for its
    /// first line of output (it prints one when ready) and returns its pid.
    func start(_ script: String, in namespace: String, container: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace, "python3", "-u", "-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        processes.append(process)
        if let root = cgroupRoot {
            let group = "\(root)/kubepods/besteffort/pod-\(namespace)/\(container)"
            try FileManager.default.createDirectory(atPath: group, withIntermediateDirectories: true)
            try "\(process.processIdentifier)\n".write(
                toFile: group + "/cgroup.procs", atomically: false, encoding: .utf8)
        }
        let line = PeerProcess.readLine(output.fileHandleForReading)
        guard line == "ready" else { throw PeerError("\(namespace): \(line)") }
        return process.processIdentifier
    }

    /// Kills what was started, deletes the namespaces (their links go with them) and the cgroups.
    func tearDown() {
        for process in processes { PeerProcess.kill(process) }
        for namespace in [node, clientPod, serverPod] {
            _ = try? PeerProcess.run("/usr/sbin/ip", ["netns", "delete", namespace])
        }
        if let root = cgroupRoot, let walker = FileManager.default.enumerator(atPath: root) {
            // Deepest first: a cgroup directory is removed with rmdir once its children are.
            // Control files are not directories; rmdir leaves them be.
            let paths = walker.compactMap { $0 as? String }
            for relative in paths.sorted(by: { $0.count > $1.count }) { rmdir("\(root)/\(relative)") }
            rmdir(root)
        }
    }

    /// The create time the process agent gives `pid`: `(starttime / CLK_TCK + btime) * 1000`.
    static func createTime(of pid: Int32) throws -> Int64 {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")
        let start = Int64(fields[19])!
        let boot = try String(contentsOfFile: "/proc/stat", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("btime ") }.map { Int64($0.dropFirst(6))! }!
        return (start / Int64(sysconf(Int32(_SC_CLK_TCK))) + boot) * 1000
    }
}
