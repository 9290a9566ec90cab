import BridgeCore
import BridgeTestPeers
import Foundation
import Testing
import Yams

@testable import BridgeApp

/// Configurations as Prometheus users have them: `remote_write` and `scrape_configs` blocks from
/// Prometheus 2.42's documentation and from prometheus-operator's rendered configurations load
/// unchanged, and bad inputs fail with the messages in their golden files.
@Suite struct ConfigurationCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/config-corpus")

    static func files(_ folder: String, _ suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(folder).path))
        return (names ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// The file's text with `@FILES@` pointing at the corpus' credential and certificate files.
    static func text(_ folder: String, _ name: String) throws -> String {
        try String(contentsOf: corpus.appendingPathComponent("\(folder)/\(name)"), encoding: .utf8)
            .replacingOccurrences(of: "@FILES@", with: corpus.appendingPathComponent("files").path)
    }

    /// The bridge configuration that holds a Prometheus file's blocks unchanged: `remote_write` as
    /// it is, each `scrape_configs` entry as a static target.
    static func bridgeConfiguration(from prometheus: String) throws -> String {
        guard case .mapping(let mapping) = try Yams.compose(yaml: prometheus) else { return "" }
        // An API server too: `config validate` checks what `run` would reach, short of connecting.
        var top: [(Node, Node)] = [
            (Node("cluster_name"), Node("corpus")),
            (Node("kubernetes"), Node.mapping(Node.Mapping([(Node("api_server"), Node("https://127.0.0.1:6443"))]))),
        ]
        if let scrapeConfigs = mapping["scrape_configs"] {
            top.append((Node("scrape"), Node.mapping(Node.Mapping([(Node("static_targets"), scrapeConfigs)]))))
        }
        if let remoteWrite = mapping["remote_write"] { top.append((Node("remote_write"), remoteWrite)) }
        return try Yams.serialize(node: Node.mapping(Node.Mapping(top)))
    }

    static func write(_ text: String, _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID())-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theCorpusHoldsBothSourcesAndTwentyBadInputs() {
        let good = Self.files("prometheus", ".yml")
        #expect(good.contains { $0.hasPrefix("docs-") } && good.contains { $0.hasPrefix("operator-") })
        #expect(Self.files("bad", ".yaml").count >= 20)
    }

    @Test(arguments: files("prometheus", ".yml"))
    func prometheusBlocksValidateUnchanged(_ name: String) throws {
        let prometheus = try Self.text("prometheus", name)
        // Prometheus 2.42 itself accepts the file, so the corpus is what its users really have.
        let original = try Self.write(prometheus, name)
        defer { try? FileManager.default.removeItem(atPath: original) }
        let (promtoolStatus, promtoolOutput) = try PeerProcess.run("/usr/bin/promtool", ["check", "config", original])
        #expect(promtoolStatus == 0, "\(promtoolOutput)")
        let bridge = try Self.write(try Self.bridgeConfiguration(from: prometheus), name)
        defer { try? FileManager.default.removeItem(atPath: bridge) }
        let (status, output) = try PeerProcess.run(
            PeerProcess.builtProduct("stackbridge"), ["config", "validate", bridge])
        #expect(status == 0, "\(output)")
        #expect(output.contains("valid"), "\(output)")
    }

    @Test(arguments: files("bad", ".yaml"))
    func badInputsFailWithTheirGoldenMessage(_ name: String) throws {
        let golden = Self.corpus.appendingPathComponent(
            "bad/" + name.replacingOccurrences(of: ".yaml", with: ".golden"))
        var message = ""
        do {
            _ = try Configuration.parse(try Self.text("bad", name))
        } catch {
            message = "\(error)\n"
        }
        #expect(!message.isEmpty, "\(name) was accepted")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try message.write(to: golden, atomically: true, encoding: .utf8)
        }
        #expect(
            message == (try? String(contentsOf: golden, encoding: .utf8)), "UPDATE_GOLDEN=1 rewrites \(golden.path)")
        // A secret written in the file never reaches the message.
        #expect(!message.contains("secret-in-a-header") && !message.contains("dXNlcjpwYXNz"))
    }

    @Test func prometheusRemoteWriteKeysReachTheEndpoint() throws {
        let configuration = try Configuration.parse(
            try Self.bridgeConfiguration(from: try Self.text("prometheus", "docs-remote-write-every-key.yml")))
        let entry = try #require(configuration.remoteWrite.first)
        let security = entry.endpoint.security
        #expect(entry.endpoint.name == "primary" && entry.endpoint.headers == ["X-Scope-OrgID": "team-a"])
        #expect(entry.writeRelabelConfigs.count == 2)
        #expect(security.authorization?.type == "Bearer")
        #expect(security.authorization?.credentials == .file(Self.corpus.appendingPathComponent("files/token").path))
        #expect(security.caFile?.hasSuffix("files/ca.crt") == true && security.keyFile?.hasSuffix("client.key") == true)
        #expect(security.serverName == "receiver.internal")
        #expect(security.minTLSVersion == .tls12 && security.maxTLSVersion == .tls13)
        #expect(security.proxyURL == "http://proxy.example:3128")
        #expect(security.proxyConnectHeaders == ["X-Proxy-Tenant": ["team-a"]])
        #expect(security.followRedirects && security.enableHTTP2)
        #expect(entry.queue.capacity == 2500 && entry.queue.maxShards == 200 && entry.queue.minShards == 1)
        #expect(entry.queue.maxSamplesPerSend == 500 && entry.queue.shardCount == 4)
        #expect(!entry.endpoint.retryOnHTTP429 && entry.sendMetadata)
        let credentials = try Configuration.parse(
            try Self.bridgeConfiguration(from: try Self.text("prometheus", "docs-remote-write-credentials.yml")))
        let byName = Dictionary(uniqueKeysWithValues: credentials.remoteWrite.map { ($0.endpoint.name!, $0) })
        #expect(
            byName["basic-inline"]?.endpoint.security.basicAuth == .init(username: "123456", password: "glc_example"))
        #expect(byName["basic-file"]?.endpoint.security.basicAuth?.password == "corpus-password")
        #expect(byName["bearer-inline"]?.endpoint.security.authorization == .init(credentials: .inline("some-token")))
        #expect(byName["bearer-file"]?.endpoint.security.bearerTokenFile?.hasSuffix("files/token") == true)
        #expect(byName["authorization-inline"]?.endpoint.security.authorization?.type == "Bearer")
        #expect(byName["self-signed"]?.endpoint.security.insecureSkipVerify == true)
    }

    @Test func scrapeConfigsBecomeOneTargetPerStaticTarget() throws {
        let configuration = try Configuration.parse(
            try Self.bridgeConfiguration(from: try Self.text("prometheus", "docs-scrape-static.yml")))
        let targets = configuration.scrape.staticTargets
        #expect(targets.map(\.job) == ["prometheus", "node", "node", "blackbox"])
        #expect(targets[0].url == "http://localhost:9090/metrics" && targets[0].instance == "localhost:9090")
        let node = targets[1]
        #expect(node.url == "https://10.0.0.1:9100/metrics" && targets[2].url == "https://10.0.0.2:9100/metrics")
        #expect(node.labels == [LabelPair("env", "prod"), LabelPair("team", "platform")])
        #expect(node.interval == .seconds(15) && node.timeout == .seconds(10))
        #expect(node.limits.sampleLimit == 50000 && node.limits.bodySizeLimit == 10 << 20 && node.honorTimestamps)
        #expect(node.security.basicAuth?.username == "prometheus" && node.security.caFile != nil)
        #expect(node.metricRelabelConfigs.count == 1)
        // The blackbox pattern: the target becomes a parameter and the instance, the exporter the address.
        let probe = targets[3]
        #expect(probe.url == "http://127.0.0.1:9115/probe?module=http_2xx&target=https%3A%2F%2Fexample.com")
        #expect(probe.instance == "https://example.com" && probe.labels.isEmpty)
        // Operator-rendered: its __tmp_ label disappears with the other __ labels.
        let operated = try Configuration.parse(
            try Self.bridgeConfiguration(from: try Self.text("prometheus", "operator-scrape-config.yml")))
        #expect(operated.scrape.staticTargets.map(\.instance) == ["10.0.0.5:9100", "10.0.0.6:9100"])
        #expect(operated.scrape.staticTargets.allSatisfy { $0.labels == [LabelPair("env", "prod")] })
        #expect(operated.scrape.staticTargets.allSatisfy { $0.job == "scrapeConfig/monitoring/static-targets" })
    }
}
