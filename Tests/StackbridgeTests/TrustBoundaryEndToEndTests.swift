import BridgeTestPeers
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built binary against a peer — serving as scrape target, remote-write receiver, StackState
/// receiver and Kubernetes API at once — that answers every request with an error that echoes the
/// request (its credentials included) and forges log lines with CR, LF and terminal escapes:
/// no configured secret reaches any output, no quote breaks a log line, and a peer failing every
/// request costs a line per reason, not a line per request.
@Suite(.serialized) struct TrustBoundaryEndToEndTests {
    static let canaries = [
        "canary-api-key-4711", "canary-inline-credential-4711", "canary-password-file-4711", "canary-token-file-4711",
        "canary-url-token-4711", "canary-url-password-4711", "canary-kubernetes-token-4711",
    ]

    @Test(arguments: ["logfmt", "json"])
    func peersCannotWriteOurLogsNorReadOurSecrets(_ format: String) async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2"])
        defer { simulator.stop() }
        let peer = try FixtureServer()
        defer { peer.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("canary-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("password").path
        let tokenFile = directory.appendingPathComponent("token").path
        try "canary-password-file-4711\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try "canary-token-file-4711\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let config = directory.appendingPathComponent("config.yaml").path
        try """
        cluster_name: canary
        kubernetes:
          api_server: "\(peer.baseURL)/echo/500"
          authorization: {credentials: canary-kubernetes-token-4711}
        scrape:
          interval: 1s
          kube_state_metrics: {urls: ["\(simulator.url)/ksm/metrics"]}
          static_targets:
            - job: echo-bearer
              url: "\(peer.baseURL)/echo/500?token=canary-url-token-4711"
              authorization: {credentials: canary-inline-credential-4711}
            - job: echo-basic
              url: "\(peer.baseURL)/echo/404"
              basic_auth: {username: scraper, password_file: \(passwordFile)}
        remote_write:
          - url: "\(peer.baseURL)/echo/400"
            bearer_token_file: \(tokenFile)
            queue_config: {batch_send_deadline: 100ms}
          - url: "http://writer:canary-url-password-4711@127.0.0.1:\(peer.port)/echo/400"
            queue_config: {batch_send_deadline: 100ms}
        stackstate:
          url: "\(peer.baseURL)/echo/400"
          topology_interval: 2s
          metrics_interval: 1s
          events_interval: 1s
        """.write(toFile: config, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["STS_API_KEY"] = "canary-api-key-4711"
        let port = try PeerProcess.freePort()
        let binary = PeerProcess.builtProduct("stackbridge")
        let arguments = [
            "20", binary, "run", "--config", config, "--listen", "127.0.0.1:\(port)", "--log-level", "trace",
            "--log-format", format,
        ]
        // On a thread of its own: `PeerProcess.run` blocks until the bridge exits, and on the
        // cooperative pool (two threads here) it may not even start while other suites block it.
        let runEnvironment = environment
        let run = Task {
            try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(
                        with: Result { try PeerProcess.run("/usr/bin/timeout", arguments, environment: runEnvironment) }
                    )
                }.start()
            }
        }
        // Serving first (a loaded machine may take seconds to start), then a few seconds of
        // failures for the logs to show.
        // Waited for without blocking a thread of the cooperative pool.
        let healthz = "http://127.0.0.1:\(port)/healthz"
        guard (try? await PeerProcess.fetch(healthz, accept: "*/*", timeout: .seconds(15))) != nil else {
            let output = try await run.value.output
            let notable = output.split(separator: "\n").filter {
                !$0.contains("level=debug") && !$0.contains("level=trace") && !$0.contains("\"level\":\"debug")
                    && !$0.contains("\"level\":\"trace")
            }
            Issue.record("the bridge did not start serving: \(notable.prefix(40).joined(separator: "\n"))")
            return
        }
        try await Task.sleep(for: .seconds(4))
        var outputs: [String: String] = [:]
        for path in ["/metrics", "/telemetry", "/api/v1/topology", "/readyz"] {
            // Whatever the status (the topology and readiness answer 503 without an API server).
            let body = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!).0
            outputs[path] = String(decoding: body ?? Data(), as: UTF8.self)
            #expect(!(outputs[path] ?? "").isEmpty, "\(path) answered nothing")
        }
        #expect(outputs["/telemetry"]?.contains("stackbridge_remote_write_samples_failed_total") == true)
        let check = try PeerProcess.run(binary, ["check", "--config", config], environment: environment)
        outputs["check"] = check.output
        let logs = try await run.value.output
        outputs["logs"] = logs
        // The peer did receive the credentials (so finding none below means something) ...
        let received = try await peer.received()
        #expect(received.contains("sts-api-key: canary-api-key-4711"))
        #expect(received.contains("Authorization: Bearer canary-inline-credential-4711"))
        #expect(received.contains("Authorization: Bearer canary-token-file-4711"))
        #expect(received.contains("Authorization: Bearer canary-kubernetes-token-4711"))
        // ... and echoed them back in every answer, but no output shows any.
        for (name, text) in outputs {
            for canary in Self.canaries { #expect(!text.contains(canary), "\(canary) in \(name)") }
        }
        // The peer's bytes stay inside their quotes: no forged line, no terminal escape, no bell.
        #expect(
            logs.contains("scrape failed") && logs.contains("remote write refused a batch")
                && logs.contains("k8s request failed"))
        let lines = logs.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("level=error msg=\"forged") }, "a peer forged a log line")
        // Every line is one record of the chosen format, which reads back with a timestamp,
        // a level and a message.
        var values: [String] = []
        for line in lines {
            let fields: [String: String]? =
                format == "json"
                ? (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
                : Logfmt.parse(line)
            #expect(fields?["ts"] != nil && fields?["level"] != nil && fields?["msg"] != nil, "not \(format): \(line)")
            values += fields.map { Array($0.values) } ?? []
        }
        #expect(!logs.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x0D })
        // The echoed request is quoted with its line breaks escaped, and the quote is bounded.
        // (PeerText's escapes, read back from the line's own quoting).
        #expect(values.contains { $0.contains("\\r\\nHost: 127.0.0.1") }, "the peer's text is quoted, escaped")
        #expect(values.contains { $0.contains("more characters)") }, "long quotes are cut")
        // A receiver refusing every batch for the whole run: one line per endpoint and reason, not one per batch.
        let refusals = lines.filter { $0.contains("remote write refused a batch") }
        #expect(refusals.count <= 2, "\(refusals.count) refusal lines")
        let stackstate = lines.filter { $0.contains("stackstate receiver refused a post") }
        #expect(stackstate.count <= 3, "\(stackstate.count) StackState refusal lines")
    }
}
