#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension MetricBatch {
    /// Parses a whole exposition into a batch, recording rejected lines in `issues`.
    ///
    /// Strings are interned into `symbols`; pass the table of the previous scrape of the same target
    /// to reuse its strings. Samples are grouped into families: a `# HELP`, `# TYPE` or `# UNIT`
    /// line starts a family (or completes the current one while it has no samples yet), and a
    /// sample whose name the current family cannot carry starts a family without metadata.
    ///
    /// `expected`, the shape of the last parse of the same target over a table `symbols` extends,
    /// changes nothing in the result, only its cost: a sample line that spells exactly the series
    /// of the sample at the same place last time takes that series' symbols without lexing or
    /// interning its labels.
    public static func parse(
        _ body: UnsafeBufferPointer<UInt8>,
        format: ExpositionFormat,
        symbols: SymbolTable = SymbolTable(),
        expected: SeriesShape? = nil,
        issues: inout ParseIssues
    ) -> MetricBatch {
        var knownLines = 0
        return parse(
            body, format: format, symbols: symbols, expected: expected, issues: &issues, knownLines: &knownLines)
    }

    /// ``parse(_:format:symbols:expected:issues:)``, also counting the sample lines that took the
    /// series of `expected` without lexing their labels.
    static func parse(
        _ body: UnsafeBufferPointer<UInt8>,
        format: ExpositionFormat,
        symbols: SymbolTable,
        expected: SeriesShape?,
        issues: inout ParseIssues,
        knownLines: inout Int
    ) -> MetricBatch {
        var decoder = Decoder(batch: MetricBatch(symbols: symbols), format: format, expected: expected)
        var parser = ExpositionParser(body: body, format: format)
        while let entry = parser.next(matching: &decoder) {
            if entry == .sample && parser.isKnownSeries { knownLines += 1 }
            decoder.consume(entry, from: parser)
        }
        issues = parser.issues
        decoder.batch.stopSharingLabels()
        return decoder.batch
    }

    /// Parses `body`; see ``parse(_:format:symbols:expected:issues:)``.
    public static func parse(
        _ body: [UInt8],
        format: ExpositionFormat,
        symbols: SymbolTable = SymbolTable(),
        expected: SeriesShape? = nil,
        issues: inout ParseIssues
    ) -> MetricBatch {
        body.withUnsafeBufferPointer {
            parse($0, format: format, symbols: symbols, expected: expected, issues: &issues)
        }
    }

    /// Turns parser entries into families and samples.
    private struct Decoder: KnownSeriesMatcher {
        var batch: MetricBatch
        let format: ExpositionFormat
        var scratch: [UInt8] = []
        var lastSampleName: Symbol?
        var currentHasSamples = false
        let expected: SeriesShape?
        /// Sample lines in a row that did not spell the expected series. After a line is added or
        /// removed every later line is out of step with the shape; past a few, only every 64th
        /// line is tried, in case they fall into step again.
        var misses = 0

        init(batch: MetricBatch, format: ExpositionFormat, expected: SeriesShape?) {
            self.batch = batch
            self.format = format
            self.expected = expected
            scratch.reserveCapacity(256)
            if let expected {
                // A steady scrape repeats the last one's series: its samples fit, its labels are shared.
                self.batch.samples.reserveCapacity(expected.count)
                self.batch.shareLabels(expected.labelArray)
            }
        }

        mutating func knownSeriesLength(in line: UnsafeRawBufferPointer) -> Int? {
            guard let expected, batch.samples.count < expected.count else { return nil }
            guard misses < 16 || misses % 64 == 0,
                let length = expected.seriesTextLength(of: batch.samples.count, in: line, symbols: batch.symbols)
            else {
                misses += 1
                return nil
            }
            misses = 0
            return length
        }

        mutating func consume(_ entry: ExpositionParser.Entry, from parser: ExpositionParser) {
            switch entry {
            case .help:
                let help = internText(parser.slice(parser.text), unescape: parser.textHasEscapes)
                metadata(parser, isSet: { $0.help != nil }) {
                    $0.updateLastFamily(help: help)
                } begin: {
                    $0.beginFamily(name: $1, type: nil, help: help, unit: nil)
                }
            case .type:
                let type = parser.type
                metadata(parser, isSet: { $0.type != nil }) {
                    $0.updateLastFamily(type: type)
                } begin: {
                    $0.beginFamily(name: $1, type: type, help: nil, unit: nil)
                }
            case .unit:
                let unit = batch.symbols.intern(UnsafeRawBufferPointer(parser.slice(parser.text)))
                metadata(parser, isSet: { $0.unit != nil }) {
                    $0.updateLastFamily(unit: unit)
                } begin: {
                    $0.beginFamily(name: $1, type: nil, help: nil, unit: unit)
                }
            case .sample:
                appendSample(parser)
            }
        }

        /// Applies a metadata line to the current family if it names it, has no samples yet and
        /// lacks this piece of metadata; otherwise starts a new family.
        private mutating func metadata(
            _ parser: ExpositionParser,
            isSet: (Family) -> Bool,
            update: (inout MetricBatch) -> Void,
            begin: (inout MetricBatch, Symbol) -> Void
        ) {
            let name = batch.symbols.intern(UnsafeRawBufferPointer(parser.slice(parser.name)))
            if let family = batch.families.last, family.name == name, !currentHasSamples, !isSet(family) {
                update(&batch)
            } else {
                begin(&batch, name)
                currentHasSamples = false
                lastSampleName = nil
            }
        }

        private mutating func appendSample(_ parser: ExpositionParser) {
            if parser.isKnownSeries, let expected {
                let index = batch.samples.count
                let name = expected.name(at: index)
                beginSample(named: name)
                if batch.appendSample(
                    name: name, value: parser.value, timestamp: parser.timestamp,
                    sharedLabels: expected.labelRange(at: index))
                {
                    return
                }
                batch.appendLabels(expected.labels(at: index))
                batch.appendSample(name: name, value: parser.value, timestamp: parser.timestamp, exemplar: nil)
                return
            }
            let name = batch.symbols.intern(UnsafeRawBufferPointer(parser.slice(parser.name)))
            beginSample(named: name)
            let tokens = parser.labels
            for index in 0..<tokens.count {
                if index == parser.sampleLabelCount { batch.markExemplarLabelsStart() }
                let token = tokens[index]
                let labelName = batch.symbols.intern(UnsafeRawBufferPointer(parser.slice(token.name)))
                let value = internText(parser.slice(token.value), unescape: token.escaped, quotes: true)
                batch.appendLabel(Label(name: labelName, value: value))
            }
            if parser.exemplar != nil && parser.sampleLabelCount == tokens.count { batch.markExemplarLabelsStart() }
            batch.appendSample(name: name, value: parser.value, timestamp: parser.timestamp, exemplar: parser.exemplar)
        }

        /// Starts a family for a sample called `name` unless the current one can carry it.
        private mutating func beginSample(named name: Symbol) {
            if name != lastSampleName {
                if batch.families.isEmpty || !belongsToCurrentFamily(name) {
                    batch.beginFamily(name: name, type: nil, help: nil, unit: nil)
                }
                lastSampleName = name
            }
            currentHasSamples = true
        }

        /// Whether a sample called `name` can be part of the current family, from the suffixes its type allows.
        private func belongsToCurrentFamily(_ name: Symbol) -> Bool {
            guard let family = batch.families.last else { return false }
            if family.type == nil && family.help == nil && family.unit == nil {
                return family.name == name
            }
            let suffixes = (family.type ?? .unknown).sampleSuffixes(in: format)
            return batch.symbols.withBytes(family.name) { familyBytes in
                batch.symbols.withBytes(name) { sampleBytes in
                    suffixes.contains { suffix in
                        Self.equals(sampleBytes, familyBytes, suffix: suffix)
                    }
                }
            }
        }

        private static func equals(_ sample: UnsafeRawBufferPointer, _ family: UnsafeRawBufferPointer, suffix: String)
            -> Bool
        {
            let suffixBytes = suffix.utf8
            guard sample.count == family.count + suffixBytes.count else { return false }
            if family.count > 0 && memcmp(sample.baseAddress!, family.baseAddress!, family.count) != 0 {
                return false
            }
            return zip(sample[family.count...], suffixBytes).allSatisfy { $0 == $1 }
        }

        private mutating func internText(
            _ bytes: UnsafeBufferPointer<UInt8>,
            unescape: Bool,
            quotes: Bool? = nil
        ) -> Symbol {
            guard unescape else { return batch.symbols.intern(UnsafeRawBufferPointer(bytes)) }
            scratch.removeAll(keepingCapacity: true)
            TextEscaping.unescape(bytes, quotes: quotes ?? (format == .openMetrics), into: &scratch)
            return batch.symbols.intern(scratch)
        }
    }
}
