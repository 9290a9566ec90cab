import BridgeSimulator
import Foundation
import Hummingbird
import Synchronization

/// Every Kubernetes API request the simulator answered, by RBAC verb and resource, and for lists by
/// where a real API server would serve them from, so that tests can compare what a client does with
/// what its roles grant and with what a large cluster can afford (`GET /sim/requests`).
public final class APIRequestLog: Sendable {
    /// A request as RBAC sees it: `list`, `watch`, `get`, `create`, `update`, … on `resource` or
    /// `resource.group`, with a subresource as `resource/subresource` (`nodes/proxy`).
    public struct Key: Hashable, Sendable, Comparable {
        /// The RBAC verb.
        public let verb: String
        /// The resource as a ClusterRole names it, with its group after a dot.
        public let resource: String
        /// For a list: `cache` (`resourceVersion=0` or `resourceVersionMatch=NotOlderThan`, served
        /// from the watch cache), `consistent` (no version: served from etcd before Kubernetes 1.34,
        /// reading every object of the kind), `exact` (`resourceVersionMatch=Exact`), `continue` (a
        /// further page); for a watch, `streaming` with `sendInitialEvents=true`; else empty.
        public var list = ""
        /// The field selector's field (`spec.nodeName`), empty without one.
        public var selector = ""

        /// Orders by resource, then verb, then list kind and selector.
        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.resource, lhs.verb, lhs.list, lhs.selector) < (rhs.resource, rhs.verb, rhs.list, rhs.selector)
        }
    }

    private let counts = Mutex<[Key: Int]>([:])

    /// An empty log.
    public init() {}

    /// Counts a request, when it is one to the Kubernetes API; `query` gives a list's kind and selector.
    public func record(method: String, path: String, watch: Bool, query: [String: String] = [:]) {
        guard var key = Self.classify(method: method, path: path, watch: watch) else { return }
        key.list = Self.listKind(verb: key.verb, query: query)
        key.selector = query["fieldSelector"].map { String($0.prefix { $0 != "=" }) } ?? ""
        counts.withLock { $0[key, default: 0] += 1 }
    }

    /// Where a real API server answers a list or watch with `query` from (Kubernetes API concepts,
    /// "Resource versions"; reference/large-clusters.md).
    static func listKind(verb: String, query: [String: String]) -> String {
        switch verb {
        case "watch": return query["sendInitialEvents"] == "true" ? "streaming" : ""
        case "list":
            if let token = query["continue"], !token.isEmpty { return "continue" }
            guard let version = query["resourceVersion"], !version.isEmpty else { return "consistent" }
            return query["resourceVersionMatch"] == "Exact" ? "exact" : "cache"
        default: return ""
        }
    }

    /// The counts so far.
    public var snapshot: [Key: Int] { counts.withLock { $0 } }

    /// The RBAC verb and resource of a request (Kubernetes' request-info rules): a collection is
    /// listed or watched, an object got, created (POST to its collection), updated (PUT), patched or
    /// deleted; nil for paths outside `/api` and `/apis` resources (discovery, `/version`).
    public static func classify(method: String, path: String, watch: Bool) -> Key? {
        var parts = path.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        let group: String
        if parts.first == "api", parts.count >= 3 {
            group = ""
            parts.removeFirst(2)
        } else if parts.first == "apis", parts.count >= 4 {
            group = parts[1]
            parts.removeFirst(3)
        } else {
            return nil
        }
        if parts.first == "namespaces", parts.count >= 3 { parts.removeFirst(2) }
        guard let resource = parts.first else { return nil }
        let name = parts.count >= 2 ? parts[1] : nil
        let subresource = parts.count >= 3 ? parts[2] : nil
        let qualified = (subresource.map { "\(resource)/\($0)" } ?? resource) + (group.isEmpty ? "" : ".\(group)")
        let verb: String
        switch method {
        case "GET", "HEAD": verb = name == nil ? (watch ? "watch" : "list") : "get"
        case "POST": verb = "create"
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name == nil ? "deletecollection" : "delete"
        default: return nil
        }
        return Key(verb: verb, resource: qualified)
    }

    /// `{"requests": [{"verb", "resource", "count"}]}`, sorted.
    public var json: JSONValue {
        .object([
            (
                "requests",
                .array(
                    snapshot.sorted { $0.key < $1.key }.map { key, count in
                        .object([
                            ("verb", .string(key.verb)), ("resource", .string(key.resource)),
                            ("list", .string(key.list)), ("selector", .string(key.selector)), ("count", .int(count)),
                        ])
                    })
            )
        ])
    }
}

/// Records every request in the host's ``APIRequestLog`` before answering it.
struct APIRequestRecording<Context: RequestContext>: RouterMiddleware {
    let log: APIRequestLog

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let parameters = request.uri.queryParameters
        let watch = parameters.get("watch").map { $0 == "1" || $0 == "true" } ?? false
        var query: [String: String] = [:]
        for name in ["continue", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "fieldSelector"] {
            if let value = parameters.get(name) { query[name] = value }
        }
        log.record(method: request.method.rawValue, path: request.uri.path, watch: watch, query: query)
        return try await next(request, context)
    }
}
