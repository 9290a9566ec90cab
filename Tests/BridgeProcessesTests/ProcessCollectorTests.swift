import BridgeTopology
import Foundation
import Testing

@testable import BridgeProcesses

/// A `/proc` tree in a temporary directory, written as the kernel shows it: `stat` lines,
/// NUL-separated command lines, `ns/net` and `fd/*` links, cgroup paths, tcp tables in hex.
struct FixtureProc {
    let root: URL
    let files = FileManager.default

    init() throws {
        root = files.temporaryDirectory.appendingPathComponent("proc-\(UUID().uuidString)")
        try files.createDirectory(at: root, withIntermediateDirectories: true)
        try write("stat", "cpu  1 2 3 4\nbtime 1700000000\nprocesses 5\n")
    }

    func write(_ path: String, _ contents: String) throws {
        let url = root.appendingPathComponent(path)
        try files.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    func link(_ path: String, to target: String) throws {
        let url = root.appendingPathComponent(path)
        try files.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try files.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    /// A process started `startTicks` after boot, with its command, container cgroup, network
    /// namespace and socket descriptors.
    func process(
        _ pid: Int, comm: String, startTicks: Int, args: [String], exe: String?, cgroup: String, netns: UInt64,
        sockets: [UInt64] = []
    ) throws {
        try write(
            "\(pid)/stat",
            "\(pid) (\(comm)) S 1 \(pid) \(pid) 0 -1 4194560 10 0 0 0 5 3 0 0 20 0 1 0 \(startTicks) 1234 56 18446744073709551615\n"
        )
        try write("\(pid)/cmdline", args.map { $0 + "\0" }.joined())
        if let exe { try link("\(pid)/exe", to: exe) }
        try write("\(pid)/cgroup", cgroup)
        try link("\(pid)/ns/net", to: "net:[\(netns)]")
        try files.createDirectory(at: root.appendingPathComponent("\(pid)/fd"), withIntermediateDirectories: true)
        try link("\(pid)/fd/0", to: "/dev/null")
        for (index, inode) in sockets.enumerated() { try link("\(pid)/fd/\(index + 3)", to: "socket:[\(inode)]") }
    }

    static let header =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

    /// A tcp table row.
    static func row(_ local: String, _ remote: String, _ state: String, inode: UInt64) -> String {
        "   0: \(local) \(remote) \(state) 00000000:00000000 00:00000000 00000000     0        0 \(inode) 1 0000000000000000 20 4 30 10 -1\n"
    }

    func remove() { try? files.removeItem(at: root) }
}

@Suite struct ProcessCollectorTests {
    static let clientContainer = String(repeating: "c1", count: 32)
    static let serverContainer = String(repeating: "5e", count: 32)
    static let now: Int64 = 1_700_010_000_000

    /// A client pod's process (pid 100) dialling a cluster IP over IPv4 and a server over IPv6;
    /// a server pod's process (pid 101) listening on 8080 with the client's connection accepted;
    /// a process too young to report (102), a kernel thread (103), and the host's init (1).
    func fixture() throws -> FixtureProc {
        let proc = try FixtureProc()
        try proc.process(
            1, comm: "systemd", startTicks: 10, args: ["/sbin/init"], exe: "/usr/lib/systemd/systemd", cgroup: "0::/\n",
            netns: 4_026_531_840)
        try proc.process(
            100, comm: "api (v2)", startTicks: 250_000, args: ["/bin/api", "--port", "7000"], exe: "/bin/api",
            cgroup:
                "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/cri-containerd-\(Self.clientContainer).scope\n",
            netns: 4_026_532_001, sockets: [5001, 5002, 5003, 5004])
        try proc.process(
            101, comm: "postgres", startTicks: 260_000, args: ["postgres", "-D", "/data"], exe: "/usr/bin/postgres",
            cgroup:
                "12:pids:/kubepods/besteffort/pod34/\(Self.serverContainer)\n11:memory:/kubepods/besteffort/pod34\n",
            netns: 4_026_532_002, sockets: [6001, 6002, 6003])
        try proc.process(
            102, comm: "young", startTicks: 999_990, args: ["/bin/young"], exe: "/bin/young", cgroup: "0::/\n",
            netns: 4_026_532_001, sockets: [5005])
        try proc.process(
            103, comm: "kworker/0:1", startTicks: 20, args: [], exe: nil, cgroup: "0::/\n", netns: 4_026_531_840)
        func row(_ local: String, _ remote: String, _ state: String, inode: UInt64) -> String {
            FixtureProc.row(local, remote, state, inode: inode)
        }
        try proc.write(
            "100/net/tcp",
            FixtureProc.header
                // 10.244.1.10:40000 → 10.96.0.50:80, ESTABLISHED.
                + row("0A01F40A:9C40", "3200600A:0050", "01", inode: 5001)
                // TIME_WAIT: not reported.
                + row("0A01F40A:9C42", "3200600A:0050", "06", inode: 0)
                // The young process's socket.
                + row("0A01F40A:9C43", "3200600A:0050", "01", inode: 5005))
        try proc.write(
            "100/net/tcp6",
            FixtureProc.header
                // [fd00::10]:40001 → [fd00::20]:5432.
                + row(
                    "000000FD000000000000000010000000:9C41", "000000FD000000000000000020000000:1538", "01", inode: 5002)
                // An IPv4 peer of a dual-stack socket: ::ffff:10.244.1.10 → ::ffff:10.244.2.20:9090.
                + row(
                    "0000000000000000FFFF00000A01F40A:9C44", "0000000000000000FFFF00001402F40A:2382", "01", inode: 5003)
                // Loopback to a port nobody in this namespace listens on: outgoing, never translated.
                + row(
                    "00000000000000000000000001000000:9C45", "00000000000000000000000001000000:1F40", "01", inode: 5004)
        )
        try proc.write(
            "101/net/tcp",
            FixtureProc.header
                + row("00000000:1F90", "00000000:0000", "0A", inode: 6001)
                + row("1402F40A:1F90", "0A01F40A:9C40", "01", inode: 6002)
                + row("1402F40A:8000", "0A0B0C0D:01BB", "01", inode: 6003))
        try proc.write("101/net/tcp6", FixtureProc.header)
        try proc.write(
            "1/net/nf_conntrack",
            "ipv4     2 tcp      6 431999 ESTABLISHED src=10.244.1.10 dst=10.96.0.50 sport=40000 dport=80 src=10.244.2.20 dst=10.244.1.10 sport=8080 dport=40000 [ASSURED] mark=0 zone=0 use=2\n"
                + "ipv4     2 udp      17 20 src=10.244.1.10 dst=10.96.0.10 sport=5353 dport=53 src=10.244.3.3 dst=10.244.1.10 sport=53 dport=5353 mark=0 use=1\n"
                + "ipv6     10 tcp      6 300 ESTABLISHED src=fd00:0000:0000:0000:0000:0000:0000:0010 dst=fd00::20 sport=40001 dport=5432 src=fd00::20 dst=fd00::10 sport=5432 dport=40001 [ASSURED] use=1\n"
        )
        return proc
    }

    func collect(_ proc: FixtureProc) -> (ProcessReport, ProcessCollector.Statistics) {
        var collector = ProcessCollector(
            node: "node-1",
            settings: .init(procRoot: proc.root.path, minimumAge: 60_000, netlink: false, clockTicks: 100))
        return collector.collect(now: Self.now)
    }

    @Test func processesHaveTheAgentsCreateTimeCommandAndContainer() throws {
        let proc = try fixture()
        defer { proc.remove() }
        let (report, statistics) = collect(proc)
        #expect(report.hostNetNamespace == 4_026_531_840)
        #expect(report.processes.map(\.pid).sorted() == [1, 100, 101])
        let client = try #require(report.processes.first { $0.pid == 100 })
        // (250000 ticks / 100 + btime 1700000000) * 1000.
        #expect(client.createTime == 1_700_002_500_000)
        #expect(client.args == ["/bin/api", "--port", "7000"] && client.exe == "/bin/api")
        #expect(client.containerId == Self.clientContainer)
        #expect(client.netNamespace == 4_026_532_001)
        let server = try #require(report.processes.first { $0.pid == 101 })
        #expect(server.containerId == Self.serverContainer)
        #expect(report.processes.first { $0.pid == 1 }?.containerId == nil)
        #expect(statistics.processesSeen == 5 && statistics.processesReported == 3)
    }

    @Test func socketsAreDecodedOwnedAndGivenTheirDirection() throws {
        let proc = try fixture()
        defer { proc.remove() }
        let (report, statistics) = collect(proc)
        let summary = Set(
            report.connections.map {
                "\($0.pid) \($0.local) -> \($0.remote) \($0.direction.rawValue) \($0.translatedRemote?.description ?? "-")"
            })
        #expect(
            summary == [
                "100 10.244.1.10:40000 -> 10.96.0.50:80 outgoing 10.244.2.20:8080",
                "100 [fd00::10]:40001 -> [fd00::20]:5432 outgoing -",
                "100 10.244.1.10:40004 -> 10.244.2.20:9090 outgoing -",
                "100 [::1]:40005 -> [::1]:8000 outgoing -",
                "101 10.244.2.20:8080 -> 10.244.1.10:40000 incoming -",
                "101 10.244.2.20:32768 -> 13.12.11.10:443 outgoing -",
            ], "\(summary)")
        #expect(
            report.listeners == [
                ReportedListener(
                    pid: 101, createTime: 1_700_002_600_000, local: SocketAddress("0.0.0.0", 8080),
                    netNamespace: 4_026_532_002)
            ])
        #expect(statistics.namespaces == 3 && statistics.socketsUnowned == 1)
        #expect(statistics.conntrack == "file")
    }

    @Test func aTreeThatCannotBeReadGivesAnEmptyReport() {
        var collector = ProcessCollector(node: "n", settings: .init(procRoot: "/nonexistent-proc", netlink: false))
        let (report, statistics) = collector.collect(now: Self.now)
        #expect(report.processes.isEmpty && report.connections.isEmpty && statistics.processesSeen == 0)
    }

    @Test(
        arguments: [
            (
                "0::/system.slice/docker-\(String(repeating: "ab", count: 32)).scope\n",
                String(repeating: "ab", count: 32)
            ),
            (
                "0::/kubepods/burstable/pod1/crio-\(String(repeating: "0f", count: 32)).scope\n",
                String(repeating: "0f", count: 32)
            ),
            ("0::/user.slice/user-1000.slice/session-2.scope\n", nil),
            ("0::/\n", nil),
        ] as [(String, String?)])
    func containerIdsInEveryRuntimesCgroupNaming(_ cgroup: String, _ id: String?) {
        #expect(CgroupContainerID.find(in: Array(cgroup.utf8)) == id)
    }

    @Test func createTimeUsesIntegerDivisionAsTheAgent() throws {
        let stat = try #require(ProcessStat(Array("7 (a) b) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0\n".utf8)))
        #expect(stat.parentPID == 1 && stat.startTicks == 12345)
        // 12345 / 100 = 123 (not 123.45): the create time ends in 000.
        #expect(stat.createTime(bootTime: 1_700_000_000, clockTicks: 100) == 1_700_000_123_000)
    }
}
