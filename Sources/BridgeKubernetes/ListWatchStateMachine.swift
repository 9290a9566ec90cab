/// The protocol logic of keeping one resource type in sync with the apiserver: a streaming list where
/// the server offers one, else a list in pages, then a watch from the list's resourceVersion, resume after a dropped watch, and relist as client-go's
/// reflector does when the version is unusable — too old (410 Gone), too large (the server's
/// history was reset: "Too large resource version"), going backwards, or after repeated watch
/// failures; back off with jitter on errors, and give up on a type the service account may not read.
///
/// Pure: events in, actions out. The owner performs the actions (HTTP requests, sleeps) and reports
/// what happened, so every transition is tested without a server (Kubernetes API concepts:
/// "Efficient detection of changes", "Retrieving large results sets in chunks", "Watch bookmarks").
public struct ListWatchStateMachine: Sendable {
    /// What the owner should do next.
    public enum Action: Sendable, Equatable {
        /// GET a list page: `limit` items, from `continueToken` when set.
        case list(continueToken: String?, limit: Int)
        /// GET a streaming list (Kubernetes API concepts, "Streaming lists"; KEP-3157, beta since
        /// 1.32): a watch with `sendInitialEvents=true` whose ADDED events up to the bookmark
        /// annotated `k8s.io/initial-events-end` are the list, after which the same stream goes on
        /// as the watch. From `resourceVersion` (`NotOlderThan`), or without one a state the cache
        /// confirmed current; either way served from the watch cache, one object at a time.
        case streamList(resourceVersion: String?)
        /// GET a watch from `resourceVersion`, with bookmarks.
        case watch(resourceVersion: String)
        /// Wait, then perform `then`.
        indirect case wait(Duration, then: Action)
        /// Replace the local objects with the complete list (the list finished).
        indirect case replaceAll(then: Action)
        /// Stop syncing this type and say why once (missing permission).
        case disable(reason: String)
    }

    /// Which state of the server a list that starts from no continue token asks for.
    ///
    /// Never a consistent read (no `resourceVersion`): before Kubernetes 1.34 (KEP-2340) that is
    /// served from etcd, which reads every object of the kind whatever the field selector, so 5,000
    /// node agents relisting after an API server restart would each read all 150,000 pods
    /// (reference/large-clusters.md). client-go's reflector starts from the watch cache too
    /// (`resourceVersion=0`); where it relists with a consistent read after an expired version,
    /// this machine asks the cache for a state not older than the last it saw, which cannot go
    /// backwards and is answered without etcd.
    public enum ListOrigin: Sendable, Equatable {
        /// `resourceVersion=0`: whatever the watch cache holds.
        case cache
        /// `resourceVersion=<v>&resourceVersionMatch=NotOlderThan`: the cache, once it has caught up
        /// with `v`.
        case notOlderThan(String)

        /// The query parameters.
        public var query: [String] {
            switch self {
            case .cache: ["resourceVersion=0"]
            case .notOlderThan(let version): ["resourceVersion=\(version)", "resourceVersionMatch=NotOlderThan"]
            }
        }
    }

    /// Where the machine is.
    public enum Phase: Sendable, Equatable {
        /// Nothing requested yet.
        case idle
        /// Paging through a list.
        case listing
        /// Watching from a resourceVersion.
        case watching
        /// Given up on this type.
        case disabled
    }

    /// The resource, for messages (`pods`, `deployments.apps`).
    public let resource: String
    /// Items per list page.
    public let pageSize: Int
    /// The first backoff; it doubles up to ``maxBackoff``.
    public let minBackoff: Duration
    /// The longest backoff.
    public let maxBackoff: Duration
    /// The current phase.
    public private(set) var phase: Phase = .idle
    /// The resourceVersion the next watch starts from.
    public private(set) var resourceVersion: String?
    /// What the next list's first page asks for.
    public private(set) var listOrigin = ListOrigin.cache
    /// Whether lists are asked for as streams; off from the start when not wanted, and for good
    /// once the server refuses the parameters (it predates watch-list or has it switched off).
    public private(set) var streamsLists: Bool
    /// How long the first relist after a lost history waits at most (scaled by the jitter): after
    /// an API server restart every client relists at once, and 5,000 node agents must not arrive
    /// in the same second (client-go's reflector waits 0.8 to 1.6 s for the same reason).
    public let relistSpread: Duration
    /// The last version a complete list or a watch event brought: a relist is not older.
    private var lastSynced: String?
    private var failures = 0
    private var failedWatches = 0
    private var relistedWithoutProgress = false
    private var unfinishedStreams = 0
    private let jitter: @Sendable () -> Double

    /// Consecutive watches that end without an event or fail before the machine relists: a
    /// version the server keeps refusing is relisted rather than retried forever.
    public static let relistAfterFailedWatches = 8
    /// Consecutive streaming lists that end before their end bookmark after which lists are paged:
    /// a server that accepts the parameters but never marks the end does not offer the feature.
    public static let pagedAfterUnfinishedStreams = 2

    /// Creates a machine for `resource`.
    ///
    /// Each backoff and relist spread is scaled by `jitter()` (by default between 0.5 and 1), so
    /// that the watchers of one bridge, and the replicas of many, do not retry a recovering API
    /// server in step. `streamingLists` asks for lists as streams first.
    public init(
        resource: String, pageSize: Int = 500, minBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30), streamingLists: Bool = false, relistSpread: Duration = .zero,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.5...1) }
    ) {
        self.resource = resource
        self.pageSize = pageSize
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
        self.streamsLists = streamingLists
        self.relistSpread = relistSpread
        self.jitter = jitter
    }

    /// Starts with a list, from the watch cache.
    public mutating func start() -> Action {
        listAction()
    }

    /// The first request of a list: a stream when the server offers them, else the first page.
    private mutating func listAction() -> Action {
        phase = .listing
        listOrigin = lastSynced.map(ListOrigin.notOlderThan) ?? .cache
        return streamsLists ? .streamList(resourceVersion: lastSynced) : .list(continueToken: nil, limit: pageSize)
    }

    /// A streaming list reached its end bookmark at `version`: the staged objects replace the
    /// local ones, and the same stream goes on as the watch.
    public mutating func initialEventsEnded(resourceVersion version: String) {
        guard phase == .listing else { return }
        failures = 0
        unfinishedStreams = 0
        relistedWithoutProgress = false
        resourceVersion = version
        lastSynced = version
        phase = .watching
    }

    /// A streaming list failed or ended before its end bookmark (`status` when the server refused
    /// it). The list is paged this time, as client-go falls back; a refusal of the parameters
    /// (400, 422: no watch-list on this server), or streams that keep ending unfinished, page
    /// every list from now on. 403 disables the type, 410 and 504 are what they are for a list.
    public mutating func streamListFailed(status: Int?) -> Action {
        guard phase == .listing else { return start() }
        let paged = Action.list(continueToken: nil, limit: pageSize)
        switch status {
        case 400, 422:
            streamsLists = false
            return paged
        case 403, 406, 410, 504:
            return failed(status: status, retry: paged)
        case nil:
            unfinishedStreams += 1
            if unfinishedStreams >= Self.pagedAfterUnfinishedStreams { streamsLists = false }
            return backoff(then: paged)
        default:
            return backoff(then: paged)
        }
    }

    /// A list page arrived; `continueToken` is set when more pages follow.
    public mutating func listPage(continueToken: String?, resourceVersion version: String) -> Action {
        guard phase == .listing else { return start() }
        failures = 0
        relistedWithoutProgress = false
        if let continueToken, !continueToken.isEmpty {
            return .list(continueToken: continueToken, limit: pageSize)
        }
        resourceVersion = version
        lastSynced = version
        phase = .watching
        return .replaceAll(then: .watch(resourceVersion: version))
    }

    /// A watch event was applied; ADDED, MODIFIED, DELETED and BOOKMARK all carry the version to
    /// resume from. A version lower than the last one means the server's history was reset: the
    /// answer is then a relist (nil otherwise, keep watching).
    @discardableResult
    public mutating func watchEvent(resourceVersion version: String) -> Action? {
        guard phase == .watching else { return nil }
        if let current = resourceVersion.flatMap(UInt64.init), let next = UInt64(version), next < current {
            resourceVersion = nil
            // The server's history went backwards: what was seen before means nothing to it now.
            lastSynced = nil
            return relist()
        }
        failures = 0
        failedWatches = 0
        resourceVersion = version
        lastSynced = version
        return nil
    }

    /// The server refused the watch's version as too large ("Too large resource version", a 504
    /// with cause ResourceVersionTooLarge): it lacks that history, as after a restart
    /// with its storage reset. Relist from scratch, as client-go does.
    public mutating func resourceVersionTooLarge() -> Action {
        resourceVersion = nil
        lastSynced = nil
        return relist()
    }

    /// The watch ended: the server's timeout or a dropped connection. Resume from the last version;
    /// a watch that ends at once repeatedly backs off.
    public mutating func watchEnded(afterEvents events: Int) -> Action {
        guard phase == .watching, let version = resourceVersion else { return relist() }
        if events > 0 {
            failures = 0
            failedWatches = 0
            return .watch(resourceVersion: version)
        }
        return failedWatch(then: .watch(resourceVersion: version))
    }

    /// The apiserver answered 410 Gone (or a watch ERROR event with code 410): the version is
    /// compacted away, so relist, after a backoff if this keeps happening.
    public mutating func gone() -> Action {
        resourceVersion = nil
        return relist()
    }

    /// A request failed. 403 disables the type with the RBAC rule to add; 406 (a metadata-only
    /// request the server cannot answer so, or answered with whole objects) disables it rather than
    /// read secrets' data; 410 relists; anything else retries the same step after a backoff.
    public mutating func failed(status: Int?, retry: Action) -> Action {
        switch status {
        case 403:
            phase = .disabled
            let (group, name) = Self.split(resource)
            return .disable(
                reason: "forbidden to list and watch \(resource): add a ClusterRole rule "
                    + "{apiGroups: [\"\(group)\"], resources: [\"\(name)\"], verbs: [\"list\", \"watch\"]}"
            )
        case 406:
            phase = .disabled
            return .disable(
                reason: "the API server does not serve \(resource) as metadata only (PartialObjectMetadata, "
                    + "Kubernetes 1.15 and later); they are left out of the topology rather than read with their data")
        case 410:
            return gone()
        case 504 where { if case .list = retry { true } else { false } }():
            // The cache did not catch up with the version asked for ("Too large resource version"):
            // the server's history was reset. Ask for whatever it holds.
            lastSynced = nil
            listOrigin = .cache
            return backoff(then: retry)
        default:
            if case .watch = retry { return failedWatch(then: retry) }
            return backoff(then: retry)
        }
    }

    /// A watch that failed or ended empty: retried after a backoff, and after
    /// ``relistAfterFailedWatches`` in a row, a relist.
    private mutating func failedWatch(then retry: Action) -> Action {
        failedWatches += 1
        guard failedWatches < Self.relistAfterFailedWatches else {
            failedWatches = 0
            resourceVersion = nil
            return backoff(then: listAction())
        }
        return backoff(then: retry)
    }

    /// Lists again: after at most ``relistSpread`` (jittered) the first time, with a growing
    /// backoff while relists keep coming without a complete list in between.
    private mutating func relist() -> Action {
        let action = listAction()
        if !relistedWithoutProgress {
            relistedWithoutProgress = true
            let spread = relistSpread * min(1, max(0, jitter()))
            return spread > .zero ? .wait(spread, then: action) : action
        }
        return backoff(then: action)
    }

    private mutating func backoff(then action: Action) -> Action {
        failures += 1
        var delay = minBackoff
        for _ in 1..<min(failures, 16) where delay < maxBackoff { delay = delay * 2 }
        return .wait(min(delay, maxBackoff) * min(1, max(0, jitter())), then: action)
    }

    /// `deployments.apps` → (`apps`, `deployments`); `pods` → (``, `pods`).
    static func split(_ resource: String) -> (group: String, name: String) {
        guard let dot = resource.firstIndex(of: ".") else { return ("", resource) }
        return (String(resource[resource.index(after: dot)...]), String(resource[..<dot]))
    }
}
