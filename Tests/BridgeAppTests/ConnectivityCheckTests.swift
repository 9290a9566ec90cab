import BridgeTestPeers
import Foundation
import Logging
import Testing

@testable import BridgeApp
@testable import BridgeHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// `stackbridge check` against real endpoints on 127.0.0.1: the simulator (API, kubelets,
/// kube-state-metrics, receiver double), a scripted remote-write receiver, a TLS server with a
/// test CA, a closed port, and tinyproxy.
@Suite struct ConnectivityCheckTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    func results(_ yaml: String, key: String = "check-key") async throws -> [ConnectivityCheck.Result] {
        let configuration = try Configuration.parse(yaml)
        let bridge = try Bridge(
            configuration: configuration, version: "test", logger: Logger(label: "test"),
            environment: ["STS_API_KEY": key])
        let check = ConnectivityCheck(client: client, environment: [:])
        return await check.run(await check.endpoints(of: bridge))
    }

    @Test func workingEndpointsPassEveryStep() async throws {
        let simulator = try SimulatorProcess([
            "--nodes", "2", "--pods-per-node", "2", "--receiver-api-key", "check-key",
        ])
        defer { simulator.stop() }
        let receiver = try FixtureServer()
        defer { receiver.stop() }
        let results = try await results(
            """
            cluster_name: c
            kubernetes: {api_server: '\(simulator.url)'}
            scrape: {kube_state_metrics: {urls: ['\(simulator.url)/ksm/metrics']}}
            stackstate: {url: '\(simulator.url)/receiver/stsAgent'}
            remote_write: [{url: '\(receiver.baseURL)/write/204'}]
            """)
        #expect(
            results.map(\.name) == [
                "kubernetes API", "kubelet node-0", "kubelet node-1", "kube-state-metrics", "stackstate receiver",
                "remote write",
            ])
        for result in results {
            #expect(result.ok, "\(ConnectivityCheck.table([result]))")
            #expect(result.steps.map(\.name) == ["proxy", "dns", "tcp", "http"])
            #expect(result.hint == nil)
        }
        #expect(results[4].steps.last?.detail == "POST /receiver/stsAgent/intake/?api_key=REDACTED → 200")
        let json = ConnectivityCheck.json(results)
        #expect(!json.contains("check-key") && !ConnectivityCheck.table(results).contains("check-key"))
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(decoded?.count == 6 && decoded?.allSatisfy { $0["ok"] as? Bool == true } == true)
        #expect(ConnectivityCheck.table(results).hasSuffix("6 endpoints checked, 0 failed\n"))
    }

    @Test func clusterModeChecksTheLeaseWhichMayNotExistYet() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2"])
        defer { simulator.stop() }
        let yaml = """
            cluster_name: c
            mode: cluster
            kubernetes: {api_server: '\(simulator.url)', leader_election: {lease_namespace: monitoring}}
            """
        let first = try await results(yaml)
        #expect(first.map(\.name) == ["kubernetes API", "leader election lease monitoring/stackbridge"])
        #expect(first.allSatisfy { $0.ok }, "\(ConnectivityCheck.table(first))")
        #expect(
            first[1].steps.last?.detail
                == "GET /apis/coordination.k8s.io/v1/namespaces/monitoring/leases/stackbridge → 404 (not created yet)")
        // Once a replica holds it, the same check reads it.
        let url = simulator.url + "/apis/coordination.k8s.io/v1/namespaces/monitoring/leases"
        _ = try await client.execute(
            HTTPRequest(
                url: url, method: .post, headers: [("Content-Type", "application/json")],
                body: Array(#"{"metadata":{"name":"stackbridge"},"spec":{"holderIdentity":"x"}}"#.utf8))
        ).requireSuccess(url: url)
        let again = try await results(yaml)
        #expect(again[1].ok && again[1].steps.last?.detail.hasSuffix("→ 200") == true)
        // Outside cluster mode there is no election and no lease to check.
        let all = try await results("cluster_name: c\nkubernetes: {api_server: '\(simulator.url)'}")
        #expect(!all.contains { $0.name.hasPrefix("leader election") })
    }

    @Test func failuresNameTheStepAndGiveAHint() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2", "--receiver-api-key", "right"])
        defer { simulator.stop() }
        let certificates = try TestCertificates()
        defer { certificates.remove() }
        let tlsServer = try FixtureServer(tls: (certificates.serverCert, certificates.serverKey))
        defer { tlsServer.stop() }
        let closed = try PeerProcess.freePort()
        let results = try await results(
            """
            cluster_name: c
            mode: cluster
            kubernetes: {api_server: '\(simulator.url)'}
            scrape:
              kube_state_metrics: {service: kube-system/no-such-service}
              static_targets:
                - {job: closed, url: 'http://127.0.0.1:\(closed)/metrics'}
                - {job: untrusted, url: 'https://localhost:\(tlsServer.port)/metrics'}
                - {job: trusted, url: 'https://localhost:\(tlsServer.port)/metrics', ca_file: '\(certificates.caFile)'}
                - {job: unresolvable, url: 'http://stackbridge-no-such-host.invalid/metrics'}
            stackstate: {url: '\(simulator.url)/receiver/stsAgent'}
            """, key: "wrong")
        let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0) })
        let closedResult = try #require(byName["static target closed"])
        #expect(!closedResult.ok && closedResult.steps.last?.name == "tcp")
        #expect(closedResult.steps.last?.detail.contains("Connection refused: nothing listens on that port") == true)
        #expect(closedResult.hint?.hasPrefix("nothing listens on 127.0.0.1:\(closed)") == true, "\(closedResult)")
        let untrusted = try #require(byName["static target untrusted"])
        #expect(!untrusted.ok && untrusted.steps.last?.name == "tls")
        #expect(untrusted.steps.last?.detail.contains("subject CN = bridge.test") == true, "\(untrusted.steps)")
        #expect(untrusted.steps.last?.detail.contains("issuer CN = stackbridge test CA") == true)
        #expect(untrusted.steps.last?.detail.contains("verification failed") == true)
        #expect(untrusted.hint?.contains("set ca_file") == true)
        let trusted = try #require(byName["static target trusted"])
        #expect(trusted.ok, "\(ConnectivityCheck.table([trusted]))")
        #expect(trusted.steps.map(\.name) == ["proxy", "dns", "tcp", "tls", "http"])
        #expect(trusted.steps[3].detail.hasSuffix("verified against \(certificates.caFile)"))
        let unresolvable = try #require(byName["static target unresolvable"])
        #expect(!unresolvable.ok && unresolvable.steps.last?.name == "dns")
        #expect(unresolvable.hint?.contains("dig +short stackbridge-no-such-host.invalid") == true)
        let stackstate = try #require(byName["stackstate receiver"])
        #expect(!stackstate.ok && stackstate.steps.last?.detail.hasSuffix("→ 403") == true)
        #expect(stackstate.hint == "the receiver rejected the API key: check api_key_file or STS_API_KEY")
        #expect(byName["kubernetes API"]?.ok == true)
        let lookup = try #require(byName["kube-state-metrics service kube-system/no-such-service"])
        #expect(!lookup.ok && lookup.steps.last?.detail.hasSuffix("→ 404") == true)
        #expect(byName["leader election lease default/stackbridge"]?.ok == true)
        #expect(ConnectivityCheck.table(results).hasSuffix("8 endpoints checked, 5 failed\n"))
    }

    /// A port whose SYNs go unanswered, as behind a firewall that drops them: a listening socket
    /// with a backlog of 0 whose queue is already full (Linux drops further SYNs rather than
    /// refusing them).
    static func filteredPort() throws -> (port: Int, sockets: [Int32]) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        listen(listener, 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        var sockets = [listener]
        for _ in 0..<3 {
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
            }
            sockets.append(client)
        }
        usleep(200_000)
        return (Int(UInt16(bigEndian: address.sin_port)), sockets)
    }

    @Test func aRefusedPortAndASilentOneAreToldApart() async throws {
        let (port, sockets) = try Self.filteredPort()
        defer { for socket in sockets { close(socket) } }
        let silent = ConnectionProbe.connect("127.0.0.1", port: port, timeout: .seconds(1))
        #expect(!silent.ok)
        #expect(
            silent.detail.contains("no answer within 1.0 seconds: filtered (firewall, security group, NetworkPolicy)"),
            "\(silent)")
        let refused = ConnectionProbe.connect("127.0.0.1", port: try PeerProcess.freePort(), timeout: .seconds(1))
        #expect(refused.detail.hasSuffix("Connection refused: nothing listens on that port"), "\(refused)")
        let results = try await results(
            """
            cluster_name: c
            mode: node
            kubernetes: {api_server: 'http://127.0.0.1:\(try PeerProcess.freePort())'}
            scrape: {static_targets: [{job: silent, url: 'http://127.0.0.1:\(port)/metrics'}]}
            """)
        let target = try #require(results.first { $0.name == "static target silent" })
        #expect(
            target.hint?.hasPrefix(
                "filtered (firewall, security group, NetworkPolicy): no answer from 127.0.0.1:\(port)") == true,
            "\(target)")
    }

    @Test func aProxyIsUsedAndShown() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2"])
        defer { simulator.stop() }
        let proxy = try Tinyproxy()
        defer { proxy.stop() }
        let results = try await results(
            """
            cluster_name: c
            mode: cluster
            kubernetes: {api_server: '\(simulator.url)'}
            scrape:
              static_targets: [{job: proxied, url: '\(simulator.url)/ksm/metrics', proxy_url: '\(proxy.url)'}]
            """)
        let proxied = try #require(results.first { $0.name == "static target proxied" })
        #expect(proxied.ok, "\(ConnectivityCheck.table([proxied]))")
        #expect(proxied.steps[0].detail == "\(proxy.url) (from proxy_url)")
        let proxyPort = proxy.url.split(separator: ":").last.map(String.init) ?? ""
        #expect(proxied.steps[2].detail.hasPrefix("connected to 127.0.0.1:\(proxyPort)"))
        #expect(proxy.log.contains("/ksm/metrics"))
    }

    @Test func theEnvironmentsProxyIsPickedAsLibcurlPicksIt() {
        let environment = [
            "https_proxy": "http://secure-proxy:3128", "http_proxy": "http://plain-proxy:3128",
            "no_proxy": "internal.example, .svc.cluster.local",
        ]
        func pick(_ url: String, _ explicit: String? = nil) -> String? {
            ConnectionProbe.proxy(for: url, explicit: explicit, environment: environment).map {
                "\($0.url) \($0.source)"
            }
        }
        #expect(pick("https://tenant.app.stackstate.io/receiver") == "http://secure-proxy:3128 https_proxy")
        #expect(pick("http://vm:8428/api/v1/write") == "http://plain-proxy:3128 http_proxy")
        #expect(pick("https://api.internal.example/x") == nil)
        #expect(pick("http://ksm.kube-system.svc.cluster.local:8080/metrics") == nil)
        #expect(pick("http://x/", "http://mine:1") == "http://mine:1 proxy_url")
        #expect(
            ConnectionProbe.proxy(for: "http://x/", explicit: nil, environment: ["HTTP_PROXY": "http://p:1"]) == nil)
    }

    @Test func certificateTimesAreRead() {
        let date = ConnectionProbe.expiryDate("Nov  2 07:00:00 2027 GMT")
        #expect(date == Date(timeIntervalSince1970: 1_825_138_800))
        #expect(ConnectionProbe.expiryDate("soon") == nil)
    }
}
