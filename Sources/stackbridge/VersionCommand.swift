import ArgumentParser

/// `stackbridge version`: prints the version.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version and exit.")

    func run() {
        print("stackbridge \(BuildInfo.version)")
    }
}
