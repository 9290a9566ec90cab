import BridgeServer
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Quiet connections are closed after their timeouts: before a first request, and between requests.
@Suite struct ConnectionGuardTests {
    static func connect(to port: Int) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return descriptor
    }

    /// Whether the server has closed `descriptor`, reading (and discarding) whatever it sent.
    static func closedByServer(_ descriptor: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 { return true }
            if count < 0 { return false }
        }
    }

    @Test func quietConnectionsAreClosedAfterTheirTimeouts() async throws {
        let connections = ConnectionGuard(limit: 100, headerTimeout: .seconds(1), idleTimeout: .seconds(4))
        let router = Router()
        router.get("/x") { _, _ in "ok" }
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [connections.handler()])),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let silent = Self.connect(to: port)
            let talker = Self.connect(to: port)
            defer {
                close(silent)
                close(talker)
            }
            let request = Array("GET /x HTTP/1.1\r\nHost: test\r\n\r\n".utf8)
            #expect(send(talker, request, request.count, 0) == request.count)
            try await Task.sleep(for: .milliseconds(2500))
            // The silent one sent no request within 1 s; the other answered one and may idle 4 s.
            #expect(Self.closedByServer(silent))
            #expect(!Self.closedByServer(talker))
            try await Task.sleep(for: .seconds(3))
            #expect(Self.closedByServer(talker))
            #expect(connections.count == 0)
        }
    }
}
