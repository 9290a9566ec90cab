import BridgeTestPeers
import Foundation
import Testing

/// Proxies from the environment, as libcurl reads them, checked in a child process so that the
/// variables affect nothing else in the test run.
@Suite struct EnvironmentProxyTests {
    /// Runs the probe binary with `environment`.
    static func probe(_ arguments: [String], environment: [String: String]) throws -> String {
        try PeerProcess.run(PeerProcess.builtProduct("stackbridge-http-probe"), arguments, environment: environment)
            .output
    }

    @Test func lowercaseHTTPProxyCarriesPlainRequests() throws {
        let proxy = try Tinyproxy()
        defer { proxy.stop() }
        let server = try FixtureServer()
        let output = try Self.probe([server.baseURL + "/metrics"], environment: ["http_proxy": proxy.url])
        #expect(output.hasPrefix("status 200"), "\(output)")
        #expect(proxy.log.contains("127.0.0.1:\(server.port)"))
    }

    @Test func httpsProxyTunnelsTLS() throws {
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let proxy = try Tinyproxy()
        defer { proxy.stop() }
        let server = try FixtureServer(tls: (certificates.serverCert, certificates.serverKey))
        let output = try Self.probe(
            ["--ca", certificates.caFile, "https://localhost:\(server.port)/metrics"],
            environment: ["HTTPS_PROXY": proxy.url]
        )
        #expect(output.hasPrefix("status 200"), "\(output)")
        #expect(proxy.log.contains("CONNECT localhost:\(server.port)"))
    }

    @Test func noProxyBypassesTheProxy() throws {
        let proxy = try Tinyproxy()
        defer { proxy.stop() }
        let server = try FixtureServer()
        let output = try Self.probe(
            [server.baseURL + "/metrics"],
            environment: ["http_proxy": proxy.url, "NO_PROXY": "127.0.0.1"]
        )
        #expect(output.hasPrefix("status 200"), "\(output)")
        #expect(!proxy.log.contains("127.0.0.1:\(server.port)"))
    }

    @Test func unreachableProxyFromTheEnvironmentIsAnError() throws {
        let port = try PeerProcess.freePort()
        let output = try Self.probe(
            ["http://127.0.0.1:1/metrics"], environment: ["http_proxy": "http://127.0.0.1:\(port)"])
        #expect(output.hasPrefix("error "), "\(output)")
    }
}
