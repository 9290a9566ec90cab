import BridgeTestPeers
import Foundation
import Testing

@testable import BridgeHTTP

/// The event loops of an ``HTTPClient``: tasks, timers and requests on one driver thread.
@Suite struct HTTPLoopTests {
    @Test func aLoopsTaskSleepsRequestsAndResumesOnTheLoopsThread() async throws {
        let server = try FixtureServer()
        let client = HTTPClient(userAgent: "stackbridge-test", threads: 2)
        let loop = client.loop(for: 1)
        let (started, afterSleep, sameDriver, afterRequest, status) = try await withTaskExecutorPreference(
            loop.executor
        ) {
            let started = loop.driver.isCurrent
            try await loop.clock.sleep(until: .now + .milliseconds(20))
            let afterSleep = loop.driver.isCurrent
            // A request from the loop's task goes through the loop's own driver.
            let sameDriver = client.currentDriver === loop.driver
            let response = try await client.execute(HTTPRequest(url: server.baseURL + "/metrics?series=3"))
            return (started, afterSleep, sameDriver, loop.driver.isCurrent, response.status)
        }
        #expect(started && afterSleep && sameDriver && afterRequest)
        #expect(status == 200)
        #expect(!loop.driver.isCurrent)
    }

    @Test func keysKeepTheirLoopAndSpreadOverTheThreads() {
        let client = HTTPClient(userAgent: "stackbridge-test", threads: 2)
        let keys = (0..<40).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        let drivers = keys.map { ObjectIdentifier(client.loop(for: $0).driver) }
        #expect(drivers == keys.map { ObjectIdentifier(client.loop(for: $0).driver) })
        #expect(Set(drivers).count == 2)
        let single = HTTPClient(userAgent: "stackbridge-test")
        #expect(Set(keys.map { ObjectIdentifier(single.loop(for: $0).driver) }).count == 1)
    }

    @Test func timersFireAtTheirDeadlinesInDeadlineOrder() async throws {
        let client = HTTPClient(userAgent: "stackbridge-test")
        let loop = client.loop(for: 7)
        let clock = loop.clock
        let start = clock.now
        var order: [Int] = []
        var late = Duration.zero
        await withThrowingTaskGroup(of: (Int, Duration).self) { group in
            // Added latest first, so that order of arrival cannot pass for order of deadline; on the
            // loop, so that a cooperative pool busy with other tests does not start them late.
            for index in (0..<6).reversed() {
                let deadline = start + .milliseconds(60 + 40 * index)
                group.addTask(executorPreference: loop.executor) {
                    try await clock.sleep(until: deadline)
                    return (index, deadline.duration(to: clock.now))
                }
            }
            while let (index, lateness) = try? await group.next() {
                order.append(index)
                late = max(late, lateness)
            }
        }
        #expect(order == Array(0..<6))
        // Never early; late by a millisecond of poll resolution plus scheduling on a busy machine.
        #expect(late >= .zero && late < .milliseconds(500))
    }

    @Test func cancellingASleepEndsItAtOnce() async throws {
        let client = HTTPClient(userAgent: "stackbridge-test")
        let loop = client.loop(for: 7)
        let clock = loop.clock
        // The sleeper runs on the loop, and times its own wake-up there: the cooperative pool, which
        // other suites can hold for seconds in a full run, plays no part in what is measured.
        let sleeper = Task(executorPreference: loop.executor) {
            () -> (error: (any Error)?, at: ContinuousClock.Instant) in
            do {
                try await clock.sleep(until: clock.now + .seconds(60))
                return (nil, clock.now)
            } catch {
                return (error, clock.now)
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        let cancelled = ContinuousClock.now
        sleeper.cancel()
        let (error, woken) = await sleeper.value
        #expect(error is CancellationError)
        // Not the 60 s of the sleep: woken once cancelled (the bound only absorbs a slow machine).
        #expect(woken - cancelled < .seconds(5))
        // A cancelled task does not sleep at all.
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: clock.now + .seconds(60))
        }
        await #expect(throws: CancellationError.self) { try await cancelledFirst.value }
    }

    @Test func shuttingDownWakesSleepersAndLeavesNoTaskBehind() async throws {
        let client = HTTPClient(userAgent: "stackbridge-test")
        let loop = client.loop(for: 7)
        let sleeper = Task {
            await withTaskExecutorPreference(loop.executor) {
                do {
                    try await loop.clock.sleep(until: loop.clock.now + .seconds(60))
                    return "slept"
                } catch {
                    // Still a task of the stopped loop: its jobs run elsewhere from now on.
                    await Task.yield()
                    return "woken by \(type(of: error))"
                }
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        client.shutdown()
        #expect(await sleeper.value == "woken by CancellationError")
        await #expect(throws: CancellationError.self) {
            try await loop.clock.sleep(until: loop.clock.now + .seconds(1))
        }
    }

    @Test func theLoopsPollWaitsUntilTheNextTimerRoundedUp() {
        let now = ContinuousClock.now
        #expect(CurlDriver.pollMilliseconds(until: nil, now: now) == 1000)
        #expect(CurlDriver.pollMilliseconds(until: now - .milliseconds(5), now: now) == 0)
        #expect(CurlDriver.pollMilliseconds(until: now, now: now) == 0)
        #expect(CurlDriver.pollMilliseconds(until: now + .microseconds(1), now: now) == 1)
        #expect(CurlDriver.pollMilliseconds(until: now + .microseconds(2500), now: now) == 3)
        #expect(CurlDriver.pollMilliseconds(until: now + .milliseconds(999), now: now) == 999)
        #expect(CurlDriver.pollMilliseconds(until: now + .seconds(30), now: now) == 1000)
    }
}
