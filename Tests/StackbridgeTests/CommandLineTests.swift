import BridgeCore
import BridgeTestPeers
import Foundation
import Testing

/// The built `stackbridge` binary, run as a user would run it.
@Suite struct CommandLineTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try PeerProcess.run(PeerProcess.builtProduct("stackbridge"), arguments)
    }

    @Test func versionPrintsTheVersion() throws {
        let (status, output) = try Self.run(["version"])
        #expect(status == 0)
        #expect(output.hasPrefix("stackbridge 0."))
    }

    @Test func helpListsTheSubcommands() throws {
        let (status, output) = try Self.run(["--help"])
        #expect(status == 0)
        #expect(output.contains("version"))
        #expect(output.contains("demo"))
    }

    @Test func unknownSubcommandFailsWithAMessage() throws {
        let (status, output) = try Self.run(["frobnicate"])
        #expect(status != 0)
        #expect(output.contains("frobnicate"))
    }

    @Test func demoRunsTheSimulatedClusterThroughTopologyAndMetricCore() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-demo-\(UUID()).prom")
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try Self.run(["demo", "--nodes", "2", "--pods-per-node", "6", "--output", file.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("later issues"))
        let written = try Data(contentsOf: file)
        var issues = ParseIssues()
        let batch = MetricBatch.parse(Array(written), format: .text, issues: &issues)
        #expect(issues.isEmpty)
        #expect(!batch.samples.isEmpty)
        let text = String(decoding: written, as: UTF8.self)
        #expect(!text.contains(" id=") && !text.contains("{id=") && !text.contains(",id="))
        #expect(!text.contains("@sha256:"))
        #expect(output.contains("topology "))
        #expect(output.contains("pod: "))
        let (lintStatus, complaints) = try PeerProcess.run("/usr/bin/promtool", ["check", "metrics"], input: written)
        #expect(lintStatus == 0, "\(complaints)")
    }
}
