import Foundation

/// Debian's Prometheus 2.42 on a free 127.0.0.1 port with a configuration given as text, its data
/// in its own working directory; for tests and benchmarks that let it scrape (the bridge, itself)
/// or run it in agent mode. ``PrometheusReceiver`` is the remote-write receiver that survives
/// restarts.
public final class PrometheusServer: @unchecked Sendable {
    /// The process, for its pid.
    public let peer: PeerProcess
    /// `http://127.0.0.1:PORT`.
    public let url: String
    private let configFile: URL

    /// Starts Prometheus with `configuration` (YAML) and `arguments` added to its command line
    /// (for example `--enable-feature=agent`), on `port` or a free one; it is ready once it
    /// answers, which callers wait for.
    public init(configuration: String, arguments: [String] = [], port: Int? = nil) throws {
        let port = try port ?? PeerProcess.freePort()
        url = "http://127.0.0.1:\(port)"
        configFile = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-prom-\(port).yml")
        try configuration.write(to: configFile, atomically: true, encoding: .utf8)
        let isAgent = arguments.contains("--enable-feature=agent")
        peer = try PeerProcess(
            "/usr/bin/prometheus",
            [
                "--config.file=\(configFile.path)", "--web.listen-address=127.0.0.1:\(port)",
                isAgent ? "--storage.agent.path=data" : "--storage.tsdb.path=data", "--log.level=error",
            ] + arguments)
    }

    /// Returns once `/-/ready` answers 200: the port opens before the storage is, and queries
    /// asked in between get a plain-text 503.
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        _ = try await PeerProcess.fetch(url + "/-/ready", accept: "text/plain", timeout: timeout)
    }

    /// Stops it and removes its configuration and data.
    public func stop() {
        peer.stop()
        try? FileManager.default.removeItem(at: configFile)
    }
}
