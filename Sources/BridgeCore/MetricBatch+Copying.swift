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

extension MetricBatch {
    /// Rewrites the label set of every sample in place of the batch: `rewrite` gets each sample's
    /// labels (to change, add or remove) and the batch's symbol table (to intern new strings).
    /// Families, names, values, timestamps and exemplars are kept. The one rebuilding loop behind
    /// target series labels and enrichment. `adding` is the most labels `rewrite` adds to one
    /// sample: the label storage is reserved for that once, since growing it by doubling would
    /// leave up to half of it unused for as long as the batch is served (docs/performance.md).
    public mutating func rewriteLabels(
        adding: Int = 8, _ rewrite: (_ labels: inout [Label], _ symbols: inout SymbolTable) -> Void
    ) {
        var symbols = self.symbols
        self.symbols = SymbolTable(capacity: 1)
        var output = MetricBatch(symbols: SymbolTable(capacity: 1))
        let perSample = (labels.count + samples.count - 1) / max(1, samples.count)
        output.reserveCapacity(samples: samples.count, labelsPerSample: perSample + adding)
        var working: [Label] = []
        for family in families {
            output.beginFamily(name: family.name, type: family.type, help: family.help, unit: family.unit)
            for sample in samples[family.sampleRange] {
                working.removeAll(keepingCapacity: true)
                working.append(contentsOf: labels(of: sample))
                rewrite(&working, &symbols)
                output.append(sample, from: self, labels: working)
            }
        }
        output.symbols = symbols
        self = output
    }
}
