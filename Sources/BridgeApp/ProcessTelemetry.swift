import BridgeCore
import BridgeProcesses
import Synchronization

/// What the node collector and the leader's correlation did last, for `/telemetry`.
public final class ProcessTelemetry: Sendable {
    private struct State {
        var collections = 0
        var lastCollection: ProcessCollector.Statistics?
        var collectionSeconds = 0.0
        var reports: [String: Int] = [:]  // result → count
        var processes = 0
        var connections = 0
        var unresolved = 0
    }

    private let state = Mutex(State())

    /// Empty counters.
    public init() {}

    /// The family names, for docs/metrics.md.
    public static let familyNames = [
        "stackbridge_process_collections_total", "stackbridge_process_collection_duration_seconds",
        "stackbridge_process_collection_processes", "stackbridge_process_collection_sockets",
        "stackbridge_process_reports_total", "stackbridge_process_graph_processes",
        "stackbridge_process_graph_connections", "stackbridge_process_graph_unresolved_connections",
    ]

    /// Records a walk of `/proc`.
    func recordCollection(_ statistics: ProcessCollector.Statistics, seconds: Double) {
        state.withLock {
            $0.collections += 1
            $0.lastCollection = statistics
            $0.collectionSeconds = seconds
        }
    }

    /// Records a node report fetched (`success`) or not (`failure`).
    func recordReport(success: Bool) {
        state.withLock { $0.reports[success ? "success" : "failure", default: 0] += 1 }
    }

    /// Records a correlation's result.
    func recordGraph(processes: Int, connections: Int, unresolved: Int) {
        state.withLock {
            $0.processes = processes
            $0.connections = connections
            $0.unresolved = unresolved
        }
    }

    /// The families, those of the node collector when it ran, of the correlation when it did.
    func families() -> [MetricFamilyValue] {
        let state = state.withLock { $0 }
        func gauge(_ name: String, _ help: String, _ value: Double, _ labels: [LabelPair] = []) -> MetricFamilyValue {
            MetricFamilyValue(
                name: name, type: .gauge, help: help,
                samples: [MetricSampleValue(name: name, labels: labels, value: value)])
        }
        var families: [MetricFamilyValue] = []
        if let last = state.lastCollection {
            families.append(
                MetricFamilyValue(
                    name: "stackbridge_process_collections_total", type: .counter, help: "Walks of /proc.",
                    samples: [
                        MetricSampleValue(
                            name: "stackbridge_process_collections_total", labels: [], value: Double(state.collections))
                    ]))
            families.append(
                gauge(
                    "stackbridge_process_collection_duration_seconds", "How long the last walk of /proc took.",
                    state.collectionSeconds))
            families.append(
                MetricFamilyValue(
                    name: "stackbridge_process_collection_processes", type: .gauge,
                    help: "Processes in the last walk: seen, reported, or unreadable (ended or denied).",
                    samples: [
                        ("seen", last.processesSeen), ("reported", last.processesReported),
                        ("unreadable", last.processesUnreadable),
                    ].map {
                        MetricSampleValue(
                            name: "stackbridge_process_collection_processes", labels: [LabelPair("state", $0.0)],
                            value: Double($0.1))
                    }))
            families.append(
                MetricFamilyValue(
                    name: "stackbridge_process_collection_sockets", type: .gauge,
                    help: "ESTABLISHED and LISTEN sockets in the last walk: owned by a reported process, or not.",
                    samples: [("owned", last.sockets - last.socketsUnowned), ("unowned", last.socketsUnowned)].map {
                        MetricSampleValue(
                            name: "stackbridge_process_collection_sockets", labels: [LabelPair("state", $0.0)],
                            value: Double($0.1))
                    }))
        }
        if !state.reports.isEmpty {
            families.append(
                MetricFamilyValue(
                    name: "stackbridge_process_reports_total", type: .counter,
                    help: "Node process reports the leader fetched, by result.",
                    samples: ["success", "failure"].map {
                        MetricSampleValue(
                            name: "stackbridge_process_reports_total", labels: [LabelPair("result", $0)],
                            value: Double(state.reports[$0] ?? 0))
                    }))
            families.append(
                gauge(
                    "stackbridge_process_graph_processes",
                    "Processes in the topology (in containers, or ends of connections).",
                    Double(state.processes)))
            families.append(
                gauge(
                    "stackbridge_process_graph_connections",
                    "Process-to-process connections in the topology (observed for processes.qualify_after, not yet expired).",
                    Double(state.connections)))
            families.append(
                gauge(
                    "stackbridge_process_graph_unresolved_connections",
                    "Outgoing connections of the last correlation whose server no node reported.",
                    Double(state.unresolved)))
        }
        return families
    }
}
