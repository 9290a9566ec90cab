import BridgeHTTP
import BridgeTestPeers
import Foundation
import Testing

@testable import BridgeRemoteWrite

/// The retry rules against a scripted receiver on 127.0.0.1 (fixture_server.py, POST /write/CODE).
@Suite struct RemoteWriteClientTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    func outcome(_ server: FixtureServer, _ path: String, retryOn429: Bool = false) async -> RemoteWriteClient.Outcome {
        var endpoint = RemoteWriteEndpoint(url: server.baseURL + path)
        endpoint.retryOnHTTP429 = retryOn429
        endpoint.headers = ["X-Scope-OrgID": "tenant-1", "content-type": "text/plain"]
        var batch = RemoteWriteBatch()
        batch.append(labels: [("__name__", "m")], value: 1, timestamp: 1)
        return await RemoteWriteClient(endpoint: endpoint, client: client, userAgent: "stackbridge/test").send(
            batch.encoded())
    }

    @Test func aRedirectIsDroppedNamingItAndNothingIsSentThere() async throws {
        let elsewhere = try FixtureServer()
        let origin = try FixtureServer(redirectTo: elsewhere.baseURL)
        defer {
            origin.stop()
            elsewhere.stop()
        }
        for code in [301, 302, 307, 308] {
            let outcome = await outcome(origin, "/moved/\(code)/write/204")
            #expect(
                outcome
                    == .drop(
                        reason: "HTTP \(code) redirect to \(elsewhere.baseURL)/write/204 not followed: "
                            + RemoteWriteClient.redirectReason),
                "\(outcome)")
        }
        #expect(try await elsewhere.received().isEmpty)
        #expect(try await origin.received().components(separatedBy: "POST /moved/").count == 5)
    }

    @Test func answersDecideRetryOrDrop() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let first = await outcome(server, "/write/204")
        #expect(first == .sent, "\(first)")
        let failed = await outcome(server, "/write/500")
        #expect(failed == .retry(after: nil, reason: "http_500"), "\(failed)")
        #expect(await outcome(server, "/write/503") == .retry(after: nil, reason: "http_503"))
        #expect(await outcome(server, "/write/429?retry_after=7") == .drop(reason: "HTTP 429: scripted 429"))
        #expect(
            await outcome(server, "/write/429?retry_after=7", retryOn429: true)
                == .retry(after: .seconds(7), reason: "http_429"))
        #expect(await outcome(server, "/write/429", retryOn429: true) == .retry(after: nil, reason: "http_429"))
        #expect(await outcome(server, "/write/400") == .drop(reason: "HTTP 400: scripted 400"))
        #expect(await outcome(server, "/write/404") == .drop(reason: "HTTP 404: scripted 404"))
        // Nothing listens there: a network error, retried.
        let closed = RemoteWriteEndpoint(url: "http://127.0.0.1:\(try PeerProcess.freePort())/api/v1/write")
        #expect(
            await RemoteWriteClient(endpoint: closed, client: client, userAgent: "t").send([])
                == .retry(after: nil, reason: "connect"))
        // Every request carried the four remote-write headers, which custom headers cannot replace.
        let writes = try await PeerProcess.fetch(server.baseURL + "/writes", accept: "*/*").0
        let lines = String(decoding: writes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 8)
        #expect(lines.allSatisfy { $0.hasPrefix("snappy application/x-protobuf 0.1.0 stackbridge/test ") }, "\(lines)")
    }

    @Test func retryAfterAcceptsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RemoteWriteClient.retryAfter("120", now: now) == .seconds(120))
        #expect(RemoteWriteClient.retryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now: now) == .seconds(10))
        #expect(RemoteWriteClient.retryAfter("Tue, 14 Nov 2023 22:13:00 GMT", now: now) == .zero)
        #expect(RemoteWriteClient.retryAfter("soon", now: now) == nil)
        #expect(RemoteWriteClient.retryAfter(nil, now: now) == nil)
    }
}
