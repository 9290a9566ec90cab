import BridgeProcesses
import BridgeServer
import BridgeTopology
import Dispatch
import Foundation
import Logging
import ServiceLifecycle

/// In `node` mode with `processes.enabled`: walks the host's `/proc` every interval
/// (``ProcessCollector``) and keeps the report, JSON-encoded, for `GET /api/v1/processes`, where
/// the leader gathers it. The walk is blocking file I/O over thousands of small files, so it runs
/// on a dispatch queue, off the cooperative pool the scrapes and the server share.
struct ProcessCollection: ServiceLifecycle.Service {
    let node: String
    let settings: Configuration.Processes
    let reports: ProcessReportCache
    let telemetry: ProcessTelemetry
    let logger: Logger

    func run() async throws {
        var conntrackSource: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let start = ContinuousClock.now
            let (body, statistics) = await walk()
            let elapsed = ContinuousClock.now - start
            reports.update(body)
            telemetry.recordCollection(
                statistics,
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            // Said once, and again when it changes: without conntrack, connections to cluster IPs
            // are resolved only when the server's node reports the other end.
            if statistics.conntrack != conntrackSource, !statistics.conntrack.isEmpty {
                conntrackSource = statistics.conntrack
                let level: Logger.Level = statistics.conntrack.hasPrefix("none") ? .warning : .info
                logger.log(
                    level: level, "process collection reads conntrack",
                    metadata: ["processes.conntrack": .string(statistics.conntrack)])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.interval) }
        }
    }

    /// One walk, on a dispatch queue.
    private func walk() async -> ([UInt8], ProcessCollector.Statistics) {
        let (node, settings) = (node, settings)
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                var collector = ProcessCollector(
                    node: node,
                    settings: .init(
                        procRoot: settings.procRoot,
                        minimumAge: settings.qualifyAfter.wholeMilliseconds))
                let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
                let (report, statistics) = collector.collect(now: now)
                let body = (try? JSONEncoder().encode(report)).map { Array($0) } ?? []
                continuation.resume(returning: (body, statistics))
            }
        }
    }
}

extension ProcessCollection: CustomStringConvertible {
    /// The name service lifecycle logs use.
    var description: String { "ProcessCollection" }
}
