import BridgeCore
import Foundation
import Testing

/// The built `stackbridge` binary, run as a user would run it.
@Suite struct CommandLineTests {
    /// The binary next to the test bundle (`swift build --build-tests` builds every product).
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("stackbridge")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
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

    @Test func demoRelabelsAGeneratedKubeletBodyIntoCleanText() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-demo-\(UUID()).prom")
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try Self.run(["demo", "--pods", "6", "--output", file.path])
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
        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        lint.arguments = ["check", "metrics"]
        let input = Pipe()
        let lintOutput = Pipe()
        lint.standardInput = input
        lint.standardOutput = lintOutput
        lint.standardError = lintOutput
        try lint.run()
        input.fileHandleForWriting.write(written)
        try input.fileHandleForWriting.close()
        let complaints = String(decoding: lintOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        lint.waitUntilExit()
        #expect(lint.terminationStatus == 0, "\(complaints)")
    }
}
