import BridgeTestPeers
import Foundation
import Testing

@testable import BridgeHTTP

@Suite struct HTTPStreamTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    @Test func linesArriveWhileTheResponseIsStillRunning() async throws {
        let server = try FixtureServer()
        let hold = NSTemporaryDirectory() + "stackbridge-hold-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: hold) }
        // The server sends three lines, then waits for the hold file before it ends the response:
        // seeing the three lines first shows the body is delivered while the response runs.
        let url = server.baseURL + "/stream?lines=3&interval=0&hold=\(hold)"
        let response = try await client.stream(HTTPRequest(url: url, timeout: .seconds(60)))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        var received: [UInt8] = []
        var released = false
        for try await chunk in response.body {
            received += chunk
            if !released && received.filter({ $0 == 0x0A }).count >= 3 {
                #expect(!String(decoding: received, as: UTF8.self).contains("END"))
                _ = FileManager.default.createFile(atPath: hold, contents: nil)
                released = true
            }
        }
        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n")
        #expect(released)
        #expect(
            lines == [
                #"{"type":"ADDED","index":0}"#, #"{"type":"ADDED","index":1}"#, #"{"type":"ADDED","index":2}"#, "END",
            ])
    }

    @Test func aSlowConsumerPausesTheTransferInsteadOfBuffering() async throws {
        let server = try FixtureServer()
        // 20 MB from a Python server on a loaded 2-core machine: the point is bounded buffering, not
        // speed, so the request may take its time.
        let response = try await client.stream(
            HTTPRequest(url: server.baseURL + "/huge?bytes=20000000", timeout: .seconds(120)), bufferLimit: 1 << 20)
        var total = 0
        var chunks = 0
        for try await chunk in response.body {
            total += chunk.count
            chunks += 1
            if chunks < 20 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(total == 20_000_000)
        // At most the limit plus one chunk ever waited for the consumer.
        #expect(response.body.sink.highWater <= (1 << 20) + curlMaxWriteSize)
    }

    @Test func stoppingEarlyAbortsTheTransfer() async throws {
        let server = try FixtureServer()
        let start = ContinuousClock.now
        let response = try await client.stream(
            HTTPRequest(url: server.baseURL + "/stream?lines=1000&interval=0.05", timeout: .seconds(120)))
        var seen = 0
        for try await chunk in response.body {
            seen += chunk.filter { $0 == 0x0A }.count
            if seen >= 3 { break }
        }
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(try await client.execute(HTTPRequest(url: server.baseURL + "/metrics")).status == 200)
    }

    @Test func errorStatusesAndTransportFailures() async throws {
        let server = try FixtureServer()
        let missing = try await client.stream(HTTPRequest(url: server.baseURL + "/status/404"))
        #expect(missing.status == 404)
        var body: [UInt8] = []
        for try await chunk in missing.body { body += chunk }
        #expect(body == Array("status\n".utf8))
        let port = try PeerProcess.freePort()
        await #expect {
            _ = try await client.stream(HTTPRequest(url: "http://127.0.0.1:\(port)/watch"))
        } throws: { ($0 as? HTTPError)?.kind == .connect }
    }

    @Test func aTimeoutEndsTheBodyWithAnError() async throws {
        let server = try FixtureServer()
        let response = try await client.stream(
            HTTPRequest(url: server.baseURL + "/stream?lines=100&interval=0.2", timeout: .milliseconds(700)))
        await #expect {
            for try await _ in response.body {}
        } throws: { ($0 as? HTTPError)?.kind == .timeout }
    }
}

/// libcurl's largest single write callback (CURL_MAX_WRITE_SIZE), for the buffer bound.
let curlMaxWriteSize = 16_384
