import ArgumentParser

/// The `stackbridge` command line: options → validate → run, nothing more (the wiring lives in
/// libraries that tests call directly).
@main
struct Stackbridge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stackbridge",
        abstract: "Scrape kubelet and kube-state-metrics, tag every series with its place in the cluster "
            + "topology, serve it on /metrics and forward it to StackState and remote-write receivers.",
        version: BuildInfo.version,
        subcommands: [
            RunCommand.self, DemoCommand.self, ConfigCommand.self, CheckCommand.self, ProcessesCommand.self,
            VersionCommand.self,
        ]
    )
}

/// Facts about this build.
enum BuildInfo {
    /// The release version.
    static let version = "0.1.0-dev"
}
