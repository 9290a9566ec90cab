/// Decides when a failing target is worth a log line, so that a target down for a day logs a
/// handful of lines, not one per scrape: the first failure, a change of reason, then at most one
/// line per ``repeatEvery`` with the number of failures in between; and the recovery.
struct FailureLog<Instant: InstantProtocol> where Instant.Duration == Duration {
    enum Decision: Equatable {
        case none
        case failing(suppressed: Int)
        case recovered(afterFailures: Int)
    }

    let repeatEvery: Duration
    private var reason: String?
    private var lastLogged: Instant?
    private var failures = 0
    private var suppressed = 0

    init(repeatEvery: Duration = .seconds(300)) {
        self.repeatEvery = repeatEvery
    }

    mutating func record(failure: String?, at now: Instant) -> Decision {
        guard let failure else {
            defer {
                reason = nil
                failures = 0
                suppressed = 0
                lastLogged = nil
            }
            return failures > 0 ? .recovered(afterFailures: failures) : .none
        }
        failures += 1
        if failure != reason || lastLogged.map({ $0.advanced(by: repeatEvery) <= now }) ?? true {
            let count = suppressed
            reason = failure
            lastLogged = now
            suppressed = 0
            return .failing(suppressed: count)
        }
        suppressed += 1
        return .none
    }
}
