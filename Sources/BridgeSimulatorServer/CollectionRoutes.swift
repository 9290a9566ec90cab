import BridgeSimulator
import Foundation
import Hummingbird

/// List, watch and get of every resource, cluster-wide and per namespace, core and grouped.
enum CollectionRoutes {
    static func register(_ router: Router<BasicRequestContext>, host: SimulatorHost) {
        registerWrites(router, host: host)
        // The router matches static segments first and does not backtrack, so the collections whose
        // names also start longer static paths (node proxy, namespaced resources) get routes of their own.
        // Parameter names must match those of the longer routes that share the prefix.
        for (name, parameter) in [("nodes", "node"), ("namespaces", "namespace")] {
            router.get(RouterPath("/api/v1/\(name)")) { request, _ in
                await collection(request, resource: name, group: "", namespace: nil, host: host)
            }
            router.get(RouterPath("/api/v1/\(name)/:\(parameter)")) { _, context in
                await object(
                    resource: name, group: "", namespace: nil, name: context.parameters.get(parameter), host: host)
            }
        }
        router.get("/api/v1/:resource") { request, context in
            await collection(
                request, resource: context.parameters.get("resource"), group: "", namespace: nil, host: host)
        }
        router.get("/api/v1/:resource/:name") { _, context in
            await object(
                resource: context.parameters.get("resource"), group: "", namespace: nil,
                name: context.parameters.get("name"), host: host)
        }
        router.get("/api/v1/namespaces/:namespace/:resource") { request, context in
            await collection(
                request, resource: context.parameters.get("resource"), group: "",
                namespace: context.parameters.get("namespace"), host: host)
        }
        router.get("/api/v1/namespaces/:namespace/:resource/:name") { request, context in
            if context.parameters.get("namespace") == "kube-system", context.parameters.get("resource") == "endpoints",
                context.parameters.get("name") == "kube-state-metrics"
            {
                return SimulatorRoutes.kubeStateMetricsEndpoints(request)
            }
            return await object(
                resource: context.parameters.get("resource"), group: "", namespace: context.parameters.get("namespace"),
                name: context.parameters.get("name"), host: host)
        }
        router.get("/apis/:group/:version/:resource") { request, context in
            await collection(
                request, resource: context.parameters.get("resource"), group: context.parameters.get("group") ?? "",
                namespace: nil, host: host)
        }
        router.get("/apis/:group/:version/namespaces/:namespace/:resource") { request, context in
            await collection(
                request, resource: context.parameters.get("resource"), group: context.parameters.get("group") ?? "",
                namespace: context.parameters.get("namespace"), host: host)
        }
        router.get("/apis/:group/:version/namespaces/:namespace/:resource/:name") { request, context in
            if let lease = await lease(request, context, host: host) { return lease }
            return await object(
                resource: context.parameters.get("resource"), group: context.parameters.get("group") ?? "",
                namespace: context.parameters.get("namespace"), name: context.parameters.get("name"), host: host)
        }
    }

    /// Leases are the one writable kind: POST to the collection, GET and PUT of one lease.
    static func registerWrites(_ router: Router<BasicRequestContext>, host: SimulatorHost) {
        router.post("/apis/:group/:version/namespaces/:namespace/:resource") { request, context in
            await lease(request, context, host: host)
                ?? SimulatorRoutes.status(405, "MethodNotAllowed", "the simulator only lets clients write leases")
        }
        router.put("/apis/:group/:version/namespaces/:namespace/:resource/:name") { request, context in
            await lease(request, context, host: host)
                ?? SimulatorRoutes.status(405, "MethodNotAllowed", "the simulator only lets clients write leases")
        }
    }

    /// The answer when the request is about leases, else nil.
    static func lease(_ request: Request, _ context: BasicRequestContext, host: SimulatorHost) async -> Response? {
        guard context.parameters.get("group") == "coordination.k8s.io", context.parameters.get("version") == "v1",
            context.parameters.get("resource") == "leases", let namespace = context.parameters.get("namespace")
        else { return nil }
        let body = (try? await request.body.collect(upTo: 1 << 20)).map { Data(buffer: $0) } ?? Data()
        let answer = await host.lease(
            method: request.method.rawValue, namespace: namespace, name: context.parameters.get("name"), body: body)
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    static func object(
        resource name: String?, group: String, namespace: String?, name objectName: String?, host: SimulatorHost
    ) async -> Response {
        guard let name, let resource = APIResource.find(group: group, name: name), let objectName,
            let object = await host.get(resource.qualified, namespace: namespace, name: objectName)
        else {
            return SimulatorRoutes.status(404, "NotFound", "\(name ?? "resource") \"\(objectName ?? "")\" not found")
        }
        return SimulatorRoutes.json(object.json)
    }

    /// The 422 a Kubernetes API server gives a watch whose options do not validate: a streaming
    /// list where the WatchList feature is off, or without `resourceVersionMatch=NotOlderThan` and
    /// bookmarks, and `resourceVersionMatch` on a plain watch (apimachinery's ListOptions validation).
    static func refusal(streaming: Bool, query: Parameters, host: SimulatorHost) async -> Response? {
        let match = query.get("resourceVersionMatch")
        let problem: String? =
            if streaming && !host.offersStreamingLists {
                "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled"
            } else if streaming && match != "NotOlderThan" {
                "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
            } else if streaming && query.get("allowWatchBookmarks") != "true" {
                "allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true"
            } else if !streaming && match != nil {
                "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch"
            } else {
                nil
            }
        return problem.map { SimulatorRoutes.status(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: \($0)") }
    }

    static func collection(
        _ request: Request, resource name: String?, group: String, namespace: String?, host: SimulatorHost
    ) async -> Response {
        guard let name, let resource = APIResource.find(group: group, name: name) else {
            return SimulatorRoutes.status(404, "NotFound", "the server could not find the requested resource")
        }
        let query = request.uri.queryParameters
        // The field selectors the bridge uses: a pod's node, an object's name. The API server knows
        // more fields per kind and refuses the rest with 400.
        var nodeName: String?
        var objectName: String?
        if let selector = query.get("fieldSelector"), !selector.isEmpty {
            if selector.hasPrefix("spec.nodeName="), resource.name == "pods" {
                nodeName = String(selector.dropFirst("spec.nodeName=".count))
            } else if selector.hasPrefix("metadata.name=") {
                objectName = String(selector.dropFirst("metadata.name=".count))
            } else {
                return SimulatorRoutes.status(
                    400, "BadRequest", "\"\(selector.prefix { $0 != "=" })\" is not a known field selector")
            }
        }
        // `as=PartialObjectMetadataList` for a list, `as=PartialObjectMetadata` for a watch, as client-go's
        // metadata client asks; either gives metadata only.
        let metadataOnly = request.headers[.accept]?.contains("as=PartialObjectMetadata") ?? false
        if let watch = query.get("watch"), watch == "1" || watch == "true" {
            let streaming = query.get("sendInitialEvents") == "true"
            if let refusal = await refusal(streaming: streaming, query: query, host: host) { return refusal }
            let since = query.get("resourceVersion").flatMap { Int($0) } ?? 0
            // A version from the future: wait a little for it, as the apiserver's watch cache does,
            // then refuse it.
            var current = await host.resourceVersion
            for _ in 0..<5 where since > current {
                try? await Task.sleep(for: .milliseconds(100))
                current = await host.resourceVersion
            }
            if since > current { return WatchStream.tooLarge(since, current: current) }
            return WatchStream.response(
                resource: resource, namespace: namespace, nodeName: nodeName, objectName: objectName, host: host,
                since: query.get("resourceVersion").flatMap { Int($0) },
                timeout: query.get("timeoutSeconds").flatMap { Int($0) } ?? 1800,
                bookmarks: query.get("allowWatchBookmarks") == "true", initialEvents: streaming,
                metadataOnly: metadataOnly
            )
        }
        do {
            var page = try await host.list(
                resource.qualified, namespace: namespace, nodeName: nodeName,
                limit: objectName == nil ? query.get("limit").flatMap { Int($0) } : nil,
                continueToken: query.get("continue").flatMap { $0.isEmpty ? nil : $0 }
            )
            if let objectName {
                page.items = page.items.filter { $0.name == objectName }
                page.continueToken = nil
            }
            var metadata: [(String, JSONValue)] = [("resourceVersion", .string(String(page.resourceVersion)))]
            if let token = page.continueToken { metadata.append(("continue", .string(token))) }
            let items = page.items.map { metadataOnly ? WatchStream.metadataOnly($0.json) : $0.json }
            return SimulatorRoutes.json(
                .object([
                    ("kind", .string(metadataOnly ? "PartialObjectMetadataList" : "\(resource.kind)List")),
                    ("apiVersion", .string(metadataOnly ? "meta.k8s.io/v1" : resource.groupVersion)),
                    ("metadata", .object(metadata)), ("items", .array(items)),
                ])
            )
        } catch {
            return SimulatorRoutes.status(410, "Expired", "The provided continue parameter is too old")
        }
    }
}
