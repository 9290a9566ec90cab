/// Spreads scrapes over the interval with an offset derived from the target, like vmagent and
/// Prometheus do: stable across restarts (so a target is scraped at the same phase after a
/// redeploy) and different between targets (so 200 targets do not all fire at once).
public enum ScrapeJitter {
    /// The offset of `target` within `interval`, from the target's ``ScrapeTarget/idHash``.
    public static func offset(for target: ScrapeTarget, interval: Duration) -> Duration {
        .milliseconds(phase(of: target, within: milliseconds(of: interval)))
    }

    /// How long to wait from `now` (wall-clock milliseconds since the epoch) for the target's first
    /// scrape: until wall-clock time reaches the target's ``offset(for:interval:)`` within the
    /// interval, as Prometheus aligns it. The phase is then the same after a restart, so a restarted
    /// bridge leaves a gap of its downtime rounded up to the interval, not up to an interval more.
    public static func firstWait(for target: ScrapeTarget, interval: Duration, now: Int64) -> Duration {
        let period = milliseconds(of: interval)
        let wait = (phase(of: target, within: period) - now % period) % period
        return .milliseconds(wait < 0 ? wait + period : wait)
    }

    private static func milliseconds(of interval: Duration) -> Int64 {
        let (seconds, attoseconds) = interval.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    private static func phase(of target: ScrapeTarget, within period: Int64) -> Int64 {
        Int64(target.idHash % UInt64(period))
    }
}
