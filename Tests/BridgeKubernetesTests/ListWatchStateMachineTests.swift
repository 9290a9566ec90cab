import BridgeKubernetes
import Testing

@Suite struct ListWatchStateMachineTests {
    func machine(_ resource: String = "pods") -> ListWatchStateMachine {
        ListWatchStateMachine(
            resource: resource, pageSize: 2, minBackoff: .milliseconds(100), maxBackoff: .seconds(1), jitter: { 1 })
    }

    @Test func listsComeFromTheWatchCacheNeverFromEtcd() {
        var sync = machine()
        _ = sync.start()
        #expect(sync.listOrigin == .cache)
        #expect(sync.listOrigin.query == ["resourceVersion=0"])
        _ = sync.listPage(continueToken: nil, resourceVersion: "40")
        sync.watchEvent(resourceVersion: "45")
        // Compacted away: the relist asks the cache for a state not older than the last seen.
        #expect(sync.gone() == .list(continueToken: nil, limit: 2))
        #expect(sync.listOrigin == .notOlderThan("45"))
        #expect(sync.listOrigin.query == ["resourceVersion=45", "resourceVersionMatch=NotOlderThan"])
        // The cache never reached it (the server's history was reset): whatever it holds.
        guard case .wait = sync.failed(status: 504, retry: .list(continueToken: nil, limit: 2)) else {
            Issue.record("a refused list is retried after a backoff")
            return
        }
        #expect(sync.listOrigin == .cache)
        _ = sync.listPage(continueToken: nil, resourceVersion: "50")
        // A watch refused as too large means the same: the versions seen mean nothing now.
        _ = sync.resourceVersionTooLarge()
        #expect(sync.listOrigin == .cache)
    }

    @Test func listsInPagesThenWatchesFromTheListVersion() {
        var sync = machine()
        #expect(sync.start() == .list(continueToken: nil, limit: 2))
        #expect(
            sync.listPage(continueToken: "page-2", resourceVersion: "10") == .list(continueToken: "page-2", limit: 2))
        #expect(sync.phase == .listing)
        #expect(
            sync.listPage(continueToken: nil, resourceVersion: "12") == .replaceAll(then: .watch(resourceVersion: "12"))
        )
        #expect(sync.phase == .watching)
        #expect(sync.resourceVersion == "12")
    }

    @Test func eventsAndBookmarksMoveTheResumeVersion() {
        var sync = machine()
        _ = sync.start()
        _ = sync.listPage(continueToken: nil, resourceVersion: "5")
        sync.watchEvent(resourceVersion: "6")
        sync.watchEvent(resourceVersion: "9")  // a BOOKMARK
        #expect(sync.resourceVersion == "9")
        #expect(sync.watchEnded(afterEvents: 2) == .watch(resourceVersion: "9"))
    }

    @Test func aWatchThatEndsAtOnceBacksOff() {
        var sync = machine()
        _ = sync.start()
        _ = sync.listPage(continueToken: nil, resourceVersion: "5")
        #expect(sync.watchEnded(afterEvents: 0) == .wait(.milliseconds(100), then: .watch(resourceVersion: "5")))
        #expect(sync.watchEnded(afterEvents: 0) == .wait(.milliseconds(200), then: .watch(resourceVersion: "5")))
        #expect(sync.watchEnded(afterEvents: 0) == .wait(.milliseconds(400), then: .watch(resourceVersion: "5")))
        #expect(sync.watchEnded(afterEvents: 0) == .wait(.milliseconds(800), then: .watch(resourceVersion: "5")))
        #expect(sync.watchEnded(afterEvents: 0) == .wait(.seconds(1), then: .watch(resourceVersion: "5")))
        #expect(sync.watchEnded(afterEvents: 3) == .watch(resourceVersion: "5"))
        #expect(sync.watchEnded(afterEvents: 0) == .wait(.milliseconds(100), then: .watch(resourceVersion: "5")))
    }

    @Test func goneRelistsAtOnceThenWithBackoff() {
        var sync = machine()
        _ = sync.start()
        _ = sync.listPage(continueToken: nil, resourceVersion: "5")
        #expect(sync.gone() == .list(continueToken: nil, limit: 2))
        #expect(sync.phase == .listing)
        #expect(sync.resourceVersion == nil)
        #expect(
            sync.failed(status: 410, retry: .list(continueToken: nil, limit: 2))
                == .wait(.milliseconds(100), then: .list(continueToken: nil, limit: 2)))
        _ = sync.listPage(continueToken: nil, resourceVersion: "20")
        #expect(sync.phase == .watching)
        #expect(sync.gone() == .list(continueToken: nil, limit: 2))
    }

    /// The server lost the history the watch would resume from (a restart with its storage reset):
    /// a version "too large" for it, or events whose versions go backwards, relist from scratch.
    @Test func aResetHistoryRelistsWhetherTheVersionIsTooLargeOrGoesBackwards() {
        var sync = machine()
        _ = sync.start()
        _ = sync.listPage(continueToken: nil, resourceVersion: "500")
        #expect(sync.resourceVersionTooLarge() == .list(continueToken: nil, limit: 2))
        #expect(sync.resourceVersion == nil && sync.phase == .listing)
        _ = sync.listPage(continueToken: nil, resourceVersion: "40")
        #expect(sync.watchEvent(resourceVersion: "41") == nil)
        #expect(sync.watchEvent(resourceVersion: "3") == .list(continueToken: nil, limit: 2))
        #expect(sync.resourceVersion == nil)
    }

    @Test func watchesThatKeepFailingEndInARelist() {
        var sync = machine()
        _ = sync.start()
        _ = sync.listPage(continueToken: nil, resourceVersion: "7")
        var actions: [ListWatchStateMachine.Action] = []
        for attempt in 1...ListWatchStateMachine.relistAfterFailedWatches {
            actions.append(
                attempt % 2 == 0
                    ? sync.watchEnded(afterEvents: 0) : sync.failed(status: 500, retry: .watch(resourceVersion: "7")))
        }
        #expect(actions.dropLast().allSatisfy { if case .wait(_, then: .watch) = $0 { true } else { false } })
        guard case .wait(_, then: .list(continueToken: nil, limit: 2)) = actions.last else {
            Issue.record("no relist after \(actions.count) failed watches: \(actions)")
            return
        }
        #expect(sync.resourceVersion == nil)
    }

    @Test(arguments: [0.5, 0.75, 1.0])
    func backoffsAreJitteredSoWatchersDoNotRetryInStep(_ factor: Double) {
        var sync = ListWatchStateMachine(
            resource: "pods", pageSize: 2, minBackoff: .milliseconds(400), maxBackoff: .seconds(2), jitter: { factor })
        let first = sync.start()
        #expect(sync.failed(status: 500, retry: first) == .wait(.milliseconds(400) * factor, then: first))
        for _ in 0..<6 { _ = sync.failed(status: 500, retry: first) }
        #expect(sync.failed(status: 500, retry: first) == .wait(.seconds(2) * factor, then: first))
    }

    @Test func errorsRetryTheSameStepWithBackoff() {
        var sync = machine()
        let first = sync.start()
        #expect(sync.failed(status: 500, retry: first) == .wait(.milliseconds(100), then: first))
        #expect(sync.failed(status: nil, retry: first) == .wait(.milliseconds(200), then: first))
        #expect(
            sync.listPage(continueToken: nil, resourceVersion: "1") == .replaceAll(then: .watch(resourceVersion: "1")))
        #expect(
            sync.failed(status: 503, retry: .watch(resourceVersion: "1"))
                == .wait(.milliseconds(100), then: .watch(resourceVersion: "1")))
    }

    @Test(arguments: [
        ("pods", #"{apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"]}"#),
        ("deployments.apps", #"{apiGroups: ["apps"], resources: ["deployments"], verbs: ["list", "watch"]}"#),
        (
            "volumeattachments.storage.k8s.io",
            #"{apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["list", "watch"]}"#
        ),
    ])
    func forbiddenDisablesTheTypeNamingTheRBACRule(_ resource: String, _ rule: String) {
        var sync = machine(resource)
        let first = sync.start()
        #expect(
            sync.failed(status: 403, retry: first)
                == .disable(reason: "forbidden to list and watch \(resource): add a ClusterRole rule \(rule)")
        )
        #expect(sync.phase == .disabled)
    }

    @Test func staleCallsAreIgnoredOrRestart() {
        var sync = machine()
        sync.watchEvent(resourceVersion: "3")
        #expect(sync.resourceVersion == nil)
        #expect(sync.listPage(continueToken: nil, resourceVersion: "3") == .list(continueToken: nil, limit: 2))
        #expect(sync.watchEnded(afterEvents: 1) == .list(continueToken: nil, limit: 2))
    }

    func streaming(spread: Duration = .zero) -> ListWatchStateMachine {
        ListWatchStateMachine(
            resource: "pods", pageSize: 2, minBackoff: .milliseconds(100), maxBackoff: .seconds(1),
            streamingLists: true, relistSpread: spread, jitter: { 1 })
    }

    /// A streaming list is the list: its end bookmark gives the version, the stream goes on as the
    /// watch, and a relist streams again from the last version seen.
    @Test func aStreamingListEndsAtItsBookmarkAndTheStreamGoesOnAsTheWatch() {
        var sync = streaming()
        #expect(sync.start() == .streamList(resourceVersion: nil))
        #expect(sync.phase == .listing)
        sync.initialEventsEnded(resourceVersion: "40")
        #expect(sync.phase == .watching && sync.resourceVersion == "40")
        sync.watchEvent(resourceVersion: "44")
        #expect(sync.watchEnded(afterEvents: 1) == .watch(resourceVersion: "44"))
        #expect(sync.gone() == .streamList(resourceVersion: "44"))
        // A history reset forgets the versions seen: a consistent stream from the cache.
        sync.initialEventsEnded(resourceVersion: "50")
        #expect(sync.resourceVersionTooLarge() == .streamList(resourceVersion: nil))
    }

    /// A server that refuses the parameters (before 1.27, or WatchList off) is paged from then on;
    /// a stream cut short is paged this once, and twice in a row from then on.
    @Test(arguments: [400, 422])
    func aRefusedStreamPagesEveryListFromThenOn(_ status: Int) {
        var sync = streaming()
        _ = sync.start()
        #expect(sync.streamListFailed(status: status) == .list(continueToken: nil, limit: 2))
        #expect(!sync.streamsLists && sync.listOrigin == .cache)
        _ = sync.listPage(continueToken: nil, resourceVersion: "9")
        #expect(sync.gone() == .list(continueToken: nil, limit: 2))
    }

    @Test func streamsCutShortArePagedThisOnceThenForGood() {
        var sync = streaming()
        _ = sync.start()
        #expect(
            sync.streamListFailed(status: nil) == .wait(.milliseconds(100), then: .list(continueToken: nil, limit: 2)))
        #expect(sync.streamsLists)
        _ = sync.listPage(continueToken: nil, resourceVersion: "9")
        #expect(sync.gone() == .streamList(resourceVersion: "9"))
        _ = sync.streamListFailed(status: 503)
        #expect(sync.streamsLists, "a server error is no sign the server lacks the feature")
        _ = sync.streamListFailed(status: nil)
        #expect(!sync.streamsLists)
        // Permission and expiry mean what they mean for any list.
        var denied = streaming()
        _ = denied.start()
        guard case .disable = denied.streamListFailed(status: 403) else {
            Issue.record("403 must disable the type")
            return
        }
    }

    /// After an API server restart every client relists: the first relist waits up to the spread,
    /// scaled by the jitter, so that thousands of node agents arrive over seconds, not at once.
    @Test(arguments: [0.5, 1.0])
    func relistsAfterALostHistoryAreSpread(_ factor: Double) {
        var sync = ListWatchStateMachine(
            resource: "pods", pageSize: 2, streamingLists: true, relistSpread: .seconds(2), jitter: { factor })
        _ = sync.start()
        sync.initialEventsEnded(resourceVersion: "5")
        #expect(sync.resourceVersionTooLarge() == .wait(.seconds(2) * factor, then: .streamList(resourceVersion: nil)))
    }
}
