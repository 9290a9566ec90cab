import BridgeCore
import BridgeTopology
import Foundation
import Hummingbird
import Logging

/// The bridge's HTTP endpoints (DESIGN.md, "Contracts"): `/metrics` for StackLight, `/telemetry`
/// for the bridge's own metrics, `/healthz`, `/readyz`, `/api/v1/topology` and (node agents with
/// `processes.enabled`) `/api/v1/processes`; and Prometheus'
/// management API: `/-/healthy`, `/-/ready` and `POST /-/reload`. Every GET route answers HEAD
/// too, with the same status and headers and no body.
public enum ExpositionServer {
    /// Everything the routes read.
    public struct Sources: Sendable {
        /// The enriched series.
        public var snapshot: ExpositionSnapshot
        /// The bridge's own metrics, produced on request.
        public var telemetry: @Sendable () -> MetricBatch
        /// The topology.
        public var topology: TopologySource
        /// Readiness conditions.
        public var readiness: Readiness
        /// Told the negotiated format of each `/metrics` request, for the bridge's own metrics.
        public var onExposure: @Sendable (ExpositionFormat) -> Void
        /// Whether `/metrics` serves the series: false on a standby replica (leader election), which
        /// answers with an empty exposition so that StackLight sees each series once.
        public var serving: @Sendable () -> Bool
        /// Reloads the configuration for `POST /-/reload`, answering nil or why it failed; nil
        /// when the lifecycle API is off (`server.enable_lifecycle`), which answers 403.
        public var reload: (@Sendable () async -> String?)?
        /// The node collector's reports for `GET /api/v1/processes`; nil when process collection
        /// is off here (`processes.enabled`, node mode), which answers 404.
        public var processes: ProcessReportCache?

        /// Collects the sources.
        public init(
            snapshot: ExpositionSnapshot, telemetry: @escaping @Sendable () -> MetricBatch, topology: TopologySource,
            readiness: Readiness, onExposure: @escaping @Sendable (ExpositionFormat) -> Void = { _ in },
            serving: @escaping @Sendable () -> Bool = { true }, reload: (@Sendable () async -> String?)? = nil,
            processes: ProcessReportCache? = nil
        ) {
            self.processes = processes
            self.reload = reload
            self.onExposure = onExposure
            self.serving = serving
            self.snapshot = snapshot
            self.telemetry = telemetry
            self.topology = topology
            self.readiness = readiness
        }
    }

    /// Responses are written in pieces of this size, so a large body goes out as it is copied.
    static let chunkSize = 1 << 20

    /// The router with every route; with `users` (name to bcrypt hash), every route but the probes
    /// asks for basic authentication. Middleware must come before the routes in Hummingbird 2.
    public static func router(_ sources: Sources, users: [String: String] = [:]) -> Router<BasicRequestContext> {
        let router = Router()
        if !users.isEmpty { router.add(middleware: BasicAuthentication(users: users)) }
        getAndHead(router, "/metrics") { request, _ in
            let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
            let gzip = acceptsGzip(request.headers[.acceptEncoding])
            sources.onExposure(format)
            guard sources.serving() else {
                var body: [UInt8] = []
                ExpositionWriter(format: format).emit(MetricBatch([]), into: &body)
                return exposition(body, format: format, gzip: false)
            }
            return exposition(sources.snapshot.render(format, gzip: gzip), format: format, gzip: gzip)
        }
        getAndHead(router, "/telemetry") { request, _ in
            let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
            var body: [UInt8] = []
            ExpositionWriter(format: format).emit(sources.telemetry(), into: &body)
            return exposition(body, format: format, gzip: false)
        }
        let healthy: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in text("ok\n") }
        let ready: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            let missing = sources.readiness.missing
            return missing.isEmpty
                ? text("ready\n")
                : text("not ready: " + missing.joined(separator: ", ") + "\n", status: .serviceUnavailable)
        }
        getAndHead(router, "/healthz", healthy)
        getAndHead(router, "/readyz", ready)
        // Prometheus' names for the same probes, so that checks written for it work unchanged.
        getAndHead(router, "/-/healthy", healthy)
        getAndHead(router, "/-/ready", ready)
        // POST and PUT, as Prometheus 2.42 routes it; 403 with its text when the lifecycle API
        // is off, 500 with the reason when the file does not load.
        let reload: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            guard let reload = sources.reload else {
                return text("Lifecycle API is not enabled.\n", status: .forbidden)
            }
            if let failure = await reload() {
                return text("failed to reload config: \(failure)\n", status: .internalServerError)
            }
            return text("")
        }
        router.post("/-/reload", use: reload)
        router.put("/-/reload", use: reload)
        getAndHead(router, "/api/v1/topology") { request, _ in
            guard let topology = sources.topology.topology else {
                return text(
                    "the topology is not available yet: not every watched resource has listed once\n",
                    status: .serviceUnavailable)
            }
            return topologyResponse(topology, query: request.uri.queryParameters)
        }
        getAndHead(router, "/api/v1/processes") { _, _ in
            guard let cache = sources.processes else {
                return text(
                    "process collection is off here: it runs in node mode with processes.enabled\n",
                    status: .notFound)
            }
            guard let body = cache.latest else {
                return text("the first walk of /proc has not finished yet\n", status: .serviceUnavailable)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        return router
    }

    /// Routes GET and HEAD of `path` to `handler`; the server leaves the body out of a HEAD answer.
    static func getAndHead(
        _ router: Router<BasicRequestContext>, _ path: RouterPath,
        _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
    ) {
        router.get(path, use: handler)
        router.head(path, use: handler)
    }

    /// Whether `Accept-Encoding` allows gzip (`gzip`, `x-gzip` or `*`, without `q=0`).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = fields.first, ["gzip", "x-gzip", "*"].contains(coding) else { continue }
            let weight = fields.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            if weight > 0 { return true }
        }
        return false
    }

    static func exposition(_ body: [UInt8], format: ExpositionFormat, gzip: Bool) -> Response {
        var headers: HTTPFields = [.contentType: format.contentType]
        if gzip { headers[.contentEncoding] = "gzip" }
        headers[.contentLength] = String(body.count)
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var offset = 0
                while offset < body.count {
                    let end = min(body.count, offset + chunkSize)
                    try await writer.write(ByteBuffer(bytes: body[offset..<end]))
                    offset = end
                }
                try await writer.finish(nil)
            })
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The whole graph, a neighbourhood (`component` and `depth`), a component action
    /// (`component` and `action`: pods, dependencies, configuration), a namespace view
    /// (`namespace` and `view`) or a cluster view (`view`).
    static func topologyResponse(_ topology: Topology, query: Parameters) -> Response {
        var result: Topology? = topology
        let depth = query.get("depth").flatMap { Int($0) }
        if let component = query.get("component") {
            switch query.get("action") {
            case nil: result = topology.neighbourhood(of: component, depth: min(6, max(0, depth ?? 1)))
            case "pods": result = topology.pods(of: component)
            case "dependencies": result = topology.dependencies(of: component, depth: min(6, max(1, depth ?? 6)))
            case "configuration": result = topology.configurationAndStorage(of: component)
            case let other?:
                return text(
                    "action: invalid value \"\(other)\" (expected pods, dependencies or configuration)\n",
                    status: .badRequest)
            }
            guard result != nil else {
                return text("component \(component) is not in the topology\n", status: .notFound)
            }
        } else if let name = query.get("view") {
            if let namespace = query.get("namespace") {
                guard let view = NamespaceView(rawValue: name) else {
                    return text(
                        "view: invalid value \"\(name)\" (expected \(NamespaceView.allCases.map(\.rawValue).joined(separator: ", ")))\n",
                        status: .badRequest)
                }
                result = topology.namespaceView(namespace, view)
            } else {
                guard let view = ClusterView(rawValue: name) else {
                    return text(
                        "view: invalid value \"\(name)\" (expected \(ClusterView.allCases.map(\.rawValue).joined(separator: ", ")))\n",
                        status: .badRequest)
                }
                result = topology.view(view)
            }
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: result?.json() ?? [])))
    }
}
