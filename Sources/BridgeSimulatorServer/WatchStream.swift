import BridgeSimulator
import Foundation
import Hummingbird

/// A watch response: the events after the requested version (or, without one, every current object
/// as ADDED), then new events as they happen, bookmarks when asked, until the timeout. A streaming
/// list (`initialEvents`) sends every current object as ADDED whatever the version, then the bookmark
/// annotated `k8s.io/initial-events-end`, then goes on as a watch. A `nodeName` (a pod watch's
/// `fieldSelector=spec.nodeName=`) keeps to that node's objects, as the API server's watch cache does. A version
/// older than the kept history gets one ERROR event with a 410 Status, as the apiserver sends; a
/// version newer than the server's gets a 504 "Too large resource version" (``tooLarge(_:current:)``),
/// and a restart of the simulated API server ends the stream.
enum WatchStream {
    static func response(
        resource: APIResource,
        namespace: String?,
        nodeName: String?,
        objectName: String? = nil,
        host: SimulatorHost,
        since: Int?,
        timeout: Int,
        bookmarks: Bool,
        initialEvents: Bool,
        metadataOnly: Bool
    ) -> Response {
        let body = ResponseBody { writer in
            let deadline = ContinuousClock.now + .seconds(min(max(timeout, 1), 3600))
            let generation = await host.generation
            var version = since ?? 0
            if initialEvents || since == nil || since == 0 {
                let page = try? await host.list(
                    resource.qualified, namespace: namespace, nodeName: nodeName, limit: nil, continueToken: nil)
                // Written in batches: one write per object costs a flush each at 150,000 pods.
                var batch = ByteBuffer()
                for object in page?.items ?? [] where objectName == nil || object.name == objectName {
                    var event = line(type: "ADDED", object.json, metadataOnly: metadataOnly)
                    batch.writeBuffer(&event)
                    if batch.readableBytes > 1 << 16 {
                        try await writer.write(batch)
                        batch.clear()
                    }
                }
                version = page?.resourceVersion ?? 0
                if initialEvents {
                    var end = line(
                        type: "BOOKMARK", bookmark(resource, version: version, listEnd: true), metadataOnly: false)
                    batch.writeBuffer(&end)
                }
                if batch.readableBytes > 0 { try await writer.write(batch) }
            }
            var lastBookmark = ContinuousClock.now
            while ContinuousClock.now < deadline && !Task.isCancelled {
                guard await host.generation == generation else { break }
                do {
                    let (events, through) = try await host.events(
                        resource.qualified, after: version, namespace: namespace, nodeName: nodeName)
                    for event in events where objectName == nil || event.object.name == objectName {
                        try await writer.write(line(type: event.type, event.object.json, metadataOnly: metadataOnly))
                    }
                    // Everything up to `through` was looked at; what came after is the next round's.
                    version = through
                } catch {
                    let status = JSONValue.object([
                        ("kind", "Status"), ("apiVersion", "v1"), ("status", "Failure"), ("reason", "Expired"),
                        ("code", 410),
                        ("message", .string("too old resource version: \(version)")),
                    ])
                    try await writer.write(line(type: "ERROR", status, metadataOnly: false))
                    break
                }
                if bookmarks && ContinuousClock.now - lastBookmark > .seconds(1) {
                    try await writer.write(
                        line(
                            type: "BOOKMARK", bookmark(resource, version: version, listEnd: false), metadataOnly: false)
                    )
                    lastBookmark = ContinuousClock.now
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }

    /// The apiserver's answer to a watch from a version it has not reached (it waits a little for
    /// it first): 504 with reason Timeout and cause ResourceVersionTooLarge.
    static func tooLarge(_ version: Int, current: Int) -> Response {
        SimulatorRoutes.json(
            .object([
                ("kind", "Status"), ("apiVersion", "v1"), ("status", "Failure"),
                ("message", .string("Too large resource version: \(version), current: \(current)")),
                ("reason", "Timeout"),
                (
                    "details",
                    .object([
                        (
                            "causes",
                            .array([
                                .object([
                                    ("reason", "ResourceVersionTooLarge"), ("message", "Too large resource version"),
                                ])
                            ])
                        ),
                        ("retryAfterSeconds", 1),
                    ])
                ),
                ("code", 504),
            ]),
            status: .gatewayTimeout)
    }

    /// A BOOKMARK's object: kind, apiVersion and the version only, and for the end of a streaming
    /// list's initial events the annotation that says so.
    static func bookmark(_ resource: APIResource, version: Int, listEnd: Bool) -> JSONValue {
        var metadata: [(String, JSONValue)] = [("resourceVersion", .string(String(version)))]
        if listEnd { metadata.append(("annotations", .object([("k8s.io/initial-events-end", "true")]))) }
        return .object([
            ("kind", .string(resource.kind)), ("apiVersion", .string(resource.groupVersion)),
            ("metadata", .object(metadata)),
        ])
    }

    static func line(type: String, _ object: JSONValue, metadataOnly: Bool) -> ByteBuffer {
        let event = JSONValue.object([
            ("type", .string(type)), ("object", metadataOnly ? self.metadataOnly(object) : object),
        ])
        var bytes = (try? JSONEncoder().encode(event)) ?? Data()
        bytes.append(0x0A)
        return ByteBuffer(bytes: bytes)
    }

    /// An object as `PartialObjectMetadata`: kind, apiVersion and metadata only.
    static func metadataOnly(_ object: JSONValue) -> JSONValue {
        .object([
            ("kind", "PartialObjectMetadata"), ("apiVersion", "meta.k8s.io/v1"),
            ("metadata", object["metadata"] ?? .object([])),
        ])
    }
}
