extension ExpositionWriter {
    /// Writes several batches (one per target) as one exposition: a family name that appears in more
    /// than one batch is written once, with the metadata of its first appearance that has any, and the
    /// samples of every batch in batch order. Text 0.0.4 forbids a second HELP or TYPE for a name, which Prometheus
    /// (and `promtool check metrics`) reject, so concatenating per-target outputs is not enough.
    public func emit(merging batches: [MetricBatch], into output: inout [UInt8]) {
        var order: [String] = []
        var parts: [String: [(batch: Int, family: Int)]] = [:]
        for (batchIndex, batch) in batches.enumerated() {
            for (familyIndex, family) in batch.families.enumerated() {
                let name = batch.symbols.string(family.name)
                if parts[name] == nil { order.append(name) }
                parts[name, default: []].append((batchIndex, familyIndex))
            }
        }
        for name in order {
            let pieces = parts[name] ?? []
            guard let first = pieces.first else { continue }
            // The first piece with metadata speaks for the family.
            let speaker =
                pieces.first { piece in
                    let family = batches[piece.batch].families[piece.family]
                    return family.type != nil || family.help != nil
                } ?? first
            let speakerBatch = batches[speaker.batch]
            emitHeader(speakerBatch.families[speaker.family], of: speakerBatch, into: &output)
            for piece in pieces {
                let batch = batches[piece.batch]
                for sample in batch.samples[batch.families[piece.family].sampleRange] {
                    emit(sample, of: batch, into: &output)
                }
            }
        }
        if format == .openMetrics { output.append(contentsOf: "# EOF\n".utf8) }
    }
}
