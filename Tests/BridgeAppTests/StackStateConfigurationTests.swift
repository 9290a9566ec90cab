import BridgeCore
import BridgeStackState
import Foundation
import Testing

@testable import BridgeApp

/// `stackstate:` in the configuration, and where the API key comes from.
@Suite struct StackStateConfigurationTests {
    @Test func everyKeyIsRead() throws {
        let configuration = try Configuration.parse(
            """
            cluster_name: prod
            stackstate:
              url: https://tenant.app.stackstate.io/receiver/stsAgent
              api_key_file: /etc/stackbridge/api-key
              topology_interval: 2m
              metrics_interval: 20s
              events_interval: 2s
              topology: true
              health: false
              events: true
              metrics: false
              queue_bytes: 4MiB
              timeout: 5s
              event_categories: {BackOff: Changes, FailedMount: Alerts}
              ca_file: /ca.pem
              proxy_url: http://proxy.internal:3128
              insecure_skip_verify: false
            """)
        let section = try #require(configuration.stackState)
        let settings = section.forwarder
        #expect(section.apiKeyFile == "/etc/stackbridge/api-key")
        #expect(settings.endpoint.url == "https://tenant.app.stackstate.io/receiver/stsAgent")
        #expect(settings.endpoint.timeout == .seconds(5))
        #expect(settings.endpoint.security.caFile == "/ca.pem")
        #expect(settings.endpoint.security.proxyURL == "http://proxy.internal:3128")
        #expect(settings.topologyInterval == .seconds(120))
        #expect(settings.metricsInterval == .seconds(20))
        #expect(settings.eventsInterval == .seconds(2))
        #expect(settings.topology && !settings.health && settings.events && !settings.metrics)
        #expect(settings.queueBytes == 4 << 20)
        #expect(settings.eventCategories == ["BackOff": .changes, "FailedMount": .alerts])
        #expect(try Configuration.parse("cluster_name: x").stackState == nil)
    }

    @Test(arguments: [
        ("stackstate: {api_key_file: /k}", "stackstate: missing key \"url\" (expected the receiver's url"),
        ("stackstate: {url: 'tenant.app.stackstate.io'}", "stackstate.url: invalid value \"tenant.app.stackstate.io\""),
        (
            "stackstate: {url: 'http://r', topology_interval: 0s}",
            "stackstate.topology_interval: invalid value \"0s\" (expected a positive duration"
        ),
        (
            "stackstate: {url: 'http://r', event_categories: {BackOff: Urgent}}",
            "stackstate.event_categories.BackOff: invalid value \"Urgent\" (expected one of Activities, Alerts, Changes, Others)"
        ),
        (
            "stackstate: {url: 'http://r', api_key: k}",
            "stackstate.api_key: unknown key \"api_key\"; keys here are url, api_key_file,"
        ),
    ])
    func badValuesAreNamed(_ yaml: String, _ message: String) {
        #expect {
            _ = try Configuration.parse(yaml)
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    func configuration(_ extra: String) throws -> Configuration {
        try Configuration.parse("cluster_name: c\nstackstate:\n  url: http://receiver:7077/stsAgent\n" + extra)
    }

    @Test func theKeyComesFromTheFileElseTheEnvironmentAndIsRequired() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sts-key-\(UUID())").path
        try "  from-file-key\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = try Bridge.resolveStackState(
            try configuration("  api_key_file: \(file)\n"), environment: ["STS_API_KEY": "from-env"])
        #expect(fromFile?.endpoint.apiKey == "from-file-key")
        let fromEnvironment = try Bridge.resolveStackState(
            try configuration(""), environment: ["STS_API_KEY": "env-key"])
        #expect(fromEnvironment?.endpoint.apiKey == "env-key")
        #expect {
            _ = try Bridge.resolveStackState(try configuration(""), environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("stackstate: invalid value \"\" (expected an API key: set api_key_file")
        }
        #expect {
            _ = try Bridge.resolveStackState(try configuration("  api_key_file: /nonexistent/key\n"), environment: [:])
        } throws: { error in
            "\(error)".hasPrefix(
                "stackstate.api_key_file: /nonexistent/key cannot be read: No such file or directory (expected a readable file holding the API key)"
            )
        }
    }

    @Test func nodeModeForwardsOnlyMetrics() throws {
        var node = try configuration("")
        node.mode = .node
        let settings = try #require(try Bridge.resolveStackState(node, environment: ["STS_API_KEY": "k"]))
        #expect(!settings.topology && !settings.health && !settings.events && settings.metrics)
        let all = try #require(try Bridge.resolveStackState(try configuration(""), environment: ["STS_API_KEY": "k"]))
        #expect(all.topology && all.health && all.events && all.metrics)
    }
}
