import BridgeKubernetes
import BridgeTopology
import Testing

@Suite struct EventQueueTests {
    func event(_ uid: String, count: Int? = nil, reason: String = "Started") -> KubernetesEvent {
        var event = KubernetesEvent(
            metadata: ObjectMeta(name: "e-\(uid)", namespace: "default", uid: uid), reason: reason, type: "Normal")
        event.deprecatedCount = count
        return event
    }

    @Test func theFirstListIsHistoryAndWatchesAreNews() {
        let queue = EventQueue()
        queue.listed([event("a"), event("b")])
        #expect(queue.drain().isEmpty)
        queue.watched("ADDED", event("c"))
        queue.watched("MODIFIED", event("a", count: 2))
        queue.watched("MODIFIED", event("a", count: 2))  // same count: nothing new
        queue.watched("DELETED", event("b"))
        #expect(queue.drain().map { "\($0.metadata.uid!)x\($0.count)" } == ["cx1", "ax2"])
        #expect(queue.drain().isEmpty)
    }

    @Test func aRelistQueuesOnlyWhatChangedWhileUnwatched() {
        let queue = EventQueue()
        queue.listed([event("a"), event("b")])
        queue.listed([event("a"), event("b", count: 3), event("d")])
        #expect(queue.drain().map(\.metadata.uid) == ["b", "d"])
    }

    @Test func aFullQueueDropsTheOldestAndCountsThem() {
        let queue = EventQueue(capacity: 3)
        queue.listed([])
        for index in 0..<10 { queue.watched("ADDED", event("e\(index)")) }
        #expect(queue.count == 3)
        #expect(queue.dropped == 7)
        #expect(queue.drain().map(\.metadata.uid) == ["e7", "e8", "e9"])
        #expect(queue.count == 0)
    }
}
