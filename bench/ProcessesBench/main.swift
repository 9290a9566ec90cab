// The node collector on a busy node: N processes and M established TCP sockets, real ones on this
// machine, walked by `ProcessCollector` over the real /proc, next to iproute2's `ss -tanp`, which
// does the same work (every socket, each mapped to its process through /proc/PID/fd) and is what
// an operator runs by hand. Prints the settings, CPU and wall time per walk, peak memory and the
// ratios.
//
//   stackbridge-processes-bench [processes] [sockets] [rounds]    (defaults 1000 50000 5)
import BridgeProcesses
import BridgeTopology
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let processCount = arguments.count > 0 ? arguments[0] : 1000
let socketCount = arguments.count > 1 ? arguments[1] : 50_000
let rounds = arguments.count > 2 ? arguments[2] : 5

func cpuSeconds(_ who: __rusage_who) -> Double {
    var usage = rusage()
    getrusage(who.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func status(_ field: String) -> Int {
    let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

func which(_ tool: String) -> String? {
    ["/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"].map { $0 + tool }.first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
}

guard let python = which("python3"), let ss = which("ss"), let sleep = which("sleep"), let time = which("time") else {
    print("needs python3, ss (iproute2), sleep and GNU time: make deps installs them")
    exit(1)
}

defer { stopChildren() }

// The workload: sleepers for the process count, and one holder of loopback connection pairs.
var children: [Process] = []
@MainActor func stopChildren() {
    for child in children where child.isRunning { kill(child.processIdentifier, SIGKILL) }
    for child in children { child.waitUntilExit() }
}
for _ in 0..<max(0, processCount - 1) {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: sleep)
    child.arguments = ["600"]
    try child.run()
    children.append(child)
}
// Each holder keeps as many pairs as its descriptor limit allows; as many holders as it takes.
var limit = rlimit()
getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
let pairsPerHolder = max(1, (Int(min(limit.rlim_max, 1 << 20)) - 64) / 2)
var heldSockets = 0
var remaining = socketCount / 2
while remaining > 0 {
    let pairs = min(remaining, pairsPerHolder)
    remaining -= pairs
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: python)
    holder.arguments = [
        "-c",
        """
        import resource, socket, time
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(4096)
        held = []
        for _ in range(\(pairs)):
            client = socket.create_connection(listener.getsockname())
            held += [client, listener.accept()[0]]
        print(len(held), flush=True)
        time.sleep(600)
        """,
    ]
    let output = Pipe()
    holder.standardOutput = output
    try holder.run()
    children.append(holder)
    var line: [UInt8] = []
    while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 0x0A { line.append(byte) }
    heldSockets += Int(String(decoding: line, as: UTF8.self)) ?? 0
}

print(
    "processes bench: \(processCount) processes (sleep), \(heldSockets) established loopback sockets in \(children.count - max(0, processCount - 1)) holders"
)
print("  stackbridge: ProcessCollector over /proc, minimum age 0, netlink conntrack; \(rounds) walks")
print(
    "  peer: \(ss) -tanp (iproute2; sock_diag netlink and /proc/PID/fd), \(rounds) runs under \(time), output discarded"
)

// stackbridge: walks in this process.
let baselineRSS = status("VmRSS")
var collector = ProcessCollector(node: "bench", settings: .init(minimumAge: 0))
var walkCPU: [Double] = []
var walkWall: [Double] = []
var last = ProcessCollector.Statistics()
var reportBytes = 0
for _ in 0..<rounds {
    let (cpu, wall) = (cpuSeconds(RUSAGE_SELF), Date())
    let (report, statistics) = collector.collect(now: Int64(Date().timeIntervalSince1970 * 1000))
    reportBytes = (try? JSONEncoder().encode(report).count) ?? 0
    walkCPU.append(cpuSeconds(RUSAGE_SELF) - cpu)
    walkWall.append(Date().timeIntervalSince(wall))
    last = statistics
}
let peakKiB = status("VmHWM")

// The peer, through GNU time: its own CPU, wall time and peak RSS. (A child started from this
// process by posix_spawn records this process's peak as its own at exec, so getrusage of the
// children would report ours.)
var peerCPU: [Double] = []
var peerWall: [Double] = []
var peerPeakKiB = 0
for _ in 0..<rounds {
    let run = Process()
    run.executableURL = URL(fileURLWithPath: time)
    run.arguments = ["-f", "%e %U %S %M", ss, "-tanp"]
    run.standardOutput = FileHandle.nullDevice
    let measured = Pipe()
    run.standardError = measured
    try run.run()
    let text = String(decoding: measured.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    run.waitUntilExit()
    let fields = (text.split(separator: "\n").last ?? "").split(separator: " ").compactMap { Double($0) }
    guard fields.count == 4 else {
        print("unexpected output of \(time): \(text)")
        exit(1)
    }
    peerWall.append(fields[0])
    peerCPU.append(fields[1] + fields[2])
    peerPeakKiB = max(peerPeakKiB, Int(fields[3]))
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let (ours, theirs) = (median(walkCPU), median(peerCPU))
print(
    "  walked: \(last.processesReported) processes reported of \(last.processesSeen), \(last.namespaces) namespaces, "
        + "\(last.sockets) sockets (\(last.socketsUnowned) unowned), conntrack \(last.conntrack.isEmpty ? "not needed" : last.conntrack), report \(reportBytes / 1024) KiB JSON"
)
print(
    String(
        format: "  stackbridge: %.3f CPU s, %.3f s wall per walk (median); peak RSS %d KiB (%d KiB before the walks)",
        ours, median(walkWall), peakKiB, baselineRSS))
print(
    String(
        format: "  ss -tanp:    %.3f CPU s, %.3f s wall per run (median); peak RSS %d KiB", theirs, median(peerWall),
        peerPeakKiB))
print(
    String(
        format: "  ratio stackbridge/ss: CPU %.2f, wall %.2f, peak RSS %.2f", ours / max(theirs, 1e-9),
        median(walkWall) / max(median(peerWall), 1e-9), Double(peakKiB) / Double(max(peerPeakKiB, 1))))
