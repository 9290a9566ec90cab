/// Applies a list of ``RelabelConfig`` rules to series, in order, as Prometheus does.
///
/// The engine works on the symbols of a ``MetricBatch`` and remembers, per rule and per batch, the
/// outcome for each distinct input value. Scrapes repeat values (namespaces, pods, containers) many
/// times, so the regex engine and string conversions run once per distinct value, not per series.
public struct Relabeler: Sendable {
    /// The rules, in order.
    public let rules: [RelabelConfig]

    /// Creates an engine for `rules`.
    public init(_ rules: [RelabelConfig]) {
        self.rules = rules
    }

    /// Whether there is nothing to do.
    public var isEmpty: Bool { rules.isEmpty }

    /// Relabels every sample of `batch`: drops what the rules drop, rewrites labels and names.
    ///
    /// `__name__` is the sample name. A sample whose name the rules remove, empty or make invalid
    /// is dropped, and a sample renamed out of its family moves to a family of its own at the end.
    /// Returns how many samples were dropped.
    ///
    /// `targetLabels` are added to every sample that lacks them before the rules run, as a scrape's
    /// target labels are there when Prometheus applies `write_relabel_configs`; they stay on the
    /// samples that are kept.
    @discardableResult
    public func apply(to batch: inout MetricBatch, adding targetLabels: [LabelPair] = []) -> Int {
        guard !rules.isEmpty else { return 0 }
        var symbols = batch.symbols
        batch.symbols = SymbolTable(capacity: 1)
        let extra = targetLabels.map { Label(name: symbols.intern($0.name), value: symbols.intern($0.value)) }
        var session = Session(rules: rules, symbols: &symbols)
        var output = MetricBatch(symbols: SymbolTable(capacity: 1))
        output.reserveCapacity(samples: batch.samples.count, labelsPerSample: 8)
        var moved: [(name: Symbol, labels: [Label], sample: MetricBatch.Sample)] = []
        var working: [Label] = []
        var dropped = 0
        for family in batch.families {
            output.beginFamily(name: family.name, type: family.type, help: family.help, unit: family.unit)
            for sample in batch.samples[family.sampleRange] {
                working.removeAll(keepingCapacity: true)
                working.append(Label(name: session.nameLabel, value: sample.name))
                working.append(contentsOf: batch.labels[sample.labelRange])
                for label in extra where !working.contains(where: { $0.name == label.name }) {
                    working.append(label)
                }
                guard session.process(&working, symbols: &symbols),
                    let nameIndex = working.firstIndex(where: { $0.name == session.nameLabel })
                else {
                    dropped += 1
                    continue
                }
                let name = working.remove(at: nameIndex).value
                if name != sample.name
                    && !symbols.withBytes(name, { TextEscaping.isMetricName($0.assumingMemoryBound(to: UInt8.self)) })
                {
                    // A rule renamed the series to something no exposition can carry.
                    dropped += 1
                    continue
                }
                if name != sample.name {
                    moved.append((name, working, sample))
                    continue
                }
                output.append(sample, from: batch, name: name, labels: working)
            }
            if !family.sampleRange.isEmpty { output.removeLastFamilyIfEmpty() }
        }
        var movedFamilies: [Symbol: [Int]] = [:]
        var order: [Symbol] = []
        for (index, entry) in moved.enumerated() {
            if movedFamilies[entry.name] == nil { order.append(entry.name) }
            movedFamilies[entry.name, default: []].append(index)
        }
        for name in order {
            output.beginFamily(name: name, type: nil, help: nil, unit: nil)
            for index in movedFamilies[name]! {
                output.append(moved[index].sample, from: batch, name: name, labels: moved[index].labels)
            }
        }
        output.symbols = symbols
        batch = output
        return dropped
    }

    /// Relabels one label set given as strings; nil when the rules drop it. For tests and cold paths.
    public func apply(to pairs: [LabelPair]) -> [LabelPair]? {
        var symbols = SymbolTable()
        var labels = pairs.map { Label(name: symbols.intern($0.name), value: symbols.intern($0.value)) }
        var session = Session(rules: rules, symbols: &symbols)
        guard session.process(&labels, symbols: &symbols) else { return nil }
        return labels.map { LabelPair(symbols.string($0.name), symbols.string($0.value)) }
    }
}
