import Foundation

/// Debian's tinyproxy as a real HTTP CONNECT proxy on a free 127.0.0.1 port, logging every request.
public final class Tinyproxy: @unchecked Sendable {
    private let peer: PeerProcess
    /// The proxy URL, `http://127.0.0.1:PORT`.
    public let url: String
    private let logFile: String

    /// Starts tinyproxy in the foreground and waits until it accepts connections.
    public init() throws {
        let port = try PeerProcess.freePort()
        let directory = NSTemporaryDirectory() + "stackbridge-proxy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        logFile = directory + "/tinyproxy.log"
        let config = """
            Port \(port)
            Listen 127.0.0.1
            Allow 127.0.0.1
            Timeout 30
            LogFile "\(logFile)"
            LogLevel Connect
            MaxClients 50

            """
        try config.write(toFile: directory + "/tinyproxy.conf", atomically: true, encoding: .utf8)
        peer = try PeerProcess("/usr/bin/tinyproxy", ["-d", "-c", directory + "/tinyproxy.conf"])
        url = "http://127.0.0.1:\(port)"
        guard PeerProcess.waitForPort(port) else {
            peer.stop()
            throw PeerError("tinyproxy did not start on port \(port)")
        }
    }

    /// What tinyproxy logged so far.
    public var log: String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }

    /// Stops the proxy.
    public func stop() {
        peer.stop()
    }
}
