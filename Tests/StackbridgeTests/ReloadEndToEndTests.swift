import BridgeTestPeers
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built binary reloads its configuration as Prometheus does: SIGHUP and `POST /-/reload`
/// (with `server.enable_lifecycle`) apply a new `scrape:` section at once, a bad file is refused
/// with the running configuration kept, and the outcome is on `/telemetry`.
@Suite(.serialized) struct ReloadEndToEndTests {
    /// Status and body of `method` on `url`.
    static func send(_ method: String, _ url: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The value of the first line of `/telemetry` starting with `prefix`.
    static func telemetry(_ run: BridgeRun, _ prefix: String) async throws -> Double? {
        let body = String(decoding: try await PeerProcess.fetch(run.url + "/telemetry", accept: "*/*").0, as: UTF8.self)
        return body.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap {
            Double($0.split(separator: " ").last!)
        }
    }

    /// Polls `/metrics` until `predicate` holds for its body, for at most `seconds`.
    static func waitForMetrics(_ run: BridgeRun, seconds: Int = 20, _ predicate: (String) -> Bool) async throws -> Bool
    {
        for _ in 0..<(seconds * 5) {
            let body = String(
                decoding: try await PeerProcess.fetch(run.url + "/metrics", accept: "*/*").0, as: UTF8.self)
            if predicate(body) { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test func sighupAndPostReloadApplyTheScrapeSectionAndABadFileIsRefused() async throws {
        let fixture = try FixtureServer()
        defer { fixture.stop() }
        let run = try BridgeRun(
            simulatorArguments: ["--nodes", "1", "--pods-per-node", "2"], extraYAML: "server: {enable_lifecycle: true}")
        defer { run.stop() }
        try await run.waitUntilReady()
        #expect(try await Self.telemetry(run, "stackbridge_config_last_reload_successful") == 1)

        // SIGHUP: a static target added to the file is scraped without a restart.
        try run.rewriteConfiguration {
            $0.replacingOccurrences(
                of: "  kube_state_metrics:",
                with:
                    "  static_targets: [{job: added, url: \"\(fixture.baseURL)/metrics?series=3\"}]\n  kube_state_metrics:"
            )
        }
        let pid = run.bridge.process.processIdentifier
        kill(pid, SIGHUP)
        #expect(try await Self.waitForMetrics(run) { $0.contains("up{") && $0.contains("job=\"added\"") })
        #expect(run.bridge.process.isRunning, "SIGHUP must not end the process")

        // A bad file: POST /-/reload answers 500 naming the key, the running configuration stays.
        try run.rewriteConfiguration { $0.replacingOccurrences(of: "interval: 1s", with: "interval: soon") }
        let refused = try await Self.send("POST", run.url + "/-/reload")
        #expect(refused.status == 500)
        #expect(refused.body.contains("failed to reload config:") && refused.body.contains("scrape.interval"))
        #expect(try await Self.telemetry(run, "stackbridge_config_last_reload_successful") == 0)
        #expect(try await Self.waitForMetrics(run, seconds: 3) { $0.contains("job=\"added\"") })

        // Fixed and reloaded over HTTP: the target is gone again and the reload counts as good.
        try run.rewriteConfiguration {
            $0.replacingOccurrences(of: "interval: soon", with: "interval: 1s")
                .replacingOccurrences(of: "static_targets: [", with: "static_targets: []\n  unused: [")
                .replacingOccurrences(
                    of: "  unused: [{job: added, url: \"\(fixture.baseURL)/metrics?series=3\"}]\n", with: "")
        }
        let accepted = try await Self.send("POST", run.url + "/-/reload")
        #expect(accepted.status == 200, "\(accepted.body)")
        #expect(try await Self.telemetry(run, "stackbridge_config_last_reload_successful") == 1)
        #expect(try await Self.waitForMetrics(run) { !$0.contains("job=\"added\"") })

        // Prometheus' probes, and HEAD wherever GET works.
        #expect(try await Self.send("GET", run.url + "/-/healthy").status == 200)
        #expect(try await Self.send("GET", run.url + "/-/ready").status == 200)
        for path in ["/metrics", "/telemetry", "/-/healthy", "/-/ready", "/healthz", "/readyz"] {
            let head = try await Self.send("HEAD", run.url + path)
            #expect(head.status == 200 && head.body.isEmpty, "HEAD \(path): \(head.status) \(head.body.count) bytes")
        }
    }

    @Test func withoutTheLifecycleFlagPostReloadIsForbidden() async throws {
        let run = try BridgeRun(simulatorArguments: ["--nodes", "1", "--pods-per-node", "2"])
        defer { run.stop() }
        try await run.waitUntilReady()
        let answer = try await Self.send("POST", run.url + "/-/reload")
        #expect(answer.status == 403)
        #expect(answer.body == "Lifecycle API is not enabled.\n")
    }
}
