import ArgumentParser
import BridgeApp
import BridgeProcesses
import BridgeTopology
import Foundation

/// `stackbridge processes`: walks `/proc` once as the node collector does and prints the report
/// (JSON, as `GET /api/v1/processes` serves it), so that an operator can see on a node what the
/// bridge sees: which processes, which sockets, and whether conntrack could be read.
struct ProcessesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "processes",
        abstract: "Walk /proc once as the node collector does and print the process report as JSON.")

    @Option(help: "The node's name in the report (default: $NODE_NAME, else the host name).")
    var node: String?

    @Option(help: "The host's /proc as this process sees it.")
    var procRoot = "/proc"

    @Option(help: "Leave out processes younger than this, as processes.qualify_after does (0s: none).")
    var qualifyAfter = "60s"

    func run() throws {
        guard let age = PrometheusDuration.parse(qualifyAfter)?.wholeMilliseconds else {
            throw ValidationError(
                "--qualify-after: invalid value \"\(qualifyAfter)\" (expected a duration such as 0s, 30s or 1m)")
        }
        let name = node ?? ProcessInfo.processInfo.environment["NODE_NAME"] ?? ProcessInfo.processInfo.hostName
        var collector = ProcessCollector(node: name, settings: .init(procRoot: procRoot, minimumAge: age))
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let (report, statistics) = collector.collect(now: now)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(report))
        FileHandle.standardOutput.write(Data("\n".utf8))
        FileHandle.standardError.write(
            Data(
                ("processes: \(statistics.processesReported) of \(statistics.processesSeen) reported, "
                    + "\(statistics.processesUnreadable) unreadable; \(statistics.namespaces) network namespaces, "
                    + "\(statistics.sockets) sockets (\(statistics.socketsUnowned) unowned); conntrack: "
                    + "\(statistics.conntrack.isEmpty ? "not needed" : statistics.conntrack)\n").utf8))
    }
}
