/// Spreads scrapes over the interval with an offset derived from the target, like vmagent and
/// Prometheus do: stable across restarts (so a target is scraped at the same phase after a
/// redeploy) and different between targets (so 200 targets do not all fire at once).
public enum ScrapeJitter {
    /// The offset of `target` within `interval`, from FNV-1a 64 of the target's id.
    public static func offset(for target: ScrapeTarget, interval: Duration) -> Duration {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in target.id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let (seconds, attoseconds) = interval.components
        let milliseconds = UInt64(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        return .milliseconds(Int64(hash % milliseconds))
    }
}
