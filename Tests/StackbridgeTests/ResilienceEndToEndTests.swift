import BridgeTestPeers
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built binary against a simulated API server that fails the way real ones do.
@Suite(.serialized) struct ResilienceEndToEndTests {
    /// `namespace/name` of every pod the simulator serves now.
    static func simulatorPods(_ run: BridgeRun) async throws -> Set<String> {
        let body = try await PeerProcess.fetch(run.simulator.url + "/api/v1/pods", accept: "application/json").0
        let items = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["items"] as? [[String: Any]]
        return Set(
            (items ?? []).compactMap { item in
                let metadata = item["metadata"] as? [String: Any]
                guard let namespace = metadata?["namespace"] as? String, let name = metadata?["name"] as? String
                else { return nil }
                return "\(namespace)/\(name)"
            })
    }

    /// `namespace/name` of every pod in the bridge's topology (`urn:kubernetes:/e2e:NS:pod/NAME`).
    static func bridgePods(_ run: BridgeRun) async throws -> Set<String> {
        let body = try await PeerProcess.fetch(run.url + "/api/v1/topology", accept: "application/json").0
        let components = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["components"]
        return Set(
            (components as? [[String: Any]] ?? []).compactMap { component in
                let parts = (component["externalId"] as? String ?? "").split(separator: ":")
                guard parts.count == 5, parts[4].hasPrefix("pod/") else { return nil }
                return "\(parts[3])/\(parts[4].dropFirst(4))"
            })
    }

    /// The API server restarts with its history reset while pods churn, and 20 changes happened
    /// that no watch saw: the watches resume from versions the server no longer has, which it
    /// refuses as too large; the bridge relists and holds exactly the simulator's pods again, with
    /// no phantom and none missing, within seconds — and stays ready throughout (well inside the
    /// 30 s grace).
    @Test func aRestartedAPIServerWithItsHistoryResetLeavesNoPhantomPods() async throws {
        let run = try BridgeRun(simulatorArguments: ["--nodes", "2", "--pods-per-node", "10", "--churn", "2"])
        defer { run.stop() }
        try await run.waitUntilReady()
        #expect(try await Self.bridgePods(run).count >= 20)
        // Some history first, so the watches resume well beyond where the restarted server starts.
        try await Task.sleep(for: .seconds(3))
        var restart = URLRequest(url: URL(string: run.simulator.url + "/sim/restart?churn=20")!)
        restart.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: restart)
        let restarted = ContinuousClock.now
        // The bridge serves the topology as of its last rebuild (every 1 s here) while the
        // simulator churns 2 pods a second, so it is judged against the simulator's pods of the
        // last two intervals (after the restart only): a phantom is a pod the simulator has not
        // had in that window, a missing pod one it had throughout the window.
        var history: [(time: ContinuousClock.Instant, pods: Set<String>)] = []
        var difference = (phantoms: Set<String>(), missing: Set<String>())
        var convergedAt: ContinuousClock.Instant?
        while ContinuousClock.now - restarted < .seconds(12) {
            history.append((ContinuousClock.now, try await Self.simulatorPods(run)))
            let bridge = try await Self.bridgePods(run)
            history.append((ContinuousClock.now, try await Self.simulatorPods(run)))
            let window = history.filter { ContinuousClock.now - $0.time < .seconds(2) }.map(\.pods)
            let everything = window.reduce(into: Set<String>()) { $0.formUnion($1) }
            let throughout = window.dropFirst().reduce(window.first ?? []) { $0.intersection($1) }
            difference = (bridge.subtracting(everything), throughout.subtracting(bridge))
            if difference.phantoms.isEmpty && difference.missing.isEmpty {
                convergedAt = convergedAt ?? ContinuousClock.now
                // Converged, and still so two intervals later.
                if ContinuousClock.now - convergedAt! > .seconds(2) { break }
            } else {
                #expect(convergedAt == nil, "diverged again: \(difference)")
                convergedAt = nil
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let converged = try #require(
            convergedAt, "phantoms \(difference.phantoms.sorted()), missing \(difference.missing.sorted())")
        #expect(converged - restarted < .seconds(5), "\(converged - restarted) to converge")
        let telemetry = String(
            decoding: try await PeerProcess.fetch(run.url + "/telemetry", accept: "text/plain").0, as: UTF8.self)
        let sync = telemetry.split(separator: "\n").filter { $0.hasPrefix("stackbridge_kubernetes_sync_ok{") }
        #expect(sync.contains("stackbridge_kubernetes_sync_ok{resource=\"pods\"} 1"), "\(sync)")
        // Still ready (fetch waits for a 200 and throws without one).
        _ = try await PeerProcess.fetch(run.url + "/readyz", accept: "*/*", timeout: .seconds(2))
    }

    /// With the API server unreachable from the start, static targets and kube-state-metrics URLs
    /// are scraped within the first interval or two all the same, and SIGTERM ends the bridge at
    /// once with exit status 0 (not after its waits for the API, not with a CancellationError).
    @Test func anUnreachableAPIServerHoldsUpNoScrapeAndNoShutdown() async throws {
        let peer = try FixtureServer()
        defer { peer.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("no-api-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("config.yaml").path
        try """
        cluster_name: no-api
        kubernetes: {api_server: "http://127.0.0.1:\(try PeerProcess.freePort())"}
        scrape:
          interval: 2s
          kube_state_metrics: {urls: ["\(peer.baseURL)/metrics?series=2"]}
          static_targets: [{job: exporter, url: "\(peer.baseURL)/metrics?series=3"}]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let port = try PeerProcess.freePort()
        let bridge = try PeerProcess(
            PeerProcess.builtProduct("stackbridge"),
            ["run", "--config", config, "--listen", "127.0.0.1:\(port)", "--log-level", "error"])
        defer { bridge.stop() }
        let started = ContinuousClock.now
        var exposition = ""
        func both() -> Bool {
            exposition.contains("up{job=\"exporter\"") && exposition.contains("up{job=\"kube-state-metrics\"")
        }
        while ContinuousClock.now - started < .seconds(12) && !both() {
            try await Task.sleep(for: .milliseconds(200))
            let body = try? await PeerProcess.fetch("http://127.0.0.1:\(port)/metrics", accept: "text/plain").0
            exposition = String(decoding: body ?? Data(), as: UTF8.self)
        }
        // Both targets within two intervals of the start (about 4 s on an idle machine), though no
        // node list ever arrives: sooner than Bridge.firstScrapeWait (10 s), which a bridge waiting
        // for the API would take. The margin is for a machine loaded by the other end-to-end suites.
        #expect(ContinuousClock.now - started < .seconds(9.5), "\(ContinuousClock.now - started) to the first scrape")
        #expect(exposition.contains("up{job=\"exporter\""), "\(exposition.prefix(2000))")
        #expect(exposition.contains("up{job=\"kube-state-metrics\""), "\(exposition.prefix(2000))")
        let stopping = ContinuousClock.now
        kill(bridge.process.processIdentifier, SIGTERM)
        for _ in 0..<100 where bridge.process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!bridge.process.isRunning)
        #expect(ContinuousClock.now - stopping < .seconds(3), "\(ContinuousClock.now - stopping) to stop")
        #expect(bridge.process.terminationStatus == 0)
    }

    /// Three times `server.max_connections` idle sockets: the server closes the quietest as new
    /// ones come, so it never holds more than the limit, and a fresh scraper is answered at once.
    @Test func idleConnectionsBeyondTheLimitAreShedAndAFreshScraperIsServed() async throws {
        let run = try BridgeRun(
            simulatorArguments: ["--nodes", "1", "--pods-per-node", "2"], extraYAML: "server: {max_connections: 20}")
        defer { run.stop() }
        try await run.waitUntilReady()
        let idle = (0..<60).map { _ in RawConnection(port: run.port) }
        defer { for connection in idle { connection.close() } }
        try await Task.sleep(for: .milliseconds(500))
        let closed = idle.filter(\.closedByServer).count
        #expect(closed >= 40, "the server closed \(closed) of 60 idle connections at a limit of 20")
        var fastest = Duration.seconds(60)
        for _ in 0..<3 {
            let start = ContinuousClock.now
            let body = try await PeerProcess.fetch(run.url + "/metrics", accept: "text/plain", timeout: .seconds(5)).0
            fastest = min(fastest, ContinuousClock.now - start)
            #expect(String(decoding: body, as: UTF8.self).contains("up{"))
        }
        #expect(fastest < .milliseconds(100), "a fresh client waited \(fastest)")
    }
}
