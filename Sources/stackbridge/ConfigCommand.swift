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
            abstract: "Validate a configuration file; exits non-zero with the key, value and expectation on error.")

        @Argument(help: "The configuration file.")
        var file: String

        func run() throws {
            do {
                let configuration = try Configuration.load(file: file)
                print(
                    "\(file): valid (mode \(configuration.mode.rawValue), \(configuration.scrape.staticTargets.count) static targets)"
                )
            } catch {
                throw ValidationError("\(error)")
            }
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
