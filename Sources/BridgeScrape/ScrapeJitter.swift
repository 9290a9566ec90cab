/// Spreads scrapes over the interval with an offset derived from the target, like vmagent and
/// Prometheus do: stable across restarts (so a target is scraped at the same phase after a
/// redeploy) and different between targets (so 200 targets do not all fire at once).
public enum ScrapeJitter {
    /// The offset of `target` within `interval`, from the target's ``ScrapeTarget/idHash``.
    public static func offset(for target: ScrapeTarget, interval: Duration) -> Duration {
        let hash = target.idHash
        let (seconds, attoseconds) = interval.components
        let milliseconds = UInt64(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        return .milliseconds(Int64(hash % milliseconds))
    }
}
