/// Writes a ``MetricBatch`` as text 0.0.4 or OpenMetrics 1.0.
///
/// Families are written in batch order with their metadata first. Sample timestamps are left out
/// unless ``includeTimestamps`` is set: a scraper that sees explicit timestamps pins sample times
/// and gets no staleness markers (Prometheus docs, querying/basics.md), which is never what
/// StackLight wants from the bridge.
///
/// Where the formats differ the writer keeps series names stable and adapts the metadata:
/// - a counter whose samples lack `_total` (legal in 0.0.4) is declared `unknown` in OpenMetrics,
///   because renaming it would change the series a dashboard queries;
/// - a 0.0.4 counter family `x_total` is declared as `x` in OpenMetrics, as the spec requires;
/// - types 0.0.4 lacks (info, stateset) become `untyped`; gauge histograms and `_created` samples
///   are written without metadata; units and exemplars are OpenMetrics only.
public struct ExpositionWriter: Sendable {
    /// The format to write.
    public var format: ExpositionFormat
    /// Whether samples keep their explicit timestamps.
    public var includeTimestamps: Bool

    /// Creates a writer for `format`.
    public init(format: ExpositionFormat, includeTimestamps: Bool = false) {
        self.format = format
        self.includeTimestamps = includeTimestamps
    }

    /// Appends the whole batch to `output`; for OpenMetrics this ends with `# EOF`.
    public func emit(_ batch: MetricBatch, into output: inout [UInt8]) {
        for family in batch.families {
            emit(family, of: batch, into: &output)
        }
        if format == .openMetrics { output.append(contentsOf: "# EOF\n".utf8) }
    }

    /// The whole batch as a string (tests and tools; the server uses ``emit(_:into:)``).
    public func string(_ batch: MetricBatch) -> String {
        var output: [UInt8] = []
        emit(batch, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private func emit(_ family: MetricBatch.Family, of batch: MetricBatch, into output: inout [UInt8]) {
        emitHeader(family, of: batch, into: &output)
        for sample in batch.samples[family.sampleRange] {
            emit(sample, of: batch, into: &output)
        }
    }

    /// The HELP, TYPE and UNIT lines of `family`, as the format wants them.
    func emitHeader(_ family: MetricBatch.Family, of batch: MetricBatch, into output: inout [UInt8]) {
        let symbols = batch.symbols
        let samples = batch.samples[family.sampleRange]
        guard let header = header(for: family, samples: samples, symbols: symbols) else { return }
        if let help = family.help {
            output.append(contentsOf: "# HELP ".utf8)
            output.append(contentsOf: header.name)
            output.append(UInt8(ascii: " "))
            symbols.withBytes(help) { TextEscaping.escape($0, quotes: format == .openMetrics, into: &output) }
            output.append(0x0A)
        }
        if let type = header.type {
            output.append(contentsOf: "# TYPE ".utf8)
            output.append(contentsOf: header.name)
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: type.token(in: format).utf8)
            output.append(0x0A)
        }
        if format == .openMetrics, let unit = family.unit {
            output.append(contentsOf: "# UNIT ".utf8)
            output.append(contentsOf: header.name)
            output.append(UInt8(ascii: " "))
            symbols.append(unit, to: &output)
            output.append(0x0A)
        }
    }

    func emit(_ sample: MetricBatch.Sample, of batch: MetricBatch, into output: inout [UInt8]) {
        let symbols = batch.symbols
        symbols.append(sample.name, to: &output)
        emitLabels(batch.labels[sample.labelRange], symbols: symbols, into: &output)
        output.append(UInt8(ascii: " "))
        NumberFormatting.appendValue(sample.value, to: &output)
        if includeTimestamps, let timestamp = sample.timestamp {
            output.append(UInt8(ascii: " "))
            NumberFormatting.appendTimestamp(timestamp, format: format, to: &output)
        }
        if format == .openMetrics, let index = sample.exemplar {
            let exemplar = batch.exemplars[index]
            output.append(contentsOf: " # ".utf8)
            emitLabels(batch.labels[exemplar.labelRange], symbols: symbols, always: true, into: &output)
            output.append(UInt8(ascii: " "))
            NumberFormatting.appendValue(exemplar.value, to: &output)
            if let timestamp = exemplar.timestamp {
                output.append(UInt8(ascii: " "))
                NumberFormatting.appendTimestamp(timestamp, format: .openMetrics, to: &output)
            }
        }
        output.append(0x0A)
    }

    private func emitLabels(
        _ labels: ArraySlice<Label>,
        symbols: SymbolTable,
        always: Bool = false,
        into output: inout [UInt8]
    ) {
        guard always || !labels.isEmpty else { return }
        output.append(UInt8(ascii: "{"))
        var first = true
        for label in labels {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            symbols.append(label.name, to: &output)
            output.append(UInt8(ascii: "="))
            output.append(UInt8(ascii: "\""))
            if symbols.needsEscaping(label.value) {
                symbols.withBytes(label.value) { TextEscaping.escape($0, quotes: true, into: &output) }
            } else {
                symbols.append(label.value, to: &output)
            }
            output.append(UInt8(ascii: "\""))
        }
        output.append(UInt8(ascii: "}"))
    }
}
