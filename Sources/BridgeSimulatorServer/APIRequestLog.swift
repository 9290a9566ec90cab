import BridgeSimulator
import Foundation
import Hummingbird
import Synchronization

/// Every Kubernetes API request the simulator answered, by RBAC verb and resource, so that tests
/// can compare what a client does with what its roles grant (`GET /sim/requests`).
public final class APIRequestLog: Sendable {
    /// A request as RBAC sees it: `list`, `watch`, `get`, `create`, `update`, … on `resource` or
    /// `resource.group`, with a subresource as `resource/subresource` (`nodes/proxy`).
    public struct Key: Hashable, Sendable, Comparable {
        /// The RBAC verb.
        public let verb: String
        /// The resource as a ClusterRole names it, with its group after a dot.
        public let resource: String

        /// Orders by resource, then verb.
        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.resource, lhs.verb) < (rhs.resource, rhs.verb)
        }
    }

    private let counts = Mutex<[Key: Int]>([:])

    /// An empty log.
    public init() {}

    /// Counts a request, when it is one to the Kubernetes API.
    public func record(method: String, path: String, watch: Bool) {
        guard let key = Self.classify(method: method, path: path, watch: watch) else { return }
        counts.withLock { $0[key, default: 0] += 1 }
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
                            ("verb", .string(key.verb)), ("resource", .string(key.resource)), ("count", .int(count)),
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
        let watch = request.uri.queryParameters.get("watch").map { $0 == "1" || $0 == "true" } ?? false
        log.record(method: request.method.rawValue, path: request.uri.path, watch: watch)
        return try await next(request, context)
    }
}
