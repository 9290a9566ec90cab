import BridgeHTTP
import BridgeTestPeers
import Foundation
import Testing

/// TLS against a CA generated at test time, client certificates, and a real CONNECT proxy.
@Suite struct TLSAndProxyTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    @Test func tlsVerificationUsesTheCAFileAndServerName() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try FixtureServer(tls: (certificates.serverCert, certificates.serverKey))
        let byName = "https://localhost:\(server.port)/metrics"
        let byAddress = server.baseURL + "/metrics"
        // Trusted CA and a name the certificate carries.
        let trusted = EndpointSecurity(caFile: certificates.caFile)
        #expect(try await client.execute(HTTPRequest(url: byName, security: trusted)).status == 200)
        // The certificate is not valid for 127.0.0.1 ...
        await #expect {
            _ = try await client.execute(HTTPRequest(url: byAddress, security: trusted))
        } throws: { ($0 as? HTTPError)?.kind == .tls }
        // ... unless the expected server name is given, as kubelets reached by IP need.
        var named = trusted
        named.serverName = "bridge.test"
        #expect(try await client.execute(HTTPRequest(url: byAddress, security: named)).status == 200)
        // An unknown CA fails, and skipping verification explicitly succeeds.
        await #expect {
            _ = try await client.execute(HTTPRequest(url: byName))
        } throws: { ($0 as? HTTPError)?.kind == .tls }
        let insecure = EndpointSecurity(insecureSkipVerify: true)
        #expect(try await client.execute(HTTPRequest(url: byAddress, security: insecure)).status == 200)
    }

    @Test func tlsConfigVersionsBoundTheHandshake() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let upTo12 = try FixtureServer(tls: (certificates.serverCert, certificates.serverKey), tlsMax12: true)
        let any = try FixtureServer(tls: (certificates.serverCert, certificates.serverKey))
        var security = EndpointSecurity(caFile: certificates.caFile)
        security.minTLSVersion = .tls13
        // A server that offers at most TLS 1.2 fails a client that asks for 1.3 at least ...
        await #expect {
            _ = try await client.execute(
                HTTPRequest(url: "https://localhost:\(upTo12.port)/metrics", security: security))
        } throws: { ($0 as? HTTPError)?.kind == .tls }
        #expect(
            try await client.execute(HTTPRequest(url: "https://localhost:\(any.port)/metrics", security: security))
                .status == 200)
        // ... and serves one that accepts 1.2, also when 1.2 is the newest the client offers.
        security.minTLSVersion = .tls12
        security.maxTLSVersion = .tls12
        #expect(
            try await client.execute(HTTPRequest(url: "https://localhost:\(upTo12.port)/metrics", security: security))
                .status == 200)
        #expect(
            try await client.execute(HTTPRequest(url: "https://localhost:\(any.port)/metrics", security: security))
                .status == 200)
    }

    @Test func serverRequiringAClientCertificate() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try FixtureServer(
            tls: (certificates.serverCert, certificates.serverKey), clientCA: certificates.caFile)
        let url = "https://localhost:\(server.port)/metrics"
        await #expect {
            _ = try await client.execute(HTTPRequest(url: url, security: EndpointSecurity(caFile: certificates.caFile)))
        } throws: { ($0 as? HTTPError)?.kind == .tls }
        let identified = EndpointSecurity(
            caFile: certificates.caFile,
            certFile: certificates.clientCert,
            keyFile: certificates.clientKey
        )
        #expect(try await client.execute(HTTPRequest(url: url, security: identified)).status == 200)
    }

    @Test func explicitProxyCarriesPlainAndTLSRequests() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let proxy = try Tinyproxy()
        defer { proxy.stop() }
        let plain = try FixtureServer()
        let secure = try FixtureServer(tls: (certificates.serverCert, certificates.serverKey))
        let viaProxy = EndpointSecurity(proxyURL: proxy.url)
        let plainResponse = try await client.execute(HTTPRequest(url: plain.baseURL + "/metrics", security: viaProxy))
        #expect(plainResponse.status == 200)
        var tunnelled = viaProxy
        tunnelled.caFile = certificates.caFile
        let secureURL = "https://localhost:\(secure.port)/metrics"
        #expect(try await client.execute(HTTPRequest(url: secureURL, security: tunnelled)).status == 200)
        let log = proxy.log
        #expect(log.contains("127.0.0.1:\(plain.port)"), "\(log)")
        #expect(log.contains("CONNECT localhost:\(secure.port)"), "\(log)")
    }

    @Test func unreachableProxyIsReported() async throws {
        let port = try PeerProcess.freePort()
        await #expect {
            _ = try await client.execute(
                HTTPRequest(
                    url: "http://127.0.0.1:1/metrics", security: EndpointSecurity(proxyURL: "http://127.0.0.1:\(port)"))
            )
        } throws: { error in
            let kind = (error as? HTTPError)?.kind
            return kind == .connect || kind == .proxy
        }
    }
}

/// HTTP/2 and connection reuse against a real nginx.
@Suite struct NginxTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    @Test func http2IsUsedWhenOfferedAndConnectionsAreReused() async throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let server = try NginxServer(body: Array("m 1\n".utf8), tls: (certificates.serverCert, certificates.serverKey))
        defer { server.stop() }
        let request = HTTPRequest(url: server.baseURL + "/a", security: EndpointSecurity(caFile: certificates.caFile))
        let first = try await client.execute(request)
        let second = try await client.execute(request)
        #expect(first.httpVersion == "2")
        #expect(first.body == Array("m 1\n".utf8))
        #expect(first.header("X-Connection") != nil)
        #expect(first.header("X-Connection") == second.header("X-Connection"))
    }

    @Test func plainHTTPConnectionsAreReusedToo() async throws {
        let server = try NginxServer(body: Array("m 1\n".utf8))
        defer { server.stop() }
        var connections: Set<String> = []
        for index in 0..<5 {
            let response = try await client.execute(HTTPRequest(url: server.baseURL + "/\(index)"))
            #expect(response.httpVersion == "1.1")
            connections.insert(response.header("X-Connection") ?? "")
        }
        #expect(connections.count == 1)
    }
}
