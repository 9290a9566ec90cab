import BridgeKubernetes
import BridgeTopology
import Foundation
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ duration: Duration) { instant.withLock { $0 = $0.advanced(by: duration) } }
}

@Suite struct ClusterStoreTests {
    func pod(_ name: String, node: String = "node-1") throws -> KubernetesObject {
        let json =
            #"{"kind":"Pod","metadata":{"name":"\#(name)","namespace":"default"},"spec":{"nodeName":"\#(node)"}}"#
        return try JSONDecoder().decode(KubernetesObject.self, from: Data(json.utf8))
    }

    @Test func deletedPodsStayJoinableForTheGracePeriod() throws {
        let clock = ManualClock()
        let store = ClusterStore(clusterName: "c", gracePeriod: .seconds(300)) { clock.now }
        store.apply("ADDED", try pod("a"))
        store.apply("DELETED", try pod("a"))
        #expect(store.snapshot.pods.isEmpty)
        #expect(store.joinablePod(ObjectKey("default", "a"))?.spec?.nodeName == "node-1")
        clock.advance(.seconds(299))
        #expect(store.joinablePod(ObjectKey("default", "a")) != nil)
        clock.advance(.seconds(2))
        #expect(store.joinablePod(ObjectKey("default", "a")) == nil)
        #expect(store.recentlyDeletedPods == 0)
    }

    @Test func aResourceIsOutOfSyncFromItsFirstFailureUntilItRecovers() {
        let clock = ManualClock()
        let store = ClusterStore(clusterName: "c") { clock.now }
        store.recordContact("pods")
        store.recordContact("nodes")
        #expect(store.syncStates == ["pods": true, "nodes": true])
        store.markOutOfSync("pods")
        clock.advance(.seconds(20))
        store.markOutOfSync("pods")  // a later failure does not restart the clock
        clock.advance(.seconds(11))
        #expect(store.syncStates == ["pods": false, "nodes": true])
        #expect(store.outOfSync(longerThan: .seconds(30)).map(\.resource) == ["pods"])
        #expect(store.outOfSync(longerThan: .seconds(30)).first?.duration == .seconds(31))
        #expect(store.outOfSync(longerThan: .seconds(40)).isEmpty)
        store.markInSync("pods")
        #expect(store.outOfSync(longerThan: .zero).isEmpty && store.syncStates["pods"] == true)
    }

    @Test func theJoinVersionMovesWithTheStateAndWhenAGracePeriodEnds() throws {
        let clock = ManualClock()
        let store = ClusterStore(clusterName: "c", gracePeriod: .seconds(300)) { clock.now }
        store.apply("ADDED", try pod("a"))
        store.apply("ADDED", try pod("b"))
        let start = store.joinVersion
        #expect(store.placement(ofPod: ObjectKey("default", "a")) != nil)
        #expect(store.joinVersion == start, "reading changes nothing")
        store.apply("DELETED", try pod("a"))
        let deleted = store.joinVersion
        #expect(deleted == start, "a deleted pod joins as before during its grace period")
        clock.advance(.seconds(299))
        #expect(store.joinVersion == deleted, "still joinable: the same answers")
        #expect(store.placement(ofPod: ObjectKey("default", "a")) != nil)
        // The grace period ends without any watch event; the pod stops being joinable.
        clock.advance(.seconds(2))
        let expired = store.joinVersion
        #expect(expired != deleted)
        #expect(store.placement(ofPod: ObjectKey("default", "a")) == nil)
        #expect(store.joinVersion == expired)
        // A pod deleted later expires on its own schedule, not the first one's.
        store.apply("DELETED", try pod("b"))
        let second = store.joinVersion
        #expect(second == expired)
        clock.advance(.seconds(150))
        #expect(store.joinVersion == second)
        clock.advance(.seconds(151))
        #expect(store.joinVersion != second)
        #expect(store.recentlyDeletedPods == 0)
    }

    @Test func onlyChangesAJoinCanSeeMoveTheJoinVersion() throws {
        func object(_ json: String) throws -> KubernetesObject {
            try JSONDecoder().decode(KubernetesObject.self, from: Data(json.utf8))
        }
        func running(_ phase: String, node: String = "node-1") throws -> KubernetesObject {
            try object(
                #"{"kind":"Pod","metadata":{"name":"a","namespace":"default","labels":{"app":"web"}},"#
                    + #""spec":{"nodeName":"\#(node)"},"status":{"phase":"\#(phase)"}}"#)
        }
        func node(zone: String) throws -> KubernetesObject {
            try object(
                #"{"kind":"Node","metadata":{"name":"node-1","labels":{"topology.kubernetes.io/zone":"\#(zone)"}}}"#)
        }
        let store = ClusterStore(clusterName: "c")
        store.apply("ADDED", try node(zone: "a"))
        store.apply("ADDED", try running("Pending"))
        var version = store.joinVersion
        // A busy cluster: status updates and objects no join reads.
        store.apply("MODIFIED", try running("Running"))
        store.apply("ADDED", try object(#"{"kind":"ConfigMap","metadata":{"name":"lock","namespace":"default"}}"#))
        store.apply("MODIFIED", try object(#"{"kind":"ConfigMap","metadata":{"name":"lock","namespace":"default"}}"#))
        store.apply("MODIFIED", try node(zone: "a"))
        #expect(store.joinVersion == version)
        #expect(store.versionedSnapshot.version != version, "the topology still sees every change")
        // What a join reads.
        for change in [
            ("MODIFIED", try node(zone: "b")), ("MODIFIED", try running("Running", node: "node-2")),
            ("ADDED", try pod("b")),
        ] {
            store.apply(change.0, change.1)
            #expect(store.joinVersion != version, "\(change.0) \(change.1)")
            version = store.joinVersion
        }
        #expect(store.placement(ofPod: ObjectKey("default", "a"))?.node == "node-2")
    }

    @Test func placementsAreRememberedUntilTheStateChanges() throws {
        let store = ClusterStore(clusterName: "c")
        store.apply("ADDED", try pod("a", node: "node-1"))
        let version = store.versionedSnapshot.version
        #expect(store.placement(ofPod: ObjectKey("default", "a"))?.node == "node-1")
        #expect(store.placement(ofPod: ObjectKey("default", "a"))?.node == "node-1")
        #expect(store.versionedSnapshot.version == version, "reading changes nothing")
        // Rescheduled: the remembered placement must not outlive the change.
        store.apply("MODIFIED", try pod("a", node: "node-2"))
        #expect(store.versionedSnapshot.version != version)
        #expect(store.placement(ofPod: ObjectKey("default", "a"))?.node == "node-2")
        store.replaceAll("pods", with: [try pod("a", node: "node-3")])
        #expect(store.placement(ofPod: ObjectKey("default", "a"))?.node == "node-3")
        store.apply("DELETED", try pod("a", node: "node-3"))
        #expect(store.placement(ofPod: ObjectKey("default", "a"))?.node == "node-3", "joinable in the grace period")
    }

    @Test func podsMissingFromARelistEnterTheGracePeriodAndRecreatedOnesLeaveIt() throws {
        let clock = ManualClock()
        let store = ClusterStore(clusterName: "c") { clock.now }
        store.replaceAll("pods", with: [try pod("a"), try pod("b")])
        store.replaceAll("pods", with: [try pod("b")])
        #expect(store.snapshot.pods.count == 1)
        #expect(store.joinablePod(ObjectKey("default", "a")) != nil)
        #expect(store.recentlyDeletedPods == 1)
        store.apply("ADDED", try pod("a", node: "node-2"))
        #expect(store.recentlyDeletedPods == 0)
        #expect(store.joinablePod(ObjectKey("default", "a"))?.spec?.nodeName == "node-2")
    }

    @Test func otherKindsAreReplacedWithoutGrace() throws {
        let store = ClusterStore(clusterName: "c")
        let node = try JSONDecoder().decode(
            KubernetesObject.self, from: Data(#"{"kind":"Node","metadata":{"name":"n"}}"#.utf8))
        store.replaceAll("nodes", with: [node])
        #expect(store.snapshot.nodes.count == 1)
        store.replaceAll("nodes", with: [])
        #expect(store.snapshot.nodes.isEmpty)
        #expect(store.recentlyDeletedPods == 0)
    }
}
