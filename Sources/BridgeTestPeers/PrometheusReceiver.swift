import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's Prometheus 2.42 as a remote-write receiver (`--web.enable-remote-write-receiver`) on a
/// free 127.0.0.1 port, with its data in a directory that outlives a restart, so tests can stop it
/// for an outage and start it again with what it had.
public final class PrometheusReceiver: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`.
    public let url: String
    private let port: Int
    private let directory: URL
    private var process: PeerProcess?

    /// Starts the receiver and waits until it is ready.
    public init() async throws {
        port = try PeerProcess.freePort()
        url = "http://127.0.0.1:\(port)"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-receiver-\(port)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "global: {scrape_interval: 1m}\n".write(
            to: directory.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        try await start()
    }

    /// Its remote-write URL.
    public var writeURL: String { url + "/api/v1/write" }

    /// Starts it (again) and waits until it is ready.
    public func start() async throws {
        process = try PeerProcess(
            "/usr/bin/prometheus",
            [
                "--config.file=\(directory.path)/prometheus.yml", "--web.listen-address=127.0.0.1:\(port)",
                "--storage.tsdb.path=\(directory.path)/data", "--web.enable-remote-write-receiver",
                "--log.level=error",
            ])
        _ = try await PeerProcess.fetch(url + "/-/ready", accept: "*/*", timeout: .seconds(60))
    }

    /// Stops it with SIGTERM, so that it writes out its WAL (a SIGKILL would lose the receiver's
    /// own last unflushed page, which says nothing about the sender), then SIGKILL after 10 s.
    public func stopGracefully() async throws {
        guard let process else { return }
        kill(process.process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        process.stop()
        self.process = nil
    }

    /// Stops it and removes its data.
    public func stop() {
        process?.stop()
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        stop()
    }
}
