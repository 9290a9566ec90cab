extension MetricBatch {
    /// The series of a batch without their values and timestamps: families with their metadata,
    /// and each sample's name and labels as symbols, in order. Two batches over one symbol table (or
    /// over tables where one extends the other, as a scrape's reused table does) have equal shapes
    /// exactly when they expose the same series in the same order, so whatever was worked out from
    /// one series' labels holds for the other's (``ScrapeProcessor`` reuses its enrichment).
    ///
    /// Samples with exemplars have no shape: an exemplar's labels change from scrape to scrape.
    public struct SeriesShape: Sendable {
        private let families: [Family]
        private let names: [Symbol]
        private let labelEnds: [Int32]
        /// The batch's label array itself, shared rather than copied.
        private let labels: [Label]

        /// The shape of `batch`, or nil when a sample carries an exemplar.
        public init?(_ batch: MetricBatch) {
            guard batch.exemplars.isEmpty else { return nil }
            families = batch.families
            names = batch.samples.map(\.name)
            var ends: [Int32] = []
            ends.reserveCapacity(batch.samples.count)
            var next = 0
            for sample in batch.samples {
                // Samples' labels are back to back in parse order; anything else has no shape.
                guard sample.labelRange.lowerBound == next else { return nil }
                next = sample.labelRange.upperBound
                ends.append(Int32(next))
            }
            labelEnds = ends
            labels = next == batch.labels.count ? batch.labels : Array(batch.labels[..<next])
        }

        /// Whether `batch` has this shape, found without building its own: every steady scrape
        /// asks, and most answers are yes.
        public func describes(_ batch: MetricBatch) -> Bool {
            guard batch.exemplars.isEmpty, batch.samples.count == names.count, batch.families == families else {
                return false
            }
            var next = 0
            for (index, sample) in batch.samples.enumerated() {
                guard sample.name == names[index], sample.labelRange.lowerBound == next,
                    sample.labelRange.upperBound == Int(labelEnds[index])
                else { return false }
                next = sample.labelRange.upperBound
            }
            guard next == labels.count, batch.labels.count >= next else { return false }
            // A batch parsed against this shape usually holds this very array (``MetricBatch/shareLabels(_:)``).
            let same = batch.labels.withUnsafeBufferPointer { theirs in
                labels.withUnsafeBufferPointer { ours in theirs.baseAddress == ours.baseAddress }
            }
            return same || batch.labels[..<next].elementsEqual(labels)
        }

        /// The number of samples.
        var count: Int { names.count }

        /// The name of sample `index`.
        func name(at index: Int) -> Symbol { names[index] }

        /// The labels of sample `index`.
        func labels(at index: Int) -> ArraySlice<Label> {
            labels[labelRange(at: index)]
        }

        /// Where the labels of sample `index` are in ``labelArray``.
        func labelRange(at index: Int) -> Range<Int> {
            (index == 0 ? 0 : Int(labelEnds[index - 1]))..<Int(labelEnds[index])
        }

        /// The labels of every sample, back to back: the array of the batch the shape was taken of.
        var labelArray: [Label] { labels }

        /// The length of sample `index`'s series text if `line` starts with it, spelled as writers
        /// spell it (``SymbolTable/seriesTextLength(name:labels:in:)``); `symbols` must extend the
        /// table the shape was taken over.
        func seriesTextLength(of index: Int, in line: UnsafeRawBufferPointer, symbols: SymbolTable) -> Int? {
            symbols.seriesTextLength(name: names[index], labels: labels(at: index), in: line)
        }
    }

    /// Sets every sample's value to what `value` gives for its index, keeping timestamps.
    public mutating func setSampleValues(_ value: (Int) -> Double) {
        for index in samples.indices { samples[index].value = value(index) }
    }

    /// Sets the value and timestamp of every sample `index` to those of sample `sources[index]` of
    /// `source`: a batch whose series were worked out before takes the values of a new scrape.
    public mutating func copySampleValues(from source: MetricBatch, sources: [Int32]) {
        precondition(sources.count == samples.count, "one source per sample")
        source.samples.withUnsafeBufferPointer { from in
            samples.withUnsafeMutableBufferPointer { to in
                for index in to.indices {
                    let sample = from[Int(sources[index])]
                    to[index].value = sample.value
                    to[index].timestamp = sample.timestamp
                }
            }
        }
    }
}
