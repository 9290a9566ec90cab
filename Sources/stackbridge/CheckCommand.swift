import ArgumentParser
import BridgeApp
import BridgeHTTP
import Foundation
import Logging

/// `stackbridge check --config FILE [--output json]`: DNS, TCP, TLS, authentication and HTTP status
/// for every endpoint of the configuration; exits 1 when any fails (docs/networking.md).
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every configured endpoint: proxy, DNS, TCP, TLS, authentication, HTTP status.")

    /// Output formats.
    enum Output: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @Option(help: "The configuration file.")
    var config: String

    @Option(help: "table (for people) or json (for scripts).")
    var output = Output.table

    func run() async throws {
        let bridge = try ConfigurationFailure.guarding {
            let configuration = try Configuration.load(file: config)
            var logger = Logger(label: "stackbridge")
            logger.logLevel = .critical
            return try Bridge(configuration: configuration, version: BuildInfo.version, logger: logger)
        }
        let check = ConnectivityCheck(
            client: HTTPClient(userAgent: "stackbridge/\(BuildInfo.version)"),
            environment: ProcessInfo.processInfo.environment)
        let results = await check.run(await check.endpoints(of: bridge))
        print(output == .json ? ConnectivityCheck.json(results) : ConnectivityCheck.table(results), terminator: "")
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }
}
