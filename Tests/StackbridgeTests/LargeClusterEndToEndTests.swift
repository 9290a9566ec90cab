import BridgeSimulator
import BridgeTestPeers
import Foundation
import Testing

/// The deployment shape of large clusters (docs/install.md): the Lease leader, with no
/// kube-state-metrics of its own to read, builds the topology and is ready without a scrape target.
@Suite(.serialized) struct LargeClusterEndToEndTests {
    /// Runs `stackbridge run` with `yaml` (the simulator's URL substituted for `SIM`) and
    /// `environment`, until it is ready; returns it with its URL.
    static func bridge(_ yaml: String, simulator: SimulatorProcess, environment: [String: String] = [:]) async throws
        -> (PeerProcess, String)
    {
        let port = try PeerProcess.freePort()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-large-\(port).yaml")
        try yaml.replacingOccurrences(of: "SIM", with: simulator.url).write(to: file, atomically: true, encoding: .utf8)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let bridge = try PeerProcess(
            PeerProcess.builtProduct("stackbridge"),
            ["run", "--config", file.path, "--listen", "127.0.0.1:\(port)", "--log-level", "error"], environment: merged
        )
        let url = "http://127.0.0.1:\(port)"
        do {
            _ = try await PeerProcess.fetch(url + "/readyz", accept: "*/*", timeout: .seconds(60))
        } catch {
            bridge.stop()
            throw error
        }
        return (bridge, url)
    }

    /// A topology-only leader (kube-state-metrics read by the node agents and shard forwarders)
    /// has no target, and is ready once the topology is.
    @Test func aLeaderWithoutTargetsIsReadyOnceTheTopologyIs() async throws {
        let simulator = try SimulatorProcess(["--nodes", "2", "--pods-per-node", "4"])
        defer { simulator.stop() }
        let (bridge, url) = try await Self.bridge(
            """
            cluster_name: large
            mode: cluster
            kubernetes: {api_server: SIM, leader_election: {enabled: false}}
            """, simulator: simulator)
        defer { bridge.stop() }
        let topology = try await PeerProcess.fetch(url + "/api/v1/topology", accept: "*/*").0
        let components = (try JSONSerialization.jsonObject(with: topology) as? [String: Any])?["components"] as? [Any]
        #expect((components?.count ?? 0) > 8)
    }
}
