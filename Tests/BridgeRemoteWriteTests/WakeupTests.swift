import Testing

@testable import BridgeRemoteWrite

/// The event count the queue's senders and enqueuers wait on instead of polling.
@Suite struct WakeupTests {
    @Test func aSignalBetweenLookingAndWaitingIsNotLost() async {
        let wakeup = Wakeup()
        let seen = wakeup.generation
        wakeup.signal()
        let start = ContinuousClock.now
        await wakeup.wait(after: seen, timeout: .seconds(30))
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func withoutASignalTheWaitEndsAtItsTimeout() async {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        await wakeup.wait(after: wakeup.generation, timeout: .milliseconds(200))
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(200) && waited < .seconds(5))
    }

    @Test func oneSignalWakesEveryWaiterAtOnce() async {
        let wakeup = Wakeup()
        let seen = wakeup.generation
        let start = ContinuousClock.now
        await withTaskGroup(of: Duration.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await wakeup.wait(after: seen, timeout: .seconds(30))
                    return ContinuousClock.now - start
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
            wakeup.signal()
            for await waited in group { #expect(waited < .seconds(5)) }
        }
    }

    @Test func cancellingAWaiterEndsItsWait() async {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        let waiter = Task { await wakeup.wait(after: wakeup.generation, timeout: .seconds(30)) }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await waiter.value
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
