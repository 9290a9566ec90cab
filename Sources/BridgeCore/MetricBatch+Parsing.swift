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
    public static func parse(
        _ body: UnsafeBufferPointer<UInt8>,
        format: ExpositionFormat,
        symbols: SymbolTable = SymbolTable(),
        issues: inout ParseIssues
    ) -> MetricBatch {
        var decoder = Decoder(batch: MetricBatch(symbols: symbols), format: format)
        var parser = ExpositionParser(body: body, format: format)
        while let entry = parser.next() {
            decoder.consume(entry, from: parser)
        }
        issues = parser.issues
        return decoder.batch
    }

    /// Parses `body`; see ``parse(_:format:symbols:issues:)``.
    public static func parse(
        _ body: [UInt8],
        format: ExpositionFormat,
        symbols: SymbolTable = SymbolTable(),
        issues: inout ParseIssues
    ) -> MetricBatch {
        body.withUnsafeBufferPointer { parse($0, format: format, symbols: symbols, issues: &issues) }
    }

    /// Turns parser entries into families and samples.
    private struct Decoder {
        var batch: MetricBatch
        let format: ExpositionFormat
        var scratch: [UInt8] = []
        var lastSampleName: Symbol?
        var currentHasSamples = false

        init(batch: MetricBatch, format: ExpositionFormat) {
            self.batch = batch
            self.format = format
            scratch.reserveCapacity(256)
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
            let name = batch.symbols.intern(UnsafeRawBufferPointer(parser.slice(parser.name)))
            if name != lastSampleName {
                if batch.families.isEmpty || !belongsToCurrentFamily(name) {
                    batch.beginFamily(name: name, type: nil, help: nil, unit: nil)
                }
                lastSampleName = name
            }
            currentHasSamples = true
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
