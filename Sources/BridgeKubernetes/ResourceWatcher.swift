import BridgeHTTP
import BridgeTopology
import Foundation
import Logging
import ServiceLifecycle

/// Keeps one resource type of the store in sync with the apiserver, performing what
/// ``ListWatchStateMachine`` decides: streaming or paginated lists, watches with bookmarks,
/// resumption, relists on 410 Gone, backoff, and disabling the type on 403.
public struct ResourceWatcher: ServiceLifecycle.Service {
    let kind: ResourceKind
    let config: APIServerConfig
    let client: HTTPClient
    let store: ClusterStore
    /// Where Kubernetes events go; events are news to forward, not cluster state.
    let events: EventQueue?
    let logger: Logger
    /// One line per step and kind of failure a minute, with the count left out.
    private let lines = LogThrottle(interval: .seconds(60))
    /// How long one watch request stays open before the server ends it.
    let watchTimeout: Duration
    /// Extra query for both list and watch (`fieldSelector=spec.nodeName=…` in node mode).
    let fieldSelector: String?
    let pageSize: Int
    /// Whether lists are asked for as streams first (`kubernetes.streaming_lists`).
    let streamingLists: Bool
    /// The most a relist after a lost history waits, jittered, so that clients do not relist in step.
    let relistSpread: Duration
    /// The longest watch event line accepted. Kubernetes stores objects of at most 1.5 MiB; a
    /// line longer than this is no event, and buffering it would grow without end.
    let maxEventBytes: Int
    /// The collection path in use: the kind's path, or a fallback after a 404.
    private var path: String

    /// Creates a watcher of `kind` that writes into `store`.
    public init(
        kind: ResourceKind,
        config: APIServerConfig,
        client: HTTPClient,
        store: ClusterStore,
        events: EventQueue? = nil,
        logger: Logger,
        watchTimeout: Duration = .seconds(300),
        fieldSelector: String? = nil,
        pageSize: Int = 500,
        streamingLists: Bool = true,
        relistSpread: Duration = .seconds(2),
        maxEventBytes: Int = 16 << 20
    ) {
        self.kind = kind
        self.config = config
        self.client = client
        self.store = store
        self.events = events
        self.logger = logger
        self.watchTimeout = watchTimeout
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.streamingLists = streamingLists
        self.relistSpread = relistSpread
        self.maxEventBytes = maxEventBytes
        path = kind.path
    }

    /// Syncs until cancelled or shut down, or until the type is disabled for lack of permission.
    /// A watch holds its request open for minutes, so graceful shutdown cancels it at once rather
    /// than waiting for it to end.
    public func run() async throws {
        let watcher = self
        try await cancelWhenGracefulShutdown {
            var copy = watcher
            try await copy.sync()
        }
    }

    private mutating func sync() async throws {
        var machine = ListWatchStateMachine(
            resource: kind.resource, pageSize: pageSize, streamingLists: streamingLists, relistSpread: relistSpread)
        var action = machine.start()
        // A list is staged in a state of its own, pods already as compact records, so that a large
        // list never holds every object decoded at once; it replaces the store's objects when done.
        var staged = ClusterState(clusterName: "")
        var stagedEvents: [KubernetesEvent] = []
        var listed = 0
        while !Task.isCancelled {
            switch action {
            case .list(let token, let limit):
                if token == nil { (staged, stagedEvents, listed) = (ClusterState(clusterName: ""), [], 0) }
                do {
                    let page = try await list(continueToken: token, limit: limit, origin: machine.listOrigin)
                    for item in page.items {
                        if case .event(let event) = item { stagedEvents.append(event) } else { staged.upsert(item) }
                    }
                    listed += page.items.count
                    action = machine.listPage(continueToken: page.continueToken, resourceVersion: page.resourceVersion)
                } catch {
                    let paths = [kind.path] + kind.fallbackPaths
                    if error.status == 404, let current = paths.firstIndex(of: path), current + 1 < paths.count {
                        // An older API version serves this kind on this cluster; use it from now on.
                        path = paths[current + 1]
                        logger.info(
                            "k8s resource served at an older version",
                            metadata: ["k8s.resource": .string(kind.resource), "k8s.path": .string(path)]
                        )
                        continue
                    }
                    logFailure(error, step: "list")
                    action = machine.failed(status: error.status, retry: .list(continueToken: nil, limit: limit))
                }
            case .replaceAll(let then):
                var list = StagedList()
                (list.state, list.events, list.count) = (staged, stagedEvents, listed)
                (staged, stagedEvents, listed) = (ClusterState(clusterName: ""), [], 0)
                complete(&list)
                action = then
            case .watch(let version):
                action = await watch(from: version, machine: &machine)
            case .streamList(let version):
                (staged, stagedEvents, listed) = (ClusterState(clusterName: ""), [], 0)
                action = await streamList(from: version, machine: &machine)
            case .wait(let delay, let then):
                // Cancelled (a shutdown) while backing off: the sync ends, as it does in a watch.
                guard (try? await Task.sleep(for: delay)) != nil else { return }
                action = then
            case .disable(let reason):
                store.giveUp(kind.resource)
                logger.error(
                    "k8s resource disabled",
                    metadata: ["k8s.resource": .string(kind.resource), "k8s.reason": .string(reason)])
                return
            }
        }
    }

    /// Objects of a list not yet in the store: a complete list replaces the store's objects at once.
    struct StagedList {
        /// The objects, pods already as compact records.
        var state = ClusterState(clusterName: "")
        /// Kubernetes events, which go to the event queue rather than the store.
        var events: [KubernetesEvent] = []
        /// How many items arrived.
        var count = 0
    }

    /// A list is complete: its objects replace the store's (or its events go to the queue).
    private func complete(_ list: inout StagedList) {
        store.recordContact(kind.resource)
        store.markInSync(kind.resource)
        if let events, kind == .events {
            events.listed(list.events)
        } else {
            store.replaceAll(kind.resource, with: list.state)
        }
        logger.debug(
            "k8s list complete",
            metadata: ["k8s.resource": .string(kind.resource), "k8s.objects": .stringConvertible(list.count)])
        list = StagedList()
    }

    private func url(_ query: [String]) -> String {
        var parts = query
        if let fieldSelector {
            parts.append(
                "fieldSelector="
                    + (fieldSelector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? fieldSelector))
        }
        let base = config.server.hasSuffix("/") ? String(config.server.dropLast()) : config.server
        return base + path + (parts.isEmpty ? "" : "?" + parts.joined(separator: "&"))
    }

    private func list(
        continueToken: String?, limit: Int, origin: ListWatchStateMachine.ListOrigin
    ) async throws(HTTPError) -> ResourceKind.DecodedList {
        var query = ["limit=\(limit)"]
        if let continueToken {
            // A continued page carries the first page's version in its token, and no other.
            query.append(
                "continue="
                    + (continueToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? continueToken))
        } else {
            query += origin.query
        }
        let target = url(query)
        let response = try await client.execute(
            HTTPRequest(
                url: target, headers: [("Accept", kind.accept)], timeout: .seconds(60), maxBodyBytes: 1 << 30,
                security: config.security)
        ).requireSuccess(url: target)
        let decoded: ResourceKind.DecodedList
        do {
            decoded = try kind.decodeList(Data(response.body))
        } catch let refused as NotMetadataOnly {
            throw Self.notMetadataOnly(refused, url: target)
        } catch {
            throw HTTPError(
                kind: .other, url: target, detail: "not a valid \(kind.resource) list: \(SkippedObject.reason(error))")
        }
        for skipped in decoded.skipped { logSkipped(name: skipped.name, reason: skipped.reason) }
        return decoded
    }

    /// One watch request; returns the next action.
    private func watch(from version: String, machine: inout ListWatchStateMachine) async -> ListWatchStateMachine.Action
    {
        let seconds = Int(watchTimeout.components.seconds)
        let target = url([
            "watch=1", "resourceVersion=\(version)", "allowWatchBookmarks=true", "timeoutSeconds=\(seconds)",
        ])
        var unused: StagedList?
        return await stream(target, from: version, staging: &unused, machine: &machine)
    }

    /// One streaming list: a watch that first sends the list as ADDED events, staged until the
    /// bookmark that ends them, and then goes on as the watch; returns the next action.
    private func streamList(
        from version: String?, machine: inout ListWatchStateMachine
    ) async -> ListWatchStateMachine.Action {
        let seconds = Int(watchTimeout.components.seconds)
        let target = url(
            ["watch=1", "sendInitialEvents=true", "resourceVersionMatch=NotOlderThan", "allowWatchBookmarks=true"]
                + (version.map { ["resourceVersion=\($0)"] } ?? []) + ["timeoutSeconds=\(seconds)"])
        var staging: StagedList? = StagedList()
        return await stream(target, from: version ?? "", staging: &staging, machine: &machine)
    }

    /// A streaming list that did not reach its end (`status` when the server refused it): the state
    /// machine's answer, logged once when streams are given up for paged lists.
    private func unfinishedStream(status: Int?, machine: inout ListWatchStateMachine) -> ListWatchStateMachine.Action {
        let wasStreaming = machine.streamsLists
        let next = machine.streamListFailed(status: status)
        if wasStreaming && !machine.streamsLists {
            logger.info(
                "k8s streaming lists not offered, listing in pages",
                metadata: [
                    "k8s.resource": .string(kind.resource),
                    "k8s.reason": .string(status.map { "HTTP \($0)" } ?? "streams end before their last object"),
                ])
        }
        return next
    }

    /// One watch request, or a streaming list while `staging` is set (nil once the list is
    /// complete, the stream then being the watch); returns the next action.
    private func stream(
        _ target: String, from version: String, staging: inout StagedList?, machine: inout ListWatchStateMachine
    ) async -> ListWatchStateMachine.Action {
        var events = 0
        // The step retried after a cancelled request, and what a failure means, depend on whether
        // the list is still arriving.
        let retry: ListWatchStateMachine.Action =
            staging == nil
            ? .watch(resourceVersion: version) : .streamList(resourceVersion: version.isEmpty ? nil : version)
        do {
            let response = try await client.stream(
                HTTPRequest(
                    url: target, headers: [("Accept", kind.watchAccept)], timeout: watchTimeout + .seconds(30),
                    security: config.security)
            )
            guard response.status == 200 else {
                var body: [UInt8] = []
                for try await chunk in response.body where body.count < 1024 { body += chunk }
                let text = String(decoding: body, as: UTF8.self)
                let error = HTTPError(
                    kind: .httpStatus, url: target, detail: "HTTP \(response.status): \(text)", status: response.status)
                if staging != nil {
                    if response.status != 400 && response.status != 422 { logFailure(error, step: "streaming list") }
                    return unfinishedStream(status: response.status, machine: &machine)
                }
                if Self.isTooLargeResourceVersion(status: response.status, message: text) {
                    return relisting(machine.resourceVersionTooLarge(), because: "resource version too large", version)
                }
                logFailure(error, step: "watch")
                return machine.failed(status: response.status, retry: .watch(resourceVersion: version))
            }
            store.recordContact(kind.resource)
            if staging == nil { store.markInSync(kind.resource) }
            var reader = WatchLineReader(limit: maxEventBytes)
            for try await chunk in response.body {
                // Once per chunk rather than per line: a chunk of a busy watch holds many events.
                store.recordContact(kind.resource)
                guard let lines = reader.lines(appending: chunk) else {
                    logFailure(
                        HTTPError(
                            kind: .bodyTooLarge, url: target,
                            detail: "a watch event longer than \(maxEventBytes) bytes; relisting"),
                        step: "watch")
                    if staging != nil { return unfinishedStream(status: nil, machine: &machine) }
                    return machine.resourceVersionTooLarge()
                }
                for line in lines {
                    let outcome = handle(line, staging: &staging)
                    switch outcome {
                    case .listEnded(let listVersion):
                        machine.initialEventsEnded(resourceVersion: listVersion)
                        store.markInSync(kind.resource)
                        events += 1
                    case .applied(let newVersion), .bookmark(let newVersion):
                        events += 1
                        if let newVersion, let relist = machine.watchEvent(resourceVersion: newVersion) {
                            return relisting(relist, because: "resource version went backwards", newVersion)
                        }
                    case .skipped:
                        continue
                    case .tooLarge, .gone, .refused:
                        if staging != nil {
                            let status: Int? =
                                switch outcome {
                                case .tooLarge: 504
                                case .gone: 410
                                case .refused(let error): error.status
                                default: nil
                                }
                            return unfinishedStream(status: status, machine: &machine)
                        }
                        if case .refused(let error) = outcome {
                            logFailure(error, step: "watch")
                            return machine.failed(status: error.status, retry: .watch(resourceVersion: version))
                        }
                        if case .tooLarge = outcome {
                            return relisting(
                                machine.resourceVersionTooLarge(), because: "resource version too large", version)
                        }
                        logger.info(
                            "k8s watch expired, relisting",
                            metadata: [
                                "k8s.resource": .string(kind.resource), "k8s.resource_version": .string(version),
                            ]
                        )
                        return machine.gone()
                    }
                }
            }
        } catch let error as HTTPError {
            if error.kind == .cancelled { return .wait(.zero, then: retry) }
            logFailure(error, step: staging == nil ? "watch" : "streaming list")
        } catch {
            store.markOutOfSync(kind.resource)
            logger.warning(
                "k8s watch failed",
                metadata: ["k8s.resource": .string(kind.resource), "k8s.error": .string("\(error)")])
        }
        if staging != nil { return unfinishedStream(status: nil, machine: &machine) }
        return machine.watchEnded(afterEvents: events)
    }

    private enum LineOutcome {
        case applied(String?)
        case bookmark(String?)
        /// The bookmark that ends a streaming list's initial events, at the list's version.
        case listEnded(String)
        case gone
        case tooLarge
        case skipped
        case refused(HTTPError)
    }

    /// Whether an answer says the requested version is newer than the server's history: a 504
    /// ("Timeout") whose message or cause is "Too large resource version" (ResourceVersionTooLarge).
    static func isTooLargeResourceVersion(status: Int, message: String) -> Bool {
        status == 504 && (message.contains("Too large resource version") || message.contains("ResourceVersionTooLarge"))
    }

    /// Logs why the watcher relists and returns the relist.
    private func relisting(
        _ action: ListWatchStateMachine.Action, because reason: String, _ version: String
    ) -> ListWatchStateMachine.Action {
        store.markOutOfSync(kind.resource)
        logger.info(
            "k8s watch cannot resume, relisting",
            metadata: [
                "k8s.resource": .string(kind.resource), "k8s.reason": .string(reason),
                "k8s.resource_version": .string(version),
            ])
        return action
    }

    /// A metadata-only resource answered with whole objects: refused as 406 Not Acceptable would
    /// be, which disables the resource (``ListWatchStateMachine/failed(status:retry:)``).
    static func notMetadataOnly(_ refused: NotMetadataOnly, url: String) -> HTTPError {
        HTTPError(
            kind: .httpStatus, url: url,
            detail: "the API server answered with \(refused.kind), not metadata only; not read", status: 406)
    }

    /// Applies one watch line, to `staging` while a streaming list is arriving, else to the store;
    /// a malformed object is logged with its name and skipped.
    private func handle(_ line: [UInt8], staging: inout StagedList?) -> LineOutcome {
        let data = Data(line)
        guard let head = try? JSONDecoder().decode(WatchHead.self, from: data) else {
            logger.warning(
                "k8s watch line skipped", metadata: ["k8s.resource": .string(kind.resource), "k8s.reason": "not JSON"])
            return .skipped
        }
        switch head.type {
        case "BOOKMARK":
            let version = head.object?.metadata?.resourceVersion
            if var list = staging {
                // Only the bookmark that ends the initial events says the list is whole.
                guard head.object?.metadata?.annotations?[Self.initialEventsEnd] == "true", let version else {
                    return .skipped
                }
                staging = nil
                complete(&list)
                return .listEnded(version)
            }
            return .bookmark(version)
        case "ERROR":
            if head.object?.code == 410 { return .gone }
            if Self.isTooLargeResourceVersion(status: head.object?.code ?? 0, message: head.object?.message ?? "") {
                return .tooLarge
            }
            logger.warning(
                "k8s watch error",
                metadata: [
                    "k8s.resource": .string(kind.resource), "k8s.code": .stringConvertible(head.object?.code ?? 0),
                    "k8s.message": .string(PeerText.quote(head.object?.message ?? "")),
                ])
            return .skipped
        case "ADDED", "MODIFIED", "DELETED":
            do {
                let object = try kind.decodeObject(data)
                if staging != nil {
                    staging?.count += 1
                    if case .event(let event) = object {
                        staging?.events.append(event)
                    } else if head.type != "DELETED" {
                        staging?.state.upsert(object)
                    }
                } else if case .event(let event) = object {
                    events?.watched(head.type, event)
                } else {
                    store.apply(head.type, object)
                }
            } catch let refused as NotMetadataOnly {
                return .refused(Self.notMetadataOnly(refused, url: config.server + kind.path))
            } catch {
                logSkipped(name: head.object?.metadata?.name ?? "?", reason: SkippedObject.reason(error))
            }
            // A streaming list's objects carry their own versions, not the list's: only its end counts.
            return staging == nil ? .applied(head.object?.metadata?.resourceVersion) : .skipped
        default:
            return .skipped
        }
    }

    /// The annotation of the bookmark that ends a streaming list's initial events.
    static let initialEventsEnd = "k8s.io/initial-events-end"

    /// A malformed object: logged with its resource and name, then left out; the sync goes on.
    private func logSkipped(name: String, reason: String) {
        logger.warning(
            "k8s object skipped",
            metadata: [
                "k8s.resource": .string(kind.resource), "k8s.name": .string(name), "k8s.reason": .string(reason),
            ]
        )
    }

    private func logFailure(_ error: HTTPError, step: String) {
        store.markOutOfSync(kind.resource)
        guard let suppressed = lines.admit("\(step) \(error.kind) \(error.status ?? 0)") else { return }
        logger.warning(
            "k8s request failed",
            metadata: [
                "k8s.resource": .string(kind.resource), "k8s.step": .string(step),
                "k8s.error": .string(error.description), "k8s.suppressed": .stringConvertible(suppressed),
            ]
        )
    }

    /// The parts of a watch line read before the object is decoded.
    struct WatchHead: Decodable {
        struct Object: Decodable {
            struct Metadata: Decodable {
                let name: String?
                let resourceVersion: String?
                let annotations: [String: String]?
            }
            let metadata: Metadata?
            let code: Int?
            let message: String?
        }
        let type: String
        let object: Object?
    }
}

/// Splits a watch stream into lines across chunk boundaries.
struct WatchLineReader {
    /// The longest event line held; a longer one is refused rather than buffered without end.
    let limit: Int
    private var pending: [UInt8] = []
    /// How much of `pending` is known to hold no newline, so each byte is scanned once.
    private var scanned = 0

    /// A reader holding at most `limit` bytes of an unfinished line.
    init(limit: Int) {
        self.limit = limit
    }

    /// The complete lines in what has arrived so far; nil when an unfinished line exceeds the limit.
    mutating func lines(appending chunk: [UInt8]) -> [[UInt8]]? {
        pending += chunk
        var lines: [[UInt8]] = []
        var start = 0
        while let newline = pending[max(start, scanned)...].firstIndex(of: 0x0A) {
            if newline > start { lines.append(Array(pending[start..<newline])) }
            start = newline + 1
        }
        pending.removeFirst(start)
        scanned = pending.count
        return pending.count > limit ? nil : lines
    }
}

extension ResourceWatcher: CustomStringConvertible {
    /// `ResourceWatcher(pods)`: what service lifecycle logs name it by. The default description would
    /// print every stored property, credentials of the API server configuration included.
    public var description: String { "ResourceWatcher(\(kind.resource))" }
}
