import Testing

@testable import BridgeHTTP

/// The timer set of a driver, without threads: continuations are made and resumed in one task.
@Suite struct LoopTimersTests {
    /// Adds timers at the given offsets (milliseconds) and returns the offsets in the order they
    /// come due at `now + until`.
    private func fire(_ offsets: [Int], until: Int) async -> [Int] {
        let start = ContinuousClock.now
        var timers = LoopTimers()
        let woken = await withTaskGroup(of: Int.self) { group -> [Int] in
            var resumers: [(Int, CheckedContinuation<Void, any Error>)] = []
            for offset in offsets {
                let continuation = await withCheckedContinuation {
                    (made: CheckedContinuation<CheckedContinuation<Void, any Error>, Never>) in
                    group.addTask {
                        try? await withCheckedThrowingContinuation { made.resume(returning: $0) }
                        return offset
                    }
                }
                resumers.append((offset, continuation))
            }
            for (offset, continuation) in resumers {
                let id = timers.reserveID()
                let added = timers.add(id: id, deadline: start + .milliseconds(offset), continuation)
                #expect(added)
            }
            let due = timers.removeDue(at: start + .milliseconds(until))
            // Resumed one at a time, each awaited, so that the order seen is the order of `due`.
            var order: [Int] = []
            for continuation in due {
                continuation.resume()
                order.append(await group.next()!)
            }
            for continuation in timers.removeAll() { continuation.resume() }
            await group.waitForAll()
            return order
        }
        return woken
    }

    @Test func dueTimersComeOffEarliestFirstAndOnlyWhenDue() async {
        #expect(await fire([50, 10, 30, 20, 40], until: 35) == [10, 20, 30])
        #expect(await fire([5, 5, 1], until: 5) == [1, 5, 5])
        #expect(await fire([100], until: 99) == [])
    }

    @Test func nextDeadlineIsTheEarliest() async {
        var timers = LoopTimers()
        #expect(timers.nextDeadline == nil)
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for offset in [30, 10, 20] {
                let continuation = await withCheckedContinuation {
                    (made: CheckedContinuation<CheckedContinuation<Void, any Error>, Never>) in
                    group.addTask { try? await withCheckedThrowingContinuation { made.resume(returning: $0) } }
                }
                let id = timers.reserveID()
                let added = timers.add(id: id, deadline: start + .milliseconds(offset), continuation)
                #expect(added)
            }
            #expect(timers.nextDeadline == start + .milliseconds(10))
            #expect(timers.count == 3)
            for continuation in timers.removeAll() { continuation.resume() }
        }
        #expect(timers.nextDeadline == nil)
    }

    @Test func aCancelBeforeTheAddIsRememberedAndOneAfterTheFireIsNot() async {
        var timers = LoopTimers()
        let early = timers.reserveID()
        let cancelledEarly = timers.cancel(id: early)
        #expect(cancelledEarly == nil)
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            let continuation = await withCheckedContinuation {
                (made: CheckedContinuation<CheckedContinuation<Void, any Error>, Never>) in
                group.addTask { try? await withCheckedThrowingContinuation { made.resume(returning: $0) } }
            }
            // The id was cancelled: the add refuses, and the caller resumes the continuation.
            let refused = !timers.add(id: early, deadline: start, continuation)
            #expect(refused)
            #expect(timers.count == 0)
            let id = timers.reserveID()
            let added = timers.add(id: id, deadline: start + .seconds(60), continuation)
            #expect(added)
            let removed = timers.cancel(id: id)
            #expect(removed != nil)
            #expect(timers.count == 0)
            removed?.resume(throwing: CancellationError())
            // Cancelled again after it left (fired or cancelled): nothing to do, nothing kept.
            let again = timers.cancel(id: id)
            #expect(again == nil)
        }
    }
}
