import BridgeHTTP
import BridgeKubernetes
import BridgeTopology
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// In `cluster` (and `all`) mode with `processes.enabled`: every interval, gathers each node
/// agent's `/api/v1/processes` report, joins them with the cluster state
/// (``ConnectionCorrelator``) and puts the result in the store, whose next topology build adds
/// the processes and their connections. Node agents are reached as kubelets are: through the API
/// server's node proxy (`/api/v1/nodes/<node>:<port>/proxy/…`, which needs `nodes/proxy`), or
/// straight at the node's InternalIP (node agents run with `hostNetwork`).
struct ProcessCorrelation: ServiceLifecycle.Service {
    let store: ClusterStore
    let client: HTTPClient
    let apiServer: APIServerConfig
    let access: Configuration.KubeletAccessMode
    let settings: Configuration.Processes
    let telemetry: ProcessTelemetry
    /// Where the latest reports are kept for the StackState forwarder (`processes: agent-protocol`).
    let latestReports: LatestProcessReports
    let logger: Logger
    /// Requests in flight at once: a report is a few megabytes at most, and 5,000 nodes
    /// asked at once would be a burst the API server's proxy pays for.
    static let concurrentFetches = 16

    func run() async throws {
        var correlator = ConnectionCorrelator(
            qualifyAfter: settings.qualifyAfter.wholeMilliseconds, expireAfter: settings.expireAfter.wholeMilliseconds)
        var latest: [String: ProcessReport] = [:]
        var failing: Set<String> = []
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let state = store.snapshot
            let fetched = await fetchAll(Array(state.nodes.values))
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            for (node, result) in fetched {
                switch result {
                case .success(let report):
                    latest[node] = report
                    telemetry.recordReport(success: true)
                    if failing.remove(node) != nil {
                        logger.info("process report fetched again", metadata: ["k8s.node": .string(node)])
                    }
                case .failure(let failure):
                    telemetry.recordReport(success: false)
                    if failing.insert(node).inserted {
                        logger.warning(
                            "process report not fetched",
                            metadata: ["k8s.node": .string(node), "reason": .string(failure.reason)])
                    }
                }
            }
            // A node gone, or one whose agent stopped answering for longer than a connection stays,
            // has no report to join.
            latest = latest.filter {
                state.nodes[$0.key] != nil && now - $0.value.collectedAt <= settings.expireAfter.wholeMilliseconds
            }
            let reports = latest.keys.sorted().compactMap { latest[$0] }
            latestReports.replace(reports)
            let graph = correlator.correlate(reports, state: state, now: now)
            store.replaceProcesses(graph)
            telemetry.recordGraph(
                processes: graph.processes.count, connections: graph.connections.count,
                unresolved: correlator.unresolved)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.interval) }
        }
    }

    /// Each node's report, or why it could not be had.
    private func fetchAll(_ nodes: [Node]) async -> [(String, Result<ProcessReport, FetchFailure>)] {
        var results: [(String, Result<ProcessReport, FetchFailure>)] = []
        var pending = nodes.sorted { $0.metadata.name < $1.metadata.name }[...]
        await withTaskGroup(of: (String, Result<ProcessReport, FetchFailure>).self) { group in
            func next() {
                guard let node = pending.popFirst() else { return }
                group.addTask { (node.metadata.name, await fetch(node)) }
            }
            for _ in 0..<Self.concurrentFetches { next() }
            for await result in group {
                results.append(result)
                next()
            }
        }
        return results
    }

    /// Why a report was not had: the request's error or answer, in words for the log.
    struct FetchFailure: Error {
        var reason: String
    }

    private func fetch(_ node: Node) async -> Result<ProcessReport, FetchFailure> {
        let name = node.metadata.name
        var request: HTTPRequest
        switch access {
        case .proxy:
            let base = apiServer.server.hasSuffix("/") ? String(apiServer.server.dropLast()) : apiServer.server
            request = HTTPRequest(
                url: "\(base)/api/v1/nodes/\(name):\(settings.nodePort)/proxy/api/v1/processes",
                security: apiServer.security)
        case .direct:
            guard let ip = node.address("InternalIP") else {
                return .failure(FetchFailure(reason: "the node has no InternalIP"))
            }
            let host = ip.contains(":") ? "[\(ip)]" : ip
            request = HTTPRequest(url: "http://\(host):\(settings.nodePort)/api/v1/processes")
        }
        request.timeout = .seconds(20)
        request.maxBodyBytes = 256 << 20
        do {
            let response = try await client.execute(request)
            guard response.status == 200 else {
                let text = String(decoding: response.body.prefix(200), as: UTF8.self)
                return .failure(FetchFailure(reason: "HTTP \(response.status): \(text)"))
            }
            var report = try JSONDecoder().decode(ProcessReport.self, from: Data(response.body))
            // The node is the one asked, whatever the agent thinks it is called.
            report.node = name
            return .success(report)
        } catch let error as HTTPError {
            return .failure(FetchFailure(reason: "\(error)"))
        } catch {
            return .failure(FetchFailure(reason: "not a process report: \(error)"))
        }
    }

}

/// The node reports the last correlation used, for the StackState forwarder.
final class LatestProcessReports: Sendable {
    private let reports = Mutex<[ProcessReport]>([])

    /// Replaces the reports.
    func replace(_ latest: [ProcessReport]) { reports.withLock { $0 = latest } }

    /// The reports.
    var all: [ProcessReport] { reports.withLock { $0 } }
}

extension ProcessCorrelation: CustomStringConvertible {
    /// The name service lifecycle logs use.
    var description: String { "ProcessCorrelation" }
}
