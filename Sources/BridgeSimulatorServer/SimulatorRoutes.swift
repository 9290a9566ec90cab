import BridgeSimulator
import Foundation
import Hummingbird

/// Maps the Kubernetes API, the kubelet proxy paths and kube-state-metrics onto the host.
public enum SimulatorRoutes {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let bytes = (try? JSONEncoder().encode(value)) ?? Data()
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    static func text(_ text: String, contentType: String = "text/plain; version=0.0.4; charset=utf-8") -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func status(_ code: Int, _ reason: String, _ message: String) -> Response {
        json(
            .object([
                ("kind", "Status"), ("apiVersion", "v1"), ("status", "Failure"), ("message", .string(message)),
                ("reason", .string(reason)), ("code", .int(code)),
            ]),
            status: HTTPResponse.Status(code: code)
        )
    }

    /// Registers every route on `router`; `advertised` is the address discovery reports to clients.
    public static func register(_ router: Router<BasicRequestContext>, host: SimulatorHost, advertised: String) {
        router.add(middleware: APIRequestRecording(log: host.requests))
        router.get("/sim/requests") { _, _ in json(host.requests.json) }
        // Restarts the simulated API server with its history reset after `churn` unseen changes.
        router.post("/sim/restart") { request, _ in
            await host.restart(unseenChurn: request.uri.queryParameters.get("churn").flatMap { Int($0) } ?? 0)
            return json(.object([("resourceVersion", .int(await host.resourceVersion))]))
        }
        router.get("/version") { _, _ in
            json(
                .object([
                    ("major", "1"), ("minor", "29"), ("gitVersion", "v1.29.4-stackbridge-sim"),
                    ("platform", "linux/amd64"),
                ]))
        }
        for path in ["/healthz", "/livez", "/readyz"] {
            router.get(RouterPath(path)) { _, _ in text("ok", contentType: "text/plain") }
        }
        router.get("/api") { _, _ in
            json(
                .object([
                    ("kind", "APIVersions"), ("versions", .array(["v1"])),
                    (
                        "serverAddressByClientCIDRs",
                        .array([.object([("clientCIDR", "0.0.0.0/0"), ("serverAddress", .string(advertised))])])
                    ),
                ])
            )
        }
        router.get("/apis") { _, _ in json(APIResource.groups) }
        router.get("/api/v1") { _, _ in json(APIResource.discovery(groupVersion: "v1")!) }
        router.get("/apis/:group/:version") { _, context in
            let groupVersion = "\(context.parameters.get("group") ?? "")/\(context.parameters.get("version") ?? "")"
            return APIResource.discovery(groupVersion: groupVersion).map { json($0) }
                ?? status(404, "NotFound", "the server could not find the requested resource")
        }
        router.get("/ksm/metrics") { _, _ in text(host.cluster.kubeStateMetrics()) }
        // kube-state-metrics sharded: shard k of n by UID, as `--shard=k --total-shards=n` or an
        // auto-sharded StatefulSet of n replicas serves it, with its telemetry (the ordinal and
        // count it exposes on its telemetry port); and per node, as `--resources=pods --node=<name>`.
        router.get("/ksm/shard/:ordinal/of/:total/:endpoint") { _, context in
            guard let ordinal = context.parameters.get("ordinal").flatMap({ Int($0) }),
                let total = context.parameters.get("total").flatMap({ Int($0) }),
                let shard = KubeStateMetricsShard(ordinal: ordinal, total: total)
            else { return status(404, "NotFound", "no such shard: the ordinal must be below the total") }
            return kubeStateMetricsShard(shard, context.parameters.get("endpoint"), host: host)
        }
        // An auto-sharded StatefulSet (`--pod`, `--pod-namespace`): replica k serves shard k of the
        // current replica count and rebuilds when it changes; a replica scaled away is gone (503).
        // `POST /sim/ksm/replicas?count=N` scales it.
        router.get("/ksm/statefulset/:ordinal/:endpoint") { _, context in
            let replicas = await host.kubeStateMetricsReplicas
            guard let ordinal = context.parameters.get("ordinal").flatMap({ Int($0) }),
                let shard = KubeStateMetricsShard(ordinal: ordinal, total: replicas)
            else { return status(503, "ServiceUnavailable", "no such replica of \(replicas)") }
            return kubeStateMetricsShard(shard, context.parameters.get("endpoint"), host: host)
        }
        router.post("/sim/churn") { request, _ in
            await host.setChurn(perSecond: request.uri.queryParameters.get("rate").flatMap { Double($0) } ?? 0)
            return json(.object([("rate", .string(String(await host.churnRate)))]))
        }
        router.post("/sim/ksm/replicas") { request, _ in
            await host.scaleKubeStateMetrics(
                to: request.uri.queryParameters.get("count").flatMap { Int($0) } ?? 2)
            return json(.object([("replicas", .int(await host.kubeStateMetricsReplicas))]))
        }
        router.get("/ksm/node/:node/metrics") { _, context in
            let node = context.parameters.get("node") ?? ""
            guard host.cluster.state.nodes[node] != nil else {
                return status(404, "NotFound", "nodes \"\(node)\" not found")
            }
            return text(host.cluster.kubeStateMetrics(.node(node)))
        }
        // kube-state-metrics as its Service would be found: the Endpoints of
        // kube-system/kube-state-metrics (CollectionRoutes) name this server, whose /metrics is it.
        router.get("/metrics") { _, _ in text(host.cluster.kubeStateMetrics()) }
        for endpoint in ["metrics/cadvisor", "metrics/resource", "metrics/probes", "metrics"] {
            router.get(RouterPath("/api/v1/nodes/:node/proxy/\(endpoint)")) { _, context in
                let node = context.parameters.get("node") ?? ""
                guard host.cluster.state.nodes[node] != nil else {
                    return status(404, "NotFound", "nodes \"\(node)\" not found")
                }
                switch endpoint {
                case "metrics/cadvisor": return text(host.cluster.cadvisor(node: node))
                default:
                    return text(
                        "# HELP kubelet_node_name The node's name.\n# TYPE kubelet_node_name gauge\nkubelet_node_name{node=\"\(node)\"} 1\n"
                    )
                }
            }
        }
        // A node agent's process report, reached as the leader reaches it: through the API
        // server's node proxy to the agent's port (`/api/v1/nodes/<node>:<port>/proxy/…`).
        router.get("/api/v1/nodes/:node/proxy/api/v1/processes") { _, context in
            let node = String((context.parameters.get("node") ?? "").split(separator: ":").first ?? "")
            guard host.cluster.state.nodes[node] != nil else {
                return status(404, "NotFound", "nodes \"\(node)\" not found")
            }
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            let report = host.cluster.processReport(node: node, at: now)
            let body = (try? JSONEncoder().encode(report)) ?? Data()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        CollectionRoutes.register(router, host: host)
    }
}

extension SimulatorRoutes {
    /// One kube-state-metrics shard's `metrics` or `telemetry` endpoint.
    static func kubeStateMetricsShard(_ shard: KubeStateMetricsShard, _ endpoint: String?, host: SimulatorHost)
        -> Response
    {
        switch endpoint {
        case "metrics": text(host.cluster.kubeStateMetrics(.shard(shard)))
        case "telemetry": text(kubeStateMetricsTelemetry(shard))
        default: status(404, "NotFound", "metrics or telemetry")
        }
    }

    /// kube-state-metrics' sharding self-metrics, as its telemetry port serves them
    /// (kubernetes/kube-state-metrics#1344): the ordinal as a label and a value, and the count.
    static func kubeStateMetricsTelemetry(_ shard: KubeStateMetricsShard) -> String {
        """
        # HELP kube_state_metrics_shard_ordinal Current sharding ordinal/index of this instance
        # TYPE kube_state_metrics_shard_ordinal gauge
        kube_state_metrics_shard_ordinal{shard_ordinal="\(shard.ordinal)"} \(shard.ordinal)
        # HELP kube_state_metrics_total_shards Number of total shards this instance is aware of
        # TYPE kube_state_metrics_total_shards gauge
        kube_state_metrics_total_shards \(shard.total)

        """
    }

    /// The Endpoints of kube-system/kube-state-metrics: the address and port `request` reached
    /// this server on, whose `/metrics` serves kube-state-metrics.
    static func kubeStateMetricsEndpoints(_ request: Request) -> Response {
        let authority = request.head.authority ?? "127.0.0.1:80"
        let host = authority.split(separator: ":").dropLast().joined(separator: ":")
        let port = Int(authority.split(separator: ":").last ?? "") ?? 80
        return json(
            .object([
                ("kind", "Endpoints"), ("apiVersion", "v1"),
                ("metadata", .object([("name", "kube-state-metrics"), ("namespace", "kube-system")])),
                (
                    "subsets",
                    .array([
                        .object([
                            ("addresses", .array([.object([("ip", .string(host.isEmpty ? "127.0.0.1" : host))])])),
                            ("ports", .array([.object([("name", "http-metrics"), ("port", .int(port))])])),
                        ])
                    ])
                ),
            ]))
    }
}
