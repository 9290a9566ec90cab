import BridgeCore

extension RemoteWriteBatch {
    /// Appends every sample of `batch` as a remote-write series: `__name__`, the sample's labels,
    /// then each of `extraLabels` the sample does not already carry (the `job` and `instance` a
    /// Prometheus scrape would give it). Samples without their own timestamp get `timestamp`;
    /// staleness markers keep their special NaN.
    public mutating func append(
        _ batch: MetricBatch, extraLabels: [(name: String, value: String)], timestamp: Int64
    ) {
        var strings: [Symbol: String] = [:]
        func string(_ symbol: Symbol) -> String {
            if let known = strings[symbol] { return known }
            let value = batch.symbols.string(symbol)
            strings[symbol] = value
            return value
        }
        var pairs: [(name: String, value: String)] = []
        for sample in batch.samples {
            pairs.removeAll(keepingCapacity: true)
            pairs.append(("__name__", string(sample.name)))
            for label in batch.labels(of: sample) { pairs.append((string(label.name), string(label.value))) }
            for extra in extraLabels where !pairs.contains(where: { $0.name == extra.name }) { pairs.append(extra) }
            append(labels: pairs, value: sample.value, timestamp: sample.timestamp ?? timestamp)
        }
    }
}
