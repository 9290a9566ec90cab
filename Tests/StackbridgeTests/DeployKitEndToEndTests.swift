import BridgeTestPeers
import Foundation
import Testing

/// The dashboards and alerts of the deployment kit against the real thing: the simulator, the
/// bridge (leader election on, remote write to VictoriaMetrics, StackState to the simulator's
/// receiver) and a Prometheus that scrapes it as docs/install.md says and loads the alert rules.
/// Every dashboard variable, panel query and alert expression goes through Prometheus' query API:
/// each must parse, every variable and panel must return data, and every rule must evaluate
/// without error.
@Suite(.serialized) struct DeployKitEndToEndTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The variables and panel queries of one dashboard file.
    struct Dashboard {
        var title: String
        /// Variables in order, with their `label_values(selector, label)` query.
        var variables: [(name: String, query: String)]
        /// (panel title, expression) for every target.
        var queries: [(panel: String, expr: String)]

        init(file: URL) throws {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any] ?? [:]
            title = object["title"] as? String ?? file.lastPathComponent
            let list = (object["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
            variables = list.compactMap { variable in
                guard variable["type"] as? String == "query", let name = variable["name"] as? String,
                    let query = (variable["query"] as? [String: Any])?["query"] as? String
                else { return nil }
                return (name, query)
            }
            queries = (object["panels"] as? [[String: Any]] ?? []).flatMap { panel in
                (panel["targets"] as? [[String: Any]] ?? []).compactMap { target in
                    (target["expr"] as? String).map { (panel["title"] as? String ?? "?", $0) }
                }
            }
        }
    }

    /// Grafana's `label_values(selector, label)` as PromQL: the label's values among the selector's series.
    static func labelValuesQuery(_ query: String) -> (promQL: String, label: String)? {
        guard query.hasPrefix("label_values("), query.hasSuffix(")"), let comma = query.lastIndex(of: ",") else {
            return nil
        }
        let selector = query[query.index(query.startIndex, offsetBy: 13)..<comma]
        let label = query[query.index(after: comma)..<query.index(before: query.endIndex)]
            .trimmingCharacters(in: .whitespaces)
        return ("group by (\(label)) (\(selector))", label)
    }

    /// `expr` with the dashboard's variables and Grafana's interval variables filled in.
    static func substitute(_ expr: String, _ values: [String: String]) -> String {
        var result = expr.replacingOccurrences(of: "$__rate_interval", with: "30s")
            .replacingOccurrences(of: "$__interval", with: "15s")
        for (name, value) in values.sorted(by: { $0.key.count > $1.key.count }) {
            result = result.replacingOccurrences(of: "${\(name)}", with: value)
                .replacingOccurrences(of: "$\(name)", with: value)
        }
        return result
    }

    @Test func everyDashboardPanelReturnsDataAndEveryAlertParses() async throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("sts-key-\(UUID())")
        try "kit-key\n".write(to: keyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        let victoriaPort = try PeerProcess.freePort()
        let victoria = try PeerProcess(
            "/usr/bin/victoria-metrics",
            ["-httpListenAddr=127.0.0.1:\(victoriaPort)", "-storageDataPath=data", "-loggerLevel=ERROR"])
        defer { victoria.stop() }
        _ = try await PeerProcess.fetch("http://127.0.0.1:\(victoriaPort)/health", accept: "*/*")
        let run = try BridgeRun(
            simulatorArguments: ["--nodes", "3", "--pods-per-node", "10", "--receiver-api-key", "kit-key"],
            extraYAML: """
                remote_write:
                  - url: http://127.0.0.1:\(victoriaPort)/api/v1/write
                    queue_config: {batch_send_deadline: 500ms}
                """,
            kubernetesYAML: "leader_election: {enabled: true, lease_namespace: stackbridge}",
            simulatorYAML: { simulator in
                """
                stackstate:
                  url: \(simulator)/receiver/stsAgent
                  api_key_file: \(keyFile.path)
                  topology_interval: 5s
                  metrics_interval: 5s
                """
            })
        defer { run.stop() }
        try await run.waitUntilReady()

        // The scrape configuration of docs/install.md, with the kit's rules loaded.
        let prometheus = try PrometheusServer(
            configuration: """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [\(Self.root.appendingPathComponent("alerts/stackbridge.rules.yml").path)]
                scrape_configs:
                  - job_name: stackbridge
                    honor_labels: true
                    static_configs: [{targets: ['127.0.0.1:\(run.port)']}]
                  - job_name: stackbridge-telemetry
                    honor_labels: true
                    metrics_path: /telemetry
                    static_configs: [{targets: ['127.0.0.1:\(run.port)']}]
                """)
        defer { prometheus.stop() }
        let api = prometheus.url
        // Rates need two samples in their window, and the StackState and remote-write counters a
        // post or two: wait until the slowest of them, the StackState post counter, has moved.
        var moved = false
        for _ in 0..<120 where !moved {
            try await Task.sleep(for: .milliseconds(500))
            let rows =
                (try? await PromQL.query(api, "increase(stackbridge_stackstate_posts_total{result=\"sent\"}[30s]) > 0"))
                ?? []
            let written =
                (try? await PromQL.query(api, "rate(stackbridge_remote_write_samples_sent_total[30s]) > 0")) ?? []
            moved = !rows.isEmpty && !written.isEmpty
        }
        #expect(moved, "the forwarders' counters never moved in Prometheus")

        let directory = Self.root.appendingPathComponent("dashboards")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
            .sorted()
        #expect(files.count == 3)
        var panelQueries = 0
        for file in files {
            let dashboard = try Dashboard(file: directory.appendingPathComponent(file))
            var values: [String: String] = [:]
            for (name, query) in dashboard.variables {
                let translated = try #require(Self.labelValuesQuery(query), "\(file): variable \(name): \(query)")
                let promQL = Self.substitute(translated.promQL, values)
                let rows = try await PromQL.query(api, promQL)
                let value = rows.compactMap { $0.labels[translated.label] }.sorted().first
                #expect(value != nil, "\(dashboard.title): variable \(name) has no values (\(promQL))")
                values[name] = value ?? ""
            }
            for (panel, expr) in dashboard.queries {
                let promQL = Self.substitute(expr, values)
                let answer = try await PromQL.evaluate(api, promQL)
                #expect(answer.status == "success", "\(dashboard.title) / \(panel): \(answer.error ?? "") in \(promQL)")
                #expect(answer.series > 0, "\(dashboard.title) / \(panel) returned no data: \(promQL)")
                panelQueries += 1
            }
        }
        #expect(panelQueries >= 40)

        // Every alert expression parses and evaluates, on its own and as Prometheus runs the rules.
        let rulesText = try String(
            contentsOf: Self.root.appendingPathComponent("alerts/stackbridge.rules.yml"), encoding: .utf8)
        let alertNames = rulesText.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- alert: ") ? String(trimmed.dropFirst(9)) : nil
        }
        #expect(alertNames.count == 16)
        var rules: [[String: Any]] = []
        for _ in 0..<40 {
            let body = try await PeerProcess.fetch(api + "/api/v1/rules", accept: "*/*").0
            let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
            let groups = (object["data"] as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            rules = groups.flatMap { $0["rules"] as? [[String: Any]] ?? [] }
            if rules.count == alertNames.count
                && rules.allSatisfy({ $0["lastEvaluation"] as? String != "0001-01-01T00:00:00Z" })
            {
                break
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(Set(rules.compactMap { $0["name"] as? String }) == Set(alertNames))
        for rule in rules {
            let name = rule["name"] as? String ?? "?"
            #expect(rule["health"] as? String == "ok", "\(name): \(rule["lastError"] ?? "")")
            let answer = try await PromQL.evaluate(api, rule["query"] as? String ?? "")
            #expect(answer.status == "success", "\(name): \(answer.error ?? "")")
        }
        // On a healthy run none of the bridge's own alerts is pending or firing.
        let active = rules.filter { ($0["alerts"] as? [Any])?.isEmpty == false }.compactMap { $0["name"] as? String }
        #expect(active.filter { $0.hasPrefix("Stackbridge") }.isEmpty, "active: \(active)")
    }
}
