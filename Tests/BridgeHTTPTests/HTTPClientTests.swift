import BridgeTestPeers
import Foundation
import Testing

@testable import BridgeHTTP

@Suite struct HTTPClientTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    @Test func plainGetReturnsStatusHeadersAndBody() async throws {
        let server = try FixtureServer()
        let response = try await client.execute(HTTPRequest(url: server.baseURL + "/metrics?series=3"))
        #expect(response.status == 200)
        #expect(response.httpVersion == "1.1")
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(
            String(decoding: response.body, as: UTF8.self).contains(
                #"fixture_value{index="2",pod="pod-2",namespace="ns-2"} 2"#))
    }

    @Test(arguments: ["gzip", "zstd"])
    func compressedBodiesAreDecoded(_ encoding: String) async throws {
        let server = try FixtureServer()
        let compressed = try await client.execute(HTTPRequest(url: server.baseURL + "/" + encoding))
        let plain = try await client.execute(HTTPRequest(url: server.baseURL + "/metrics?series=500"))
        #expect(compressed.header("Content-Encoding") == encoding)
        #expect(compressed.body == plain.body)
        let identity = try await client.execute(
            HTTPRequest(url: server.baseURL + "/" + encoding, acceptCompression: false))
        #expect(identity.header("Content-Encoding") == nil)
        #expect(identity.body == plain.body)
    }

    @Test func aBodyIsReadIntoRoomMadeForItsExpectedSize() async throws {
        let server = try FixtureServer()
        let url = server.baseURL + "/metrics?series=12000"
        var request = HTTPRequest(url: url, acceptCompression: false)
        let grown = try await client.execute(request)
        let size = grown.body.count
        #expect(size > 500_000)
        request.expectedBodyBytes = size + size / 8
        let sized = try await client.execute(request)
        #expect(sized.body == grown.body)
        // Made once for the expected size, not doubled past the body as it arrived.
        #expect(sized.body.capacity >= size + size / 8 && sized.body.capacity < size + size / 4)
        #expect(grown.body.capacity >= size + size / 4, "without a guess the buffer grows by doubling")
    }

    @Test func largeExpectedBodiesAreReadInLargerPieces() {
        // The first scrape of a target knows no size: libcurl's default.
        #expect(CurlTransfer.receiveBufferBytes(expectedBodyBytes: 0) == nil)
        #expect(CurlTransfer.receiveBufferBytes(expectedBodyBytes: 20_000) == nil)
        // kube-state-metrics of a large cluster, or a kubelet's cAdvisor endpoint: 128 KiB at a time
        // (aBodyIsReadIntoRoomMadeForItsExpectedSize reads such a body through it).
        #expect(CurlTransfer.receiveBufferBytes(expectedBodyBytes: 600_000) == 131_072)
        #expect(CurlTransfer.receiveBufferBytes(expectedBodyBytes: 19_000_000) == 131_072)
    }

    @Test func slowServerTimesOut() async throws {
        let server = try FixtureServer()
        let start = ContinuousClock.now
        await #expect {
            _ = try await client.execute(
                HTTPRequest(url: server.baseURL + "/slow?seconds=60", timeout: .milliseconds(500)))
        } throws: { error in
            (error as? HTTPError)?.kind == .timeout
        }
        // Far below the server's 60 s delay; loose, since parallel tests share two cores.
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func oversizedBodyAbortsTheTransfer() async throws {
        let server = try FixtureServer()
        await #expect {
            _ = try await client.execute(
                HTTPRequest(url: server.baseURL + "/huge?bytes=50000000", maxBodyBytes: 1 << 20))
        } throws: { error in
            let error = error as? HTTPError
            return error?.kind == .bodyTooLarge && error?.detail == "body larger than 1048576 bytes; transfer aborted"
        }
    }

    @Test func refusedConnectionIsConnectError() async throws {
        let port = try PeerProcess.freePort()
        await #expect {
            _ = try await client.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics"))
        } throws: { ($0 as? HTTPError)?.kind == .connect }
    }

    @Test func unknownHostIsDNSError() async throws {
        await #expect {
            _ = try await client.execute(HTTPRequest(url: "http://kubelet.invalid:10250/metrics", timeout: .seconds(5)))
        } throws: { ($0 as? HTTPError)?.kind == .dns }
    }

    @Test func statusIsAResponseUntilRequired() async throws {
        let server = try FixtureServer()
        let response = try await client.execute(HTTPRequest(url: server.baseURL + "/status/503"))
        #expect(response.status == 503)
        #expect {
            _ = try response.requireSuccess(url: server.baseURL + "/status/503")
        } throws: { error in
            let error = error as? HTTPError
            return error?.kind == .httpStatus && error?.status == 503 && error?.isRetryable == true
        }
    }

    @Test func basicAuth() async throws {
        let server = try FixtureServer()
        let good = EndpointSecurity(basicAuth: .init(username: "user", password: "secret"))
        let bad = EndpointSecurity(basicAuth: .init(username: "user", password: "wrong"))
        #expect(try await client.execute(HTTPRequest(url: server.baseURL + "/basic", security: good)).status == 200)
        #expect(try await client.execute(HTTPRequest(url: server.baseURL + "/basic", security: bad)).status == 401)
    }

    @Test func authorizationSendsItsSchemeWithInlineOrFileCredentials() async throws {
        let server = try FixtureServer()
        let inline = EndpointSecurity(authorization: .init(type: "Token", credentials: .inline("inline-4711")))
        let echoed = try await client.execute(HTTPRequest(url: server.baseURL + "/headers", security: inline))
        #expect(String(decoding: echoed.body, as: UTF8.self).contains("Authorization: Token inline-4711"))
        let file = NSTemporaryDirectory() + "stackbridge-credentials-\(UUID().uuidString)"
        try "from-a-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = EndpointSecurity(authorization: .init(credentials: .file(file)))
        let second = try await client.execute(HTTPRequest(url: server.baseURL + "/headers", security: fromFile))
        #expect(String(decoding: second.body, as: UTF8.self).contains("Authorization: Bearer from-a-file"))
    }

    @Test func followRedirectsDecidesWhetherA3xxIsFollowed() async throws {
        let server = try FixtureServer()
        let url = server.baseURL + "/redirect?to=/headers"
        let followed = try await client.execute(HTTPRequest(url: url))
        #expect(followed.status == 200 && String(decoding: followed.body, as: UTF8.self).contains("Host:"))
        var security = EndpointSecurity()
        security.followRedirects = false
        let answered = try await client.execute(HTTPRequest(url: url, security: security))
        #expect(answered.status == 302)
    }

    @Test func redirectsStayWithinTheOriginTheirCredentialsWereConfiguredFor() async throws {
        let elsewhere = try FixtureServer()
        let origin = try FixtureServer(redirectTo: elsewhere.baseURL)
        let security = EndpointSecurity(authorization: .init(credentials: .inline("origin-only-4711")))
        let headers = [(name: "X-Api-Key", value: "origin-key-4711")]
        // Within the origin: followed, with the credentials.
        let same = try await client.execute(
            HTTPRequest(url: origin.baseURL + "/redirect?to=/headers", headers: headers, security: security))
        #expect(same.status == 200)
        #expect(String(decoding: same.body, as: UTF8.self).contains("Authorization: Bearer origin-only-4711"))
        // To another origin: an error naming where it pointed; nothing reaches that origin.
        for code in [301, 302, 307, 308] {
            await #expect {
                _ = try await client.execute(
                    HTTPRequest(url: origin.baseURL + "/moved/\(code)/headers", headers: headers, security: security))
            } throws: { error in
                (error as? HTTPError)?.kind == .redirect && "\(error)".contains(elsewhere.baseURL + "/headers")
                    && !"\(error)".contains("4711")
            }
        }
        #expect(try await elsewhere.received().isEmpty)
        #expect(try await origin.received().contains("origin-only-4711"))
    }

    @Test func bearerTokenFileIsReReadWhenItRotates() async throws {
        let directory = NSTemporaryDirectory() + "stackbridge-token-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serverToken = directory + "/expected"
        let clientToken = directory + "/token"
        try "one\n".write(toFile: serverToken, atomically: true, encoding: .utf8)
        try "one\n".write(toFile: clientToken, atomically: true, encoding: .utf8)
        let server = try FixtureServer(tokenFile: serverToken)
        let request = HTTPRequest(
            url: server.baseURL + "/auth", security: EndpointSecurity(bearerTokenFile: clientToken))
        #expect(try await client.execute(request).status == 200)
        try "two\n".write(toFile: serverToken, atomically: true, encoding: .utf8)
        #expect(try await client.execute(request).status == 401)
        // Kubernetes swaps projected tokens atomically; `atomically: true` writes a new file and renames it.
        try "two\n".write(toFile: clientToken, atomically: true, encoding: .utf8)
        #expect(try await client.execute(request).status == 200)
    }

    @Test func missingTokenFileIsAnAuthErrorNamingThePath() async throws {
        await #expect {
            _ = try await client.execute(
                HTTPRequest(
                    url: "http://127.0.0.1:1/", security: EndpointSecurity(bearerTokenFile: "/nonexistent/token"))
            )
        } throws: { error in
            let error = error as? HTTPError
            return error?.kind == .auth && error?.detail == "cannot read bearer token file /nonexistent/token"
        }
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try FixtureServer()
        let client = self.client
        let task = Task {
            try await client.execute(HTTPRequest(url: server.baseURL + "/slow?seconds=60", timeout: .seconds(90)))
        }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        task.cancel()
        await #expect {
            _ = try await task.value
        } throws: { ($0 as? HTTPError)?.kind == .cancelled }
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func aTaskCancelledBeforeTheRequestNeverSendsIt() async throws {
        let server = try FixtureServer()
        let client = self.client
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            return try await client.execute(
                HTTPRequest(url: server.baseURL + "/slow?seconds=60", timeout: .seconds(90)))
        }
        task.cancel()
        await #expect {
            _ = try await task.value
        } throws: { ($0 as? HTTPError)?.kind == .cancelled }
        // Cancellations that arrive after completion leave later requests alone.
        for _ in 0..<50 {
            let done = Task { try await client.execute(HTTPRequest(url: server.baseURL + "/metrics?series=1")) }
            _ = try await done.value
            done.cancel()
            #expect(try await client.execute(HTTPRequest(url: server.baseURL + "/metrics?series=1")).status == 200)
        }
    }

    @Test func manyConcurrentRequestsComplete() async throws {
        let server = try FixtureServer()
        let client = self.client
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<64 {
                group.addTask {
                    try await client.execute(HTTPRequest(url: server.baseURL + "/metrics?series=\(index)")).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 64))
    }

    @Test func postSendsTheBody() async throws {
        let server = try FixtureServer()
        let response = try await client.execute(
            HTTPRequest(
                url: server.baseURL + "/headers", method: .post, headers: [("X-Test", "yes")], body: Array("abc".utf8))
        )
        let echoed = String(decoding: response.body, as: UTF8.self)
        #expect(echoed.contains("X-Test: yes"))
        #expect(echoed.contains("Content-Length: 3"))
        #expect(echoed.contains("User-Agent: stackbridge-test"))
    }

    @Test func errorsNeverShowCredentials() async throws {
        let port = try PeerProcess.freePort()
        let url = "http://admin:hunter2@127.0.0.1:\(port)/intake/?api_key=s3cr3t&x=1"
        await #expect {
            _ = try await client.execute(HTTPRequest(url: url))
        } throws: { error in
            let text = "\(error)"
            return !text.contains("hunter2") && !text.contains("s3cr3t") && text.contains("api_key=REDACTED&x=1")
        }
    }
}

/// The client's memory budget for bodies in flight, across all of its transfers.
@Suite struct BodyBudgetTests {
    /// Four endless bodies (no Content-Length) at once, each allowed 6 MiB, under a budget of
    /// 8 MiB: together they never hold more than the budget, the refusals name it, and the budget
    /// is whole again afterwards.
    @Test func endlessBodiesTogetherStayWithinTheBudget() async throws {
        let server = try FixtureServer()
        let budget = BodyBudget(limit: 8 << 20)
        let client = HTTPClient(userAgent: "stackbridge-test", threads: 2, bodyBudget: budget)
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    do {
                        _ = try await client.execute(
                            HTTPRequest(url: server.baseURL + "/huge?bytes=100000000", maxBodyBytes: 6 << 20))
                        return "complete"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(budget.peak <= 8 << 20, "\(budget.peak) bytes held at once")
        #expect(outcomes.contains { $0.contains("memory budget of 8388608 bytes") }, "\(outcomes)")
        #expect(outcomes.allSatisfy { $0.contains("body too large") }, "\(outcomes)")
        #expect(budget.inUse == 0)
    }

    /// One body without Content-Length never takes more than its own limit, however its buffer grows.
    @Test func aBodyNeverTakesMoreThanItsLimit() async throws {
        let server = try FixtureServer()
        let budget = BodyBudget(limit: 1 << 30)
        let client = HTTPClient(userAgent: "stackbridge-test", bodyBudget: budget)
        await #expect {
            _ = try await client.execute(
                HTTPRequest(url: server.baseURL + "/huge?bytes=50000000", maxBodyBytes: 5 << 20))
        } throws: { ($0 as? HTTPError)?.kind == .bodyTooLarge }
        #expect(budget.peak <= 5 << 20, "\(budget.peak) bytes for a 5 MiB limit")
        let small = try await client.execute(HTTPRequest(url: server.baseURL + "/metrics?series=10"))
        #expect(small.status == 200 && budget.inUse == 0)
    }
}
