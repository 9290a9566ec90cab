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
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.accepts(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        peer.stop()
        throw PeerError("tinyproxy did not start on port \(port)")
    }

    /// What tinyproxy logged so far.
    public var log: String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }

    /// Stops the proxy.
    public func stop() {
        peer.stop()
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
