extension MetricBatch {
    /// The batch with only the samples whose index `keep` accepts; families keep their metadata
    /// unless every one of their samples was removed. Symbols are shared, not copied.
    public func filteringSamples(_ keep: (Int) -> Bool) -> MetricBatch {
        var output = MetricBatch(symbols: symbols)
        output.reserveCapacity(samples: samples.count, labelsPerSample: labels.count / max(1, samples.count))
        for family in families {
            output.beginFamily(name: family.name, type: family.type, help: family.help, unit: family.unit)
            for index in family.sampleRange where keep(index) {
                output.appendCopy(of: samples[index], from: self)
            }
            if !family.sampleRange.isEmpty { output.removeLastFamilyIfEmpty() }
        }
        return output
    }

    /// Appends a sample of `source`, whose symbols must be valid in this batch's table, to the last
    /// family; `value` replaces the sample's value when given (staleness markers).
    public mutating func appendCopy(of sample: Sample, from source: MetricBatch, value: Double? = nil) {
        append(sample, from: source, labels: source.labels[sample.labelRange], value: value)
    }

    /// Appends a sample of `source` to the last family with `labels` (and `name`) in place of its
    /// own, keeping its timestamp and exemplar; symbols must be valid in this batch's table. With
    /// `value` (staleness markers) the value is replaced and the exemplar left out.
    public mutating func append(
        _ sample: Sample,
        from source: MetricBatch,
        name: Symbol? = nil,
        labels: some Sequence<Label>,
        value: Double? = nil
    ) {
        for label in labels { appendLabel(label) }
        var exemplar: (value: Double, timestamp: Int64?)?
        if value == nil, let index = sample.exemplar {
            let copied = source.exemplars[index]
            markExemplarLabelsStart()
            for label in source.labels[copied.labelRange] { appendLabel(label) }
            exemplar = (copied.value, copied.timestamp)
        }
        appendSample(
            name: name ?? sample.name,
            value: value ?? sample.value,
            timestamp: sample.timestamp,
            exemplar: exemplar
        )
    }
}
