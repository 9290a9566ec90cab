import BridgeCore
import BridgeHTTP
import Foundation

/// kube-state-metrics targets: given URLs, or every address of a Service's Endpoints.
///
/// With sharding (`--shard`, `--total-shards`) every shard exposes a disjoint part of the objects,
/// and a pod and its ReplicaSet may sit on different shards, so all of them are scraped.
public enum KubeStateMetricsTargets {
    /// One target per URL; series get no extra labels (shards never expose the same object).
    public static func make(urls: [String], template: ScrapeTarget = ScrapeTarget(job: "kube-state-metrics", url: ""))
        -> [ScrapeTarget]
    {
        urls.map { url in
            var target = template
            target.url = url
            target.instance = HostAndPortText.authority(of: url)
            return target
        }
    }

    /// The metrics URLs of every ready address of Service `namespace/name`, read from its Endpoints
    /// object. The port named `http-metrics` (kube-state-metrics' manifests) is preferred, then
    /// `http`, then the first port.
    public static func discover(
        namespace: String,
        service: String,
        apiServer: String,
        security: EndpointSecurity,
        client: HTTPClient
    ) async throws -> [String] {
        let base = apiServer.hasSuffix("/") ? String(apiServer.dropLast()) : apiServer
        let url = "\(base)/api/v1/namespaces/\(namespace)/endpoints/\(service)"
        let response = try await client.execute(
            HTTPRequest(url: url, headers: [("Accept", "application/json")], security: security)
        ).requireSuccess(url: url)
        let endpoints: EndpointsObject
        do {
            endpoints = try JSONDecoder().decode(EndpointsObject.self, from: Data(response.body))
        } catch {
            throw HTTPError(kind: .other, url: url, detail: "not a valid Endpoints object: \(error)")
        }
        var urls: [String] = []
        for subset in endpoints.subsets ?? [] {
            let ports = subset.ports ?? []
            let port = ports.first { $0.name == "http-metrics" } ?? ports.first { $0.name == "http" } ?? ports.first
            guard let port else { continue }
            for address in subset.addresses ?? [] {
                let host = address.ip.contains(":") ? "[\(address.ip)]" : address.ip
                urls.append("http://\(host):\(port.port)/metrics")
            }
        }
        return urls.sorted()
    }

    /// The fields of a core/v1 Endpoints object that discovery reads.
    struct EndpointsObject: Decodable {
        struct Subset: Decodable {
            struct Address: Decodable {
                let ip: String
            }
            struct Port: Decodable {
                let name: String?
                let port: Int
            }
            let addresses: [Address]?
            let ports: [Port]?
        }
        let subsets: [Subset]?
    }
}
