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
        CollectionRoutes.register(router, host: host)
    }
}
