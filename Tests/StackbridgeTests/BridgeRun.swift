import BridgeTestPeers
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `stackbridge-sim` and the built `stackbridge run` against it, on free 127.0.0.1 ports.
final class BridgeRun: @unchecked Sendable {
    let simulator: SimulatorProcess
    private(set) var bridge: PeerProcess
    /// `http://127.0.0.1:PORT` of the bridge.
    let url: String
    let port: Int
    private let configFile: URL

    /// Starts the simulator with `simulatorArguments` and the bridge scraping it every `interval`,
    /// with `extraYAML` and `simulatorYAML(simulator URL)` added to its configuration and
    /// `kubernetesYAML` (one line) to its `kubernetes:` section.
    init(
        simulatorArguments: [String], interval: String = "1s", extraYAML: String = "",
        kubernetesYAML: String = "", simulatorYAML: (String) -> String = { _ in "" }
    ) throws {
        simulator = try SimulatorProcess(simulatorArguments)
        port = try PeerProcess.freePort()
        url = "http://127.0.0.1:\(port)"
        configFile = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-e2e-\(port).yaml")
        try """
        cluster_name: e2e
        kubernetes:
          api_server: \(simulator.url)
          \(kubernetesYAML)
        scrape:
          interval: \(interval)
          timeout: \(interval)
          kube_state_metrics:
            urls: [\(simulator.url)/ksm/metrics]
        enrich:
          pod_labels: [app.kubernetes.io/name]
        topology_metrics:
          interval: 1s
        \(extraYAML)
        \(simulatorYAML(simulator.url))
        """.write(to: configFile, atomically: true, encoding: .utf8)
        do {
            bridge = try PeerProcess(PeerProcess.builtProduct("stackbridge"), Self.arguments(configFile, port))
        } catch {
            simulator.stop()
            throw error
        }
    }

    private static func arguments(_ configFile: URL, _ port: Int) -> [String] {
        ["run", "--config", configFile.path, "--listen", "127.0.0.1:\(port)", "--log-level", "error"]
    }

    /// Stops the bridge with `signal` (SIGTERM: graceful; SIGKILL: at once), waits for it to exit
    /// and starts it again with the same configuration; returns how long it was gone, in seconds.
    func restartBridge(signal: Int32) async throws -> Double {
        let stopped = Date()
        kill(bridge.process.processIdentifier, signal)
        for _ in 0..<300 where bridge.process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        bridge.stop()
        bridge = try PeerProcess(PeerProcess.builtProduct("stackbridge"), Self.arguments(configFile, port))
        try await waitUntilReady()
        return Date().timeIntervalSince(stopped)
    }

    /// Waits until `/readyz` answers 200: topology synced and every target scraped once.
    func waitUntilReady(timeout: Duration = .seconds(90)) async throws {
        _ = try await PeerProcess.fetch(url + "/readyz", accept: "*/*", timeout: timeout)
    }

    /// Rewrites the configuration file with `transform` (a reload then reads it).
    func rewriteConfiguration(_ transform: (String) -> String) throws {
        let text = try String(contentsOf: configFile, encoding: .utf8)
        try transform(text).write(to: configFile, atomically: true, encoding: .utf8)
    }

    /// The simulator's port, which appears in the kube-state-metrics target's `instance`.
    var simulatorPort: String { String(simulator.url.split(separator: ":").last ?? "") }

    func stop() {
        bridge.stop()
        simulator.stop()
        try? FileManager.default.removeItem(at: configFile)
    }
}
