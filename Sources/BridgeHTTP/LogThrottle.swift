import Synchronization

/// One log line per reason per interval for a failure that repeats: the first occurrence is logged,
/// later ones within `interval` are counted, and the next line says how many were left out.
/// A receiver refusing every batch, or a peer failing every request, then costs a few lines an
/// hour rather than one per request.
public final class LogThrottle: Sendable {
    /// The shortest time between two lines of one reason.
    public let interval: Duration
    private let entries = Mutex<[String: (last: ContinuousClock.Instant, suppressed: Int)]>([:])

    /// A throttle allowing one line per reason every `interval`.
    public init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    /// Whether a line for `reason` is due at `now`: nil when not, else how many occurrences were
    /// left out since the last line (for the line to say).
    public func admit(_ reason: String, now: ContinuousClock.Instant = .now) -> Int? {
        entries.withLock { entries in
            if let entry = entries[reason], entry.last.advanced(by: interval) > now {
                entries[reason]!.suppressed += 1
                return nil
            }
            let suppressed = entries[reason]?.suppressed ?? 0
            entries[reason] = (now, 0)
            return suppressed
        }
    }
}
