#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to 127.0.0.1, for tests of how a server treats idle or slow clients:
/// connected, and sending only what the test sends.
public struct RawConnection: Sendable {
    /// The socket.
    public let descriptor: Int32

    /// Connects to 127.0.0.1:`port`.
    public init(port: Int) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// Sends `text`; whether all of it went.
    public func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return Glibc.send(descriptor, bytes, bytes.count, 0) == bytes.count
    }

    /// Whether the server has closed the connection: it reads as end of file (whatever the server
    /// sent before is read and discarded).
    public var closedByServer: Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 { return true }
            if count < 0 { return false }
        }
    }

    /// Closes the socket.
    public func close() {
        _ = Glibc.close(descriptor)
    }
}
