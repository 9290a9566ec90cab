import Testing

@testable import BridgeHTTP

/// The event count the queue's senders and enqueuers wait on instead of polling. Waits that should
/// end early have a two-minute timeout and must end within one: generous, since a full test run
/// can stall the cooperative pool for seconds, yet unmistakable when a wake-up is lost.
@Suite struct WakeupTests {
    @Test func aSignalBetweenLookingAndWaitingIsNotLost() async {
        let wakeup = Wakeup()
        let seen = wakeup.generation
        wakeup.signal()
        let start = ContinuousClock.now
        await wakeup.wait(after: seen, timeout: .seconds(120))
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func withoutASignalTheWaitEndsAtItsTimeout() async {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        await wakeup.wait(after: wakeup.generation, timeout: .milliseconds(200))
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(200) && waited < .seconds(60))
    }

    @Test func oneSignalWakesEveryWaiterAtOnce() async {
        let wakeup = Wakeup()
        let seen = wakeup.generation
        let start = ContinuousClock.now
        await withTaskGroup(of: Duration.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await wakeup.wait(after: seen, timeout: .seconds(120))
                    return ContinuousClock.now - start
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
            wakeup.signal()
            for await waited in group { #expect(waited < .seconds(60)) }
        }
    }

    @Test func cancellingAWaiterEndsItsWait() async {
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        let waiter = Task { await wakeup.wait(after: wakeup.generation, timeout: .seconds(120)) }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await waiter.value
        #expect(ContinuousClock.now - start < .seconds(60))
    }

    @Test func onAnHTTPLoopsClockTheWaitTimesOutAndWakesAsOnAnyOther() async {
        let client = HTTPClient(userAgent: "t")
        let loop = client.loop(for: 1)
        let wakeup = Wakeup()
        await withTaskExecutorPreference(loop.executor) {
            let start = ContinuousClock.now
            await wakeup.wait(after: wakeup.generation, timeout: .milliseconds(200), clock: loop.clock)
            let waited = ContinuousClock.now - start
            #expect(waited >= .milliseconds(200) && waited < .seconds(60))
            let seen = wakeup.generation
            let signaller = Task {
                try? await Task.sleep(for: .milliseconds(100))
                wakeup.signal()
            }
            let again = ContinuousClock.now
            await wakeup.wait(after: seen, timeout: .seconds(120), clock: loop.clock)
            #expect(ContinuousClock.now - again < .seconds(60))
            await signaller.value
        }
    }

    @Test func aLoopWhoseClientShutDownStillWaitsItsTimeoutRatherThanSpinning() async {
        // The loop's clock refuses every sleep once its client is gone; a sender waiting on it
        // would otherwise return at once and spin.
        let loop = HTTPClient(userAgent: "t").loop(for: 0)
        let wakeup = Wakeup()
        let start = ContinuousClock.now
        await wakeup.wait(after: wakeup.generation, timeout: .milliseconds(300), clock: loop.clock)
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(300) && waited < .seconds(60))
    }
}
