import BridgeHTTP
import BridgeKubernetes
import BridgeRemoteWrite
import BridgeScrape
import BridgeStackState
import Foundation

/// `stackbridge check`: every endpoint the configuration makes the bridge talk to — the
/// Kubernetes API, kubelets, kube-state-metrics, static targets, the StackState receiver and
/// remote-write endpoints — taken step by step: the proxy in use, DNS, TCP, TLS (certificate and
/// verification) and one authenticated request, with a hint for the first step that fails
/// (docs/networking.md).
public struct ConnectivityCheck: Sendable {
    /// One endpoint to check.
    public struct Endpoint: Sendable {
        /// What it is (`kubernetes API`, `kubelet node-1`, `stackstate receiver`, …).
        public var name: String
        /// The URL of the request (may carry an API key; shown redacted).
        public var url: String
        /// TLS, token, basic auth and proxy.
        public var security: EndpointSecurity
        /// GET or POST.
        public var method: HTTPRequest.Method = .get
        /// Headers of the request.
        public var headers: [(name: String, value: String)] = []
        /// Body of a POST.
        public var body: [UInt8]?
        /// What a refusal (401/403) most likely means here.
        public var authHint: String
        /// Whether 404 counts as working: an object the bridge creates itself (the Lease).
        public var notFoundIsOK = false
    }

    /// The outcome for one endpoint.
    public struct Result: Sendable, Codable {
        /// The endpoint's name.
        public var name: String
        /// Its URL, secrets redacted.
        public var url: String
        /// Whether every step worked.
        public var ok: Bool
        /// The steps taken, up to the first that failed.
        public var steps: [ConnectionProbe.Step]
        /// What to look at when it failed.
        public var hint: String?
    }

    let client: HTTPClient
    let environment: [String: String]

    /// A check using `client` for the requests and `environment` for proxy variables.
    public init(client: HTTPClient, environment: [String: String]) {
        self.client = client
        self.environment = environment
    }

    /// The endpoints of `bridge`'s configuration; kubelets are found through the node list (the
    /// first three nodes are checked).
    public func endpoints(of bridge: Bridge) async -> [Endpoint] {
        let configuration = bridge.configuration
        let api = bridge.apiServer
        let permission = "the service account or kubeconfig user lacks permission: apply the ClusterRole of deploy/"
        var endpoints = [
            Endpoint(
                name: "kubernetes API", url: api.server + "/api/v1/nodes?limit=3", security: api.security,
                authHint: permission)
        ]
        if let election = bridge.election {
            // Reading the Lease proves the Role is bound; 404 only means no replica has created it yet.
            endpoints.append(
                Endpoint(
                    name: "leader election lease \(election.namespace)/\(election.leaseName)",
                    url: api.server
                        + "/apis/coordination.k8s.io/v1/namespaces/\(election.namespace)/leases/\(election.leaseName)",
                    security: api.security, authHint: permission + " (leases: get, create, update)",
                    notFoundIsOK: true))
        }
        if configuration.mode.scrapesKubelets {
            let nodes = await firstNodes(api)
            let access: KubeletAccess =
                configuration.kubernetes.kubeletAccess == .proxy
                ? .proxy(apiServer: api.server, security: api.security)
                : .direct(
                    port: 10250,
                    security: { () -> EndpointSecurity in
                        var security = api.security
                        security.serverName = nil
                        return security
                    }())
            for node in nodes {
                guard let target = KubeletTargets.make(nodes: [node], access: access, endpoints: [.kubelet]).first
                else { continue }
                endpoints.append(
                    Endpoint(
                        name: "kubelet \(node.name)", url: target.url,
                        security: target.security,
                        authHint: permission + " (nodes/proxy or nodes/metrics)"))
            }
        }
        if configuration.mode != .node {
            var urls = configuration.scrape.kubeStateMetricsURLs
            if let service = configuration.scrape.kubeStateMetricsService {
                let parts = service.split(separator: "/").map(String.init)
                // The lookup itself is an endpoint: a missing Service or a missing permission shows here.
                endpoints.append(
                    Endpoint(
                        name: "kube-state-metrics service \(service)",
                        url: api.server + "/api/v1/namespaces/\(parts[0])/endpoints/\(parts[1])",
                        security: api.security, authHint: permission + " (endpoints)"))
                urls +=
                    (try? await KubeStateMetricsTargets.discover(
                        namespace: parts[0], service: parts[1], apiServer: api.server, security: api.security,
                        client: client)) ?? []
            }
            for url in urls {
                endpoints.append(
                    Endpoint(
                        name: "kube-state-metrics", url: url, security: EndpointSecurity(),
                        authHint: "kube-state-metrics refused the request"))
            }
        }
        for target in configuration.scrape.staticTargets {
            endpoints.append(
                Endpoint(
                    name: "static target \(target.job)", url: target.url, security: target.security,
                    authHint: "check bearer_token_file or basic_auth of the target"))
        }
        if let settings = bridge.stackState {
            var intake = IntakePayload(internalHostname: "stackbridge-check")
            intake.events = [:]
            endpoints.append(
                Endpoint(
                    name: "stackstate receiver", url: settings.endpoint.address("/intake/"),
                    security: settings.endpoint.security, method: .post,
                    headers: [
                        ("sts-api-key", settings.endpoint.apiKey), ("Content-Type", "application/json"),
                    ],
                    body: Array((try? JSONEncoder().encode(intake)) ?? Data()),
                    authHint: "the receiver rejected the API key: check api_key_file or STS_API_KEY"))
        }
        for entry in configuration.remoteWrite {
            endpoints.append(
                Endpoint(
                    name: "remote write", url: entry.endpoint.url, security: entry.endpoint.security, method: .post,
                    headers: entry.endpoint.headers.map { ($0.key, $0.value) } + [
                        ("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf"),
                        ("X-Prometheus-Remote-Write-Version", "0.1.0"),
                    ],
                    body: RemoteWriteBatch().encoded(),
                    authHint: "check bearer_token_file, basic_auth or headers of the remote_write entry"))
        }
        return endpoints
    }

    /// Up to three nodes from the API, for the kubelet checks.
    private func firstNodes(_ api: APIServerConfig) async -> [NodeAddress] {
        struct List: Decodable {
            struct Item: Decodable {
                struct Metadata: Decodable { var name: String }
                struct Status: Decodable {
                    struct Address: Decodable {
                        var type: String
                        var address: String
                    }
                    var addresses: [Address]?
                }
                var metadata: Metadata
                var status: Status?
            }
            var items: [Item]
        }
        let request = HTTPRequest(url: api.server + "/api/v1/nodes?limit=3", security: api.security)
        guard let response = try? await client.execute(request), response.status == 200,
            let list = try? JSONDecoder().decode(List.self, from: Data(response.body))
        else { return [] }
        return list.items.map { item in
            NodeAddress(
                name: item.metadata.name,
                internalIP: item.status?.addresses?.first { $0.type == "InternalIP" }?.address ?? "")
        }
    }

    /// Checks `endpoint` step by step.
    public func check(_ endpoint: Endpoint) async -> Result {
        var steps: [ConnectionProbe.Step] = []
        func result(_ hint: String?) -> Result {
            Result(
                name: endpoint.name, url: RedactedURL.string(endpoint.url), ok: hint == nil, steps: steps, hint: hint)
        }
        guard let target = HostAndPort(url: endpoint.url) else {
            steps.append(.init("url", ok: false, "not an http(s) URL"))
            return result("fix the URL in the configuration")
        }
        let proxy = ConnectionProbe.proxy(
            for: endpoint.url, explicit: endpoint.security.proxyURL, environment: environment)
        let hop = proxy.flatMap { HostAndPort(url: $0.url) } ?? target
        steps.append(
            .init(
                "proxy", ok: true,
                proxy.map { "\(RedactedURL.string($0.url)) (from \($0.source))" } ?? "none (direct connection)"))
        let dns = await Self.blocking { ConnectionProbe.resolve(hop.host) }
        steps.append(dns)
        guard dns.ok else {
            return result(
                proxy == nil
                    ? "\(hop.host) does not resolve: check the name and that this pod may reach DNS (53/UDP and TCP); compare with `dig +short \(hop.host)` (docs/networking.md)"
                    : "the proxy's host \(hop.host) does not resolve: check proxy_url or the *_proxy variables")
        }
        let tcp = await Self.blocking { ConnectionProbe.connect(hop.host, port: hop.port) }
        steps.append(tcp)
        guard tcp.ok else {
            if proxy != nil {
                return result(
                    "the proxy \(hop.host):\(hop.port) is not reachable: egress to it blocked, or the proxy is down")
            }
            if tcp.detail.contains(ConnectionProbe.nothingListens) {
                return result(
                    "nothing listens on \(hop.host):\(hop.port): the host answered and refused; check the port, and "
                        + "that the server runs and listens on that address")
            }
            if tcp.detail.contains(ConnectionProbe.noAnswer) {
                return result(
                    "\(ConnectionProbe.filtered): no answer from \(hop.host):\(hop.port); egress to \(hop.port)/TCP "
                        + "must be allowed (docs/networking.md)")
            }
            return result(
                "egress to \(hop.port)/TCP blocked? A firewall, security group or NetworkPolicy must allow it (docs/networking.md)"
            )
        }
        if endpoint.url.lowercased().hasPrefix("https:") {
            let (url, security, proxyURL) = (endpoint.url, endpoint.security, proxy?.url)
            let tls = await Self.blocking { ConnectionProbe.tls(url, security: security, proxy: proxyURL) }
            steps.append(tls)
            guard tls.ok else {
                if tls.detail.hasSuffix("EXPIRED") { return result("the server's certificate expired: renew it") }
                if tls.detail.contains("verification failed") {
                    return result(
                        "the certificate is not trusted: set ca_file to the CA that issued it (or server_name when it was issued for another name); see docs/networking.md, \"Custom CA\""
                    )
                }
                return result(
                    proxy == nil
                        ? "TLS handshake failed: is this port TLS, and does the server require a client certificate (cert_file, key_file)?"
                        : "TLS through the proxy failed: does the proxy allow CONNECT to port \(target.port)?")
            }
        }
        let request = HTTPRequest(
            url: endpoint.url, method: endpoint.method, headers: endpoint.headers, body: endpoint.body,
            timeout: .seconds(15), maxBodyBytes: 1 << 20, security: endpoint.security)
        let path = String(RedactedURL.string(endpoint.url).drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
        do {
            let response = try await client.execute(request)
            let line = "\(endpoint.method == .post ? "POST" : "GET") \(path) → \(response.status)"
            let ok = response.status < 400 || (endpoint.notFoundIsOK && response.status == 404)
            steps.append(.init("http", ok: ok, line + (ok && response.status == 404 ? " (not created yet)" : "")))
            guard ok else { return result(Self.hint(status: response.status, endpoint: endpoint)) }
        } catch {
            steps.append(.init("http", ok: false, "\(error)"))
            return result("the request failed after the connection worked: \(error.kind.rawValue)")
        }
        return result(nil)
    }

    /// Runs `work` (blocking name resolution, `poll`, a synchronous libcurl handshake) on a thread
    /// of its own, so it never holds one of the few threads of Swift's cooperative pool.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    static func hint(status: Int, endpoint: Endpoint) -> String {
        switch status {
        case 401, 403: endpoint.authHint
        case 404:
            "the path was not found: check the URL"
                + (endpoint.name.hasPrefix("stackstate") ? " (it ends in /receiver/stsAgent)" : "")
        case 407: "the proxy requires authentication: put user:password in proxy_url"
        case 500...: "the endpoint answers but fails (\(status)); look at its logs"
        default: "the endpoint refused the request (\(status))"
        }
    }

    /// Every endpoint's result, one after another.
    public func run(_ endpoints: [Endpoint]) async -> [Result] {
        var results: [Result] = []
        for endpoint in endpoints { results.append(await check(endpoint)) }
        return results
    }

    /// The results for a person: one block per endpoint, its steps indented, then a summary.
    public static func table(_ results: [Result]) -> String {
        var lines: [String] = []
        for result in results {
            lines.append("\(result.ok ? "ok  " : "FAIL") \(result.name)  \(result.url)")
            for step in result.steps {
                lines.append(
                    "       \(step.name.padding(toLength: 6, withPad: " ", startingAt: 0))\(step.ok ? "" : "FAIL ")\(step.detail)"
                )
            }
            if let hint = result.hint { lines.append("       hint: \(hint)") }
        }
        let failed = results.filter { !$0.ok }.count
        lines.append("\(results.count) endpoints checked, \(failed) failed")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The results for scripts.
    public static func json(_ results: [Result]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(results)) ?? Data(), as: UTF8.self) + "\n"
    }
}
