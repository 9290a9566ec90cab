import BridgeTestPeers
import Foundation
import Testing

/// `stackbridge run` with `processes.enabled` against the simulator, whose node agents report
/// processes and connections of all three kinds: the leader gathers the reports through the API
/// server's node proxy, correlates them, and the strict receiver double gets them in the intake
/// snapshot or as the process agent's own messages.
@Suite(.serialized) struct ProcessesEndToEndTests {
    static func received(_ run: BridgeRun) async throws -> [String: Any] {
        let body = try await PeerProcess.fetch(run.simulator.url + "/receiver/stsAgent/received", accept: "*/*").0
        return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }

    static func run(delivery: String) throws -> BridgeRun {
        try BridgeRun(
            simulatorArguments: ["--nodes", "3", "--pods-per-node", "10", "--receiver-api-key", "e2e-key"],
            extraYAML: """
                processes:
                  enabled: true
                  interval: 1s
                  qualify_after: 2s
                """,
            simulatorYAML: { simulator in
                """
                stackstate:
                  url: \(simulator)/receiver/stsAgent
                  topology_interval: 2s
                  metrics_interval: 30s
                  processes: \(delivery)
                """
            })
    }

    @Test func connectionsOfEveryKindReachTopologyMetricsAndTheIntakeSnapshot() async throws {
        setenv("STS_API_KEY", "e2e-key", 1)
        let run = try Self.run(delivery: "intake")
        defer { run.stop() }
        try await run.waitUntilReady()
        var relations: [[String: Any]] = []
        for _ in 0..<60 {
            try await Task.sleep(for: .milliseconds(500))
            let topology = try await PeerProcess.fetch(run.url + "/api/v1/topology", accept: "*/*").0
            let json = try JSONSerialization.jsonObject(with: topology) as? [String: Any] ?? [:]
            relations = (json["relations"] as? [[String: Any]] ?? []).filter {
                $0["type"] as? String == "directional_connection"
            }
            let vias = Set(
                relations.compactMap { ($0["data"] as? [String: String])?["via"]?.split(separator: "/").first })
            if vias == ["direct", "service", "headless"] { break }
        }
        let vias = Set(relations.compactMap { ($0["data"] as? [String: String])?["via"]?.split(separator: "/").first })
        #expect(vias == ["direct", "service", "headless"], "\(relations.prefix(3))")
        for relation in relations {
            let (source, target) = (relation["sourceId"] as? String ?? "", relation["targetId"] as? String ?? "")
            let port = (relation["data"] as? [String: String])?["port"] ?? ""
            #expect(relation["externalId"] as? String == "connection:/\(source)->\(target):port/\(port)")
            #expect(source.hasPrefix("urn:process:/node-") && source.contains("-e2e:"))
        }
        // `/metrics` carries the topology as it was at the last `topology_metrics.interval` (1 s
        // here), so it may be one rebuild behind `/api/v1/topology`, which builds on request.
        var metrics = ""
        for _ in 0..<20 {
            metrics = String(
                decoding: try await PeerProcess.fetch(run.url + "/metrics", accept: "text/plain").0, as: UTF8.self)
            if metrics.contains(#"via="headless/"#) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(metrics.contains("stackbridge_topology_connection_info{"))
        #expect(metrics.contains(#"via="headless/"#) && metrics.contains(#"client_workload_kind="Deployment""#))
        // The receiver's next snapshots carry them, in the agent's data shapes (checked strictly).
        var summary: [String: Any] = [:]
        for _ in 0..<30 {
            summary = try await Self.received(run)
            if ((summary["relations_by_type"] as? [String: Int])?["directional_connection"] ?? 0) > 0 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(summary["problems"] as? [String] == [], "\(summary["problems"] ?? "")")
        let types = summary["relations_by_type"] as? [String: Int] ?? [:]
        #expect((types["directional_connection"] ?? 0) > 0 && (types["runs"] ?? 0) > 0, "\(types)")
        #expect((summary["components"] as? [String] ?? []).contains { $0.hasPrefix("urn:process:/") })
        #expect(summary["process_agent_posts"] as? Int == 0)
        let telemetry = String(
            decoding: try await PeerProcess.fetch(run.url + "/telemetry", accept: "text/plain").0, as: UTF8.self)
        #expect(telemetry.contains(#"stackbridge_process_reports_total{result="failure"} 0"#))
        #expect(telemetry.contains("stackbridge_process_graph_unresolved_connections 0"))
    }

    @Test func agentProtocolSendsEachNodesProcessesAndConnectionsAsTheProcessAgent() async throws {
        setenv("STS_API_KEY", "e2e-key", 1)
        let run = try Self.run(delivery: "agent-protocol")
        defer { run.stop() }
        try await run.waitUntilReady()
        var summary: [String: Any] = [:]
        for _ in 0..<60 {
            try await Task.sleep(for: .milliseconds(500))
            summary = try await Self.received(run)
            if (summary["agent_connections"] as? Int ?? 0) > 0 && (summary["snapshots"] as? Int ?? 0) >= 2 { break }
        }
        #expect(summary["problems"] as? [String] == [], "\(summary["problems"] ?? "")")
        #expect((summary["process_agent_posts"] as? Int ?? 0) >= 6, "a collector and a connections post per node")
        #expect((summary["agent_connections"] as? Int ?? 0) > 0)
        // The processes the receiver was sent are the bridge's own, by the same URNs.
        let agentProcesses = Set(summary["agent_processes"] as? [String] ?? [])
        let topology = try await PeerProcess.fetch(run.url + "/api/v1/topology", accept: "*/*").0
        let components =
            (try JSONSerialization.jsonObject(with: topology) as? [String: Any])?["components"] as? [[String: Any]]
            ?? []
        let processes = Set(
            components.compactMap { $0["externalId"] as? String }.filter { $0.hasPrefix("urn:process:/") })
        #expect(
            !processes.isEmpty && processes.isSubset(of: agentProcesses),
            "\(processes.subtracting(agentProcesses).prefix(3))")
        // The snapshot leaves them to the receiver's correlator.
        let types = summary["relations_by_type"] as? [String: Int] ?? [:]
        #expect(types["directional_connection"] == nil && types["runs"] == nil, "\(types)")
        #expect(!(summary["components"] as? [String] ?? []).contains { $0.hasPrefix("urn:process:/") })
    }
}
