import BridgeCore
import BridgeHTTP

/// The per-target limits Prometheus 2.42 checks after relabeling (`sample_limit`, `label_limit`,
/// `label_name_length_limit`, `label_value_length_limit`; 0 means none). Any one exceeded fails
/// the whole scrape, with Prometheus' wording in the message.
///
/// Lengths are in bytes, as Go's `len` counts them, and the count of labels includes `__name__`,
/// as a Prometheus label set does. The labels counted are those the series is exposed with: the
/// target's, the topology's and what relabeling left.
enum ScrapeLimitCheck {
    /// The first limit `batch` exceeds, as the failure to report; nil when all hold.
    static func firstExceeded(in batch: MetricBatch, target: ScrapeTarget) -> ScrapeFailure? {
        let samples = batch.samples.count
        if target.sampleLimit > 0 && samples > target.sampleLimit {
            return ScrapeFailure(
                reason: "sample_limit",
                message: "sample_limit exceeded: \(samples) samples after relabeling, limit \(target.sampleLimit)")
        }
        let labelLimit = target.labelLimit
        let nameLimit = target.labelNameLengthLimit
        let valueLimit = target.labelValueLengthLimit
        guard labelLimit > 0 || nameLimit > 0 || valueLimit > 0 else { return nil }
        let symbols = batch.symbols
        for sample in batch.samples {
            let labels = batch.labels(of: sample)
            if labelLimit > 0 && labels.count + 1 > labelLimit {
                return ScrapeFailure(
                    reason: "label_limit",
                    message: "label_limit exceeded (metric: \(text(sample.name, symbols)), number of labels: "
                        + "\(labels.count + 1), limit: \(labelLimit))")
            }
            if valueLimit > 0 && symbols.length(of: sample.name) > valueLimit {
                return valueFailure(sample, name: "__name__", value: sample.name, symbols, valueLimit)
            }
            for label in labels {
                if nameLimit > 0 && symbols.length(of: label.name) > nameLimit {
                    return ScrapeFailure(
                        reason: "label_name_length_limit",
                        message: "label_name_length_limit exceeded (metric: \(text(sample.name, symbols)), label name: "
                            + "\(text(label.name, symbols)), length: \(symbols.length(of: label.name)), limit: \(nameLimit))"
                    )
                }
                if valueLimit > 0 && symbols.length(of: label.value) > valueLimit {
                    return valueFailure(
                        sample, name: symbols.string(label.name), value: label.value, symbols, valueLimit)
                }
            }
        }
        return nil
    }

    private static func valueFailure(
        _ sample: MetricBatch.Sample, name: String, value: Symbol, _ symbols: SymbolTable, _ limit: Int
    ) -> ScrapeFailure {
        ScrapeFailure(
            reason: "label_value_length_limit",
            message: "label_value_length_limit exceeded (metric: \(text(sample.name, symbols)), label name: "
                + "\(PeerText.quote(String(name.prefix(50)))), value: \(text(value, symbols)), length: "
                + "\(symbols.length(of: value)), limit: \(limit))")
    }

    /// The first 50 characters of a symbol from the target, quoted and escaped for a log line
    /// (Prometheus prints `%.50s`).
    private static func text(_ symbol: Symbol, _ symbols: SymbolTable) -> String {
        PeerText.quote(String(symbols.string(symbol).prefix(50)))
    }
}
