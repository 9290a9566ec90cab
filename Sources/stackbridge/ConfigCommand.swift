import ArgumentParser
import BridgeApp

/// `stackbridge config validate FILE` and `stackbridge config default`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check a configuration file or print the default one.",
        subcommands: [Validate.self, Default.self])

    /// `config validate FILE`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file as run would, short of connecting; on error prints the key, "
                + "value and expectation and exits 2.")

        @Argument(help: "The configuration file.")
        var file: String

        func run() throws {
            let configuration = try ConfigurationFailure.guarding { try Configuration.load(file: file) }
            // What run checks after reading the file (API server, cluster name, API key, leader
            // election, web configuration), so that a file valid here starts.
            try ConfigurationFailure.guarding { try Bridge.validate(configuration) }
            print(
                "\(file): valid (mode \(configuration.mode.rawValue), \(configuration.scrape.staticTargets.count) "
                    + "static targets, \(configuration.remoteWrite.count) remote-write endpoints)")
        }
    }

    /// `config default`.
    struct Default: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the default configuration, commented.")

        func run() {
            print(Configuration.defaultYAML, terminator: "")
        }
    }
}
