import ArgumentParser
import BridgeApp
import BridgeCore
import Logging

/// `stackbridge run --config FILE`: the main job.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the bridge with a configuration file (docs/configuration.md).")

    @Option(help: "The configuration file.")
    var config: String

    @Option(help: "Overrides server.listen (HOST:PORT).")
    var listen: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        AllocatorTuning.apply()
        var configuration = try ConfigurationFailure.guarding { try Configuration.load(file: config) }
        // Flags are checked as the file's keys are, with the same kind of message and exit status.
        let level = try logging.bootstrap(defaultLevel: .info)
        // The command line wins over the file, at start and on every reload.
        let listen = self.listen
        let overrides: @Sendable (inout Configuration) throws(ConfigurationError) -> Void = {
            (configuration: inout Configuration) throws(ConfigurationError) in
            if let listen {
                guard let address = ListenAddress(parsing: listen) else {
                    throw ConfigurationError(path: "--listen", value: listen, expected: ListenAddress.expected)
                }
                configuration.server.listen = address
            }
        }
        try ConfigurationFailure.guarding { try overrides(&configuration) }
        var logger = Logger(label: "stackbridge")
        logger.logLevel = level
        let bridge = try ConfigurationFailure.guarding { [configuration, logger] in
            try Bridge(
                configuration: configuration, version: BuildInfo.version, logger: logger, file: config,
                overrides: overrides)
        }
        logger.info(
            "stackbridge starting",
            metadata: [
                "cluster": .string(bridge.clusterName), "mode": .string(configuration.mode.rawValue),
                "k8s.api_server": .string(bridge.apiServer.server),
                "k8s.source": .string(bridge.apiServer.source.description),
            ])
        let started = logger
        try await bridge.run { port in
            started.info("serving /metrics", metadata: ["server.port": .stringConvertible(port)])
        }
    }
}
