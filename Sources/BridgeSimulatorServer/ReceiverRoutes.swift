import BridgeHTTP
import BridgeSimulator
import Foundation
import Hummingbird

/// The simulated StackState receiver under `/receiver/stsAgent/`: intake bodies are checked
/// for the API key (query and `sts-api-key` header), decompressed (gzip or deflate) and validated
/// strictly by ``SimulatedStackStateReceiver``, as are series at `/receiver/stsAgent/api/v1/series`;
/// `GET /receiver/stsAgent/received` says what arrived.
public enum ReceiverRoutes {
    /// Registers the receiver routes; requests must carry `apiKey`.
    public static func register(
        _ router: Router<BasicRequestContext>, double: SimulatedStackStateReceiver, apiKey: String
    ) {
        let problems = ProblemLog()
        // Hummingbird matches `/intake` and `/intake/` alike; the agent uses both (reference §1).
        let routes: [(String, @Sendable (Data) -> [String])] = [
            ("/receiver/stsAgent/intake", { double.receive($0) }),
            ("/receiver/stsAgent/api/v1/series", { double.receiveSeries($0) }),
        ]
        for (path, receive) in routes {
            router.post(RouterPath(path)) { request, _ -> Response in
                guard request.uri.queryParameters.get("api_key") == apiKey,
                    request.headers[.init("sts-api-key")!] == apiKey
                else { return text("invalid API key\n", .forbidden) }
                let buffer = try await request.body.collect(upTo: 64 << 20)
                var bytes = [UInt8](buffer: buffer)
                if let encoding = request.headers[.contentEncoding], ["gzip", "deflate"].contains(encoding) {
                    guard let plain = Gzip.decompress(bytes) else {
                        return text("body is not \(encoding)\n", .badRequest)
                    }
                    bytes = plain
                }
                let found = receive(Data(bytes))
                problems.append(found)
                return found.isEmpty ? text("ok\n", .ok) : text(found.joined(separator: "\n") + "\n", .badRequest)
            }
        }
        // The process agent's endpoints: the key in `sts-api-key` only, the body framed and
        // zstd-compressed (`content-encoding: x-zip`), checked by the double.
        for endpoint in ["collector", "connections"] {
            let path = "/api/v1/\(endpoint)"
            router.post(RouterPath("/receiver/stsAgent" + path)) { request, _ -> Response in
                guard request.headers[.init("sts-api-key")!] == apiKey else {
                    return text("invalid API key\n", .forbidden)
                }
                let buffer = try await request.body.collect(upTo: 16 << 20)
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                let found = double.receiveProcessAgent([UInt8](buffer: buffer), path: path, headers: headers)
                problems.append(found)
                return found.isEmpty ? text("", .accepted) : text(found.joined(separator: "\n") + "\n", .badRequest)
            }
        }
        // `?brief=1`: counts only, without the lists (at 150,000 pods the components alone are
        // tens of megabytes).
        router.get("/receiver/stsAgent/received") { request, _ -> Response in
            if request.uri.queryParameters.get("brief") == "1" {
                let counts: [String: Any] = [
                    "snapshots": double.snapshots, "components": double.components.count,
                    "relations": double.relations.count, "deleted": double.deleted.count,
                    "problems": problems.all.count, "topology_chunks": double.topologyChunks,
                    "largest_chunk": double.largestChunk, "series": double.seriesCount,
                    "abandoned_snapshots": double.abandonedSnapshots,
                ]
                let data = (try? JSONSerialization.data(withJSONObject: counts, options: [.sortedKeys])) ?? Data()
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
            }
            let summary: [String: Any] = [
                "snapshots": double.snapshots, "abandoned_snapshots": double.abandonedSnapshots,
                "components": double.components.sorted(),
                "relations": double.relations.count, "deleted": double.deleted, "problems": problems.all,
                "health_snapshots": double.healthSnapshots, "health": double.health,
                "events": double.events.map { ["category": $0.category, "elements": $0.elements, "title": $0.title] },
                "series": double.seriesCount, "series_tags": double.seriesTags,
                "process_agent_posts": double.processAgentPosts, "agent_processes": double.agentProcesses.sorted(),
                "agent_connections": double.agentConnections,
                "relations_by_type": double.relationTypes,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])) ?? Data()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    static func text(_ text: String, _ status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Problems found in received payloads, for the summary.
final class ProblemLog: @unchecked Sendable {
    private let lock = NSLock()
    private var problems: [String] = []

    func append(_ found: [String]) {
        lock.lock()
        problems += found
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return problems
    }
}
