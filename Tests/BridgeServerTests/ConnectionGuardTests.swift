import BridgeServer
import BridgeTestPeers
import Hummingbird
import HummingbirdTesting
import Testing

/// Quiet connections are closed after their timeouts: before a first request, and between requests.
@Suite struct ConnectionGuardTests {
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
            let silent = RawConnection(port: port)
            let talker = RawConnection(port: port)
            defer {
                silent.close()
                talker.close()
            }
            #expect(talker.send("GET /x HTTP/1.1\r\nHost: test\r\n\r\n"))
            try await Task.sleep(for: .milliseconds(2500))
            // The silent one sent no request within 1 s; the other answered one and may idle 4 s.
            #expect(silent.closedByServer)
            #expect(!talker.closedByServer)
            try await Task.sleep(for: .seconds(3))
            #expect(talker.closedByServer)
            #expect(connections.count == 0)
        }
    }
}
