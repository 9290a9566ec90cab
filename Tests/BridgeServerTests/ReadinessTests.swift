import BridgeServer
import Synchronization
import Testing

/// Waiting for a readiness condition, as the first scrapes wait for the topology.
@Suite struct ReadinessTests {
    @Test func aWaitEndsWhenTheConditionIsMarked() async {
        let readiness = Readiness(conditions: ["synced", "other"])
        let start = ContinuousClock.now
        async let met = readiness.wait(for: "synced", atMost: .seconds(30))
        try? await Task.sleep(for: .milliseconds(200))
        readiness.mark("synced")
        #expect(await met)
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(readiness.missing == ["other"])
    }

    @Test func aCheckTurnsReadinessOffWhileItNamesAProblem() {
        let readiness = Readiness(conditions: ["synced"])
        readiness.mark("synced")
        let problem = Mutex<String?>(nil)
        readiness.addCheck { problem.withLock { $0.map { [$0] } ?? [] } }
        #expect(readiness.isReady)
        problem.withLock { $0 = "kubernetes pods out of sync for 31 s" }
        #expect(!readiness.isReady && readiness.missing == ["kubernetes pods out of sync for 31 s"])
        problem.withLock { $0 = nil }
        #expect(readiness.isReady)
    }

    @Test func aWaitEndsAtItsLimitWhenTheConditionIsNotMarked() async {
        let readiness = Readiness(conditions: ["synced"])
        let start = ContinuousClock.now
        #expect(await readiness.wait(for: "synced", atMost: .milliseconds(300)) == false)
        #expect(ContinuousClock.now - start >= .milliseconds(300))
    }

    @Test func aConditionAlreadyMetDoesNotWait() async {
        let readiness = Readiness(conditions: ["synced"])
        readiness.mark("synced")
        #expect(await readiness.wait(for: "synced", atMost: .zero))
    }

    @Test func aCancelledWaitEndsAtOnce() async {
        let readiness = Readiness(conditions: ["synced"])
        let waiting = Task { await readiness.wait(for: "synced", atMost: .seconds(600)) }
        try? await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        #expect(await waiting.value == false)
    }
}
