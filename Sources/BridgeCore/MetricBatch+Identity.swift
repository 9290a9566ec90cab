extension MetricBatch {
    /// Whether `other` holds the same batch bit for bit: families, samples (values compared by
    /// their bits, so NaNs and staleness markers count), labels, exemplars, and as many symbols.
    /// Checks that two ways of building a batch (a parse guided by the last shape and a plain one)
    /// agree; `==` on samples would call every NaN different.
    public func isIdentical(to other: MetricBatch) -> Bool {
        families == other.families && labels == other.labels && symbols.count == other.symbols.count
            && samples.count == other.samples.count && exemplars.count == other.exemplars.count
            && zip(samples, other.samples).allSatisfy { a, b in
                a.name == b.name && a.labelRange == b.labelRange && a.value.bitPattern == b.value.bitPattern
                    && a.timestamp == b.timestamp && a.exemplar == b.exemplar
            }
            && zip(exemplars, other.exemplars).allSatisfy { a, b in
                a.labelRange == b.labelRange && a.value.bitPattern == b.value.bitPattern && a.timestamp == b.timestamp
            }
    }
}
