/// The sleeping tasks of one ``CurlDriver``, earliest deadline last, so that the due ones come off
/// the end. Touched only under the driver's inbox lock.
///
/// A scrape loop sleeps once per interval and the deadlines of hundreds of targets are spread over
/// it, so a sorted array (a binary search and a move of a few hundred pointers per sleep) costs less
/// than keeping a heap, and the next deadline is its last element.
struct LoopTimers {
    private struct Timer {
        let deadline: ContinuousClock.Instant
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    /// Latest deadline first.
    private var timers: [Timer] = []
    /// Ids reserved and not yet added; a cancellation before the add takes the id out.
    private var reserved: Set<UInt64> = []
    private var lastID: UInt64 = 0

    /// Creates an empty set.
    init() {}

    /// An id for a timer about to be added; cancellation may name it before ``add(id:deadline:_:)``.
    mutating func reserveID() -> UInt64 {
        lastID &+= 1
        reserved.insert(lastID)
        return lastID
    }

    /// Adds a timer; false when its id was cancelled already (the caller resumes it).
    mutating func add(
        id: UInt64, deadline: ContinuousClock.Instant, _ continuation: CheckedContinuation<Void, any Error>
    ) -> Bool {
        guard reserved.remove(id) != nil else { return false }
        // The first index whose deadline is not later than this one: equal deadlines keep their
        // order of arrival (the earlier added sits nearer the end and fires first).
        var low = 0
        var high = timers.count
        while low < high {
            let middle = (low + high) / 2
            if timers[middle].deadline > deadline { low = middle + 1 } else { high = middle }
        }
        timers.insert(Timer(deadline: deadline, id: id, continuation: continuation), at: low)
        return true
    }

    /// Removes a timer and returns its continuation; nil when it is not there (fired already, or
    /// not added yet: then ``add(id:deadline:_:)`` refuses it).
    mutating func cancel(id: UInt64) -> CheckedContinuation<Void, any Error>? {
        guard let index = timers.firstIndex(where: { $0.id == id }) else {
            reserved.remove(id)
            return nil
        }
        return timers.remove(at: index).continuation
    }

    /// The earliest deadline, if any timer is set.
    var nextDeadline: ContinuousClock.Instant? { timers.last?.deadline }

    /// Removes and returns the timers due at `now`, earliest first.
    mutating func removeDue(at now: ContinuousClock.Instant) -> [CheckedContinuation<Void, any Error>] {
        var due: [CheckedContinuation<Void, any Error>] = []
        while let last = timers.last, last.deadline <= now {
            due.append(timers.removeLast().continuation)
        }
        return due
    }

    /// Removes and returns every timer.
    mutating func removeAll() -> [CheckedContinuation<Void, any Error>] {
        defer {
            timers.removeAll()
            reserved.removeAll()
        }
        return timers.reversed().map(\.continuation)
    }

    /// How many timers are set.
    var count: Int { timers.count }
}
