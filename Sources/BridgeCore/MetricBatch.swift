/// The series of one exposition: families in input order, each with its samples, over one symbol table.
///
/// This is the unit every stage passes on: the parser fills it, relabeling and enrichment rewrite it,
/// the writers emit it. Storage is columnar (flat arrays of fixed-size records plus interned strings),
/// so a scrape of 100,000 series is a handful of allocations, not hundreds of thousands.
public struct MetricBatch: Sendable {
    /// A metric family: its metadata and the contiguous range of its samples in ``samples``.
    public struct Family: Sendable, Hashable {
        /// The family name as declared (or the sample name for a family without metadata).
        public var name: Symbol
        /// The declared type; nil when no `# TYPE` line named the family.
        public var type: MetricType?
        /// The help text, unescaped; nil when there was no `# HELP` line.
        public var help: Symbol?
        /// The unit (OpenMetrics `# UNIT`); nil when absent.
        public var unit: Symbol?
        /// Indices of the family's samples in ``MetricBatch/samples``.
        public var sampleRange: Range<Int>
    }

    /// An OpenMetrics exemplar attached to a sample.
    public struct Exemplar: Sendable, Hashable {
        /// Indices of the exemplar's labels in ``MetricBatch/labels``.
        public var labelRange: Range<Int>
        /// The exemplar value.
        public var value: Double
        /// The exemplar timestamp in milliseconds, if given.
        public var timestamp: Int64?
    }

    /// The strings every symbol in this batch refers to.
    public var symbols: SymbolTable
    /// Families in input order.
    public private(set) var families: [Family] = []
    /// Samples in input order; each family owns a contiguous range.
    public internal(set) var samples: [Sample] = []
    /// Label pairs of all samples and exemplars.
    public private(set) var labels: [Label] = []
    /// Exemplars of all samples.
    public private(set) var exemplars: [Exemplar] = []
    private var pendingLabelStart = 0

    /// Creates an empty batch over `symbols` (a fresh table by default).
    public init(symbols: SymbolTable = SymbolTable()) {
        self.symbols = symbols
    }

    /// Reserves room for `count` samples with `labelsPerSample` labels each.
    public mutating func reserveCapacity(samples count: Int, labelsPerSample: Int) {
        reserveCapacity(samples: count, labels: count * labelsPerSample)
    }

    /// Reserves room for `count` samples carrying `labelCount` labels between them.
    public mutating func reserveCapacity(samples count: Int, labels labelCount: Int) {
        samples.reserveCapacity(count)
        labels.reserveCapacity(labelCount)
    }

    /// The labels of `sample`.
    public func labels(of sample: Sample) -> ArraySlice<Label> {
        labels[sample.labelRange]
    }

    /// The value of the label named `name` on `sample`, if present.
    public func value(of name: Symbol, in sample: Sample) -> Symbol? {
        for label in labels[sample.labelRange] where label.name == name { return label.value }
        return nil
    }

    /// Starts a new family; the samples appended next belong to it.
    public mutating func beginFamily(name: Symbol, type: MetricType?, help: Symbol?, unit: Symbol?) {
        precondition(
            pendingLabelStart == labels.count || sharesLabels, "beginFamily between appendLabel and appendSample")
        let start = samples.count
        families.append(Family(name: name, type: type, help: help, unit: unit, sampleRange: start..<start))
    }

    /// Changes the metadata of the last family; used when `# HELP` follows `# TYPE` or the reverse.
    public mutating func updateLastFamily(type: MetricType?? = nil, help: Symbol?? = nil, unit: Symbol?? = nil) {
        guard let last = families.indices.last else { return }
        if let type { families[last].type = type }
        if let help { families[last].help = help }
        if let unit { families[last].unit = unit }
    }

    /// Removes the last family if it has no samples; relabeling uses it so that a family whose
    /// every series was dropped does not leave its metadata behind.
    public mutating func removeLastFamilyIfEmpty() {
        if let last = families.last, last.sampleRange.isEmpty { families.removeLast() }
    }

    /// Removes every explicit sample timestamp, for targets whose timestamps are not honoured.
    public mutating func removeTimestamps() {
        for index in samples.indices { samples[index].timestamp = nil }
    }

    /// An identity of a sample's series that does not depend on label order: the name and every
    /// label pair, each mixed from the symbols' content hashes and summed. Equal label sets give
    /// equal identities in any table; different ones collide with probability about 2^-64.
    public func seriesIdentity(of sample: Sample) -> UInt64 {
        var identity = Self.mix(symbols.contentHash(of: sample.name))
        for label in labels[sample.labelRange] {
            let pair =
                symbols.contentHash(of: label.name) &* 0x9E37_79B9_7F4A_7C15 ^ symbols.contentHash(of: label.value)
            identity = identity &+ Self.mix(pair)
        }
        return identity
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var mixed = value ^ (value >> 33)
        mixed = mixed &* 0xFF51_AFD7_ED55_8CCD
        mixed ^= mixed >> 33
        mixed = mixed &* 0xC4CE_B9FE_1A85_EC53
        return mixed ^ (mixed >> 33)
    }

    /// Adds one label to the sample being built; ``appendSample(name:value:timestamp:)`` completes it.
    public mutating func appendLabel(_ label: Label) {
        if sharesLabels { stopSharingLabels() }
        labels.append(label)
    }

    /// Adds labels to the sample being built, as ``appendLabel(_:)`` does one by one.
    public mutating func appendLabels(_ more: ArraySlice<Label>) {
        if sharesLabels { stopSharingLabels() }
        labels.append(contentsOf: more)
    }

    /// Drops labels appended since the last completed sample, for a line that turned out invalid.
    public mutating func discardPendingLabels() {
        if sharesLabels { stopSharingLabels() }
        labels.removeSubrange(pendingLabelStart...)
        exemplarLabelsStart = nil
    }

    // MARK: Labels shared with an earlier batch

    /// Whether ``labels`` is, past ``pendingLabelStart``, another batch's label array that the
    /// samples appended so far match from its start: see ``shareLabels(_:)``.
    private var sharesLabels = false

    /// Takes `earlier`, the label array of an earlier batch of the same series, as this empty
    /// batch's own, without copying it: while each sample appended with
    /// ``appendSample(name:value:timestamp:sharedLabels:)`` has exactly the labels found at the
    /// same place in `earlier`, nothing is written. A steady scrape parses into a batch whose labels
    /// equal the last one's, so it holds no second copy of them (about 800,000 labels, 6 MB, for
    /// kube-state-metrics of 11,000 pods). Anything else appended first cuts the array back to the
    /// labels used so far, which copies them once.
    mutating func shareLabels(_ earlier: [Label]) {
        precondition(samples.isEmpty && labels.isEmpty, "shareLabels on a batch that holds samples")
        labels = earlier
        sharesLabels = true
    }

    /// Completes a sample whose labels are `range` of the shared array, which must follow the
    /// last sample's; false, adding nothing, when the batch shares no labels (any more) or
    /// `range` is not the next one in it.
    mutating func appendSample(name: Symbol, value: Double, timestamp: Int64?, sharedLabels range: Range<Int>)
        -> Bool
    {
        guard sharesLabels, range.lowerBound == pendingLabelStart, range.upperBound <= labels.count,
            !families.isEmpty
        else { return false }
        complete(Sample(name: name, labelRange: range, value: value, timestamp: timestamp, exemplar: nil))
        return true
    }

    /// Ends sharing: the labels past the last sample's are dropped, and the array becomes this
    /// batch's own (copied on the next write, as any shared array). Parsing calls it at the end.
    mutating func stopSharingLabels() {
        guard sharesLabels else { return }
        sharesLabels = false
        if labels.count > pendingLabelStart { labels.removeSubrange(pendingLabelStart...) }
    }

    /// Completes a sample from the labels appended since the last one, in the last family.
    ///
    /// When the sample carries an exemplar, append the sample's labels, then call
    /// ``markExemplarLabelsStart()``, append the exemplar's labels and pass the exemplar here.
    public mutating func appendSample(
        name: Symbol,
        value: Double,
        timestamp: Int64?,
        exemplar: (value: Double, timestamp: Int64?)? = nil
    ) {
        precondition(!families.isEmpty, "appendSample before beginFamily")
        if sharesLabels { stopSharingLabels() }
        var labelEnd = labels.count
        var exemplarIndex: Int?
        if let exemplar {
            labelEnd = exemplarLabelsStart ?? labels.count
            let range = labelEnd..<labels.count
            exemplarIndex = exemplars.count
            exemplars.append(Exemplar(labelRange: range, value: exemplar.value, timestamp: exemplar.timestamp))
        }
        exemplarLabelsStart = nil
        complete(
            Sample(
                name: name, labelRange: pendingLabelStart..<labelEnd, value: value, timestamp: timestamp,
                exemplar: exemplarIndex),
            nextLabelStart: labels.count)
    }

    /// Adds `sample` to the last family; the next sample's labels start at `nextLabelStart` (by
    /// default right after this one's).
    private mutating func complete(_ sample: Sample, nextLabelStart: Int? = nil) {
        samples.append(sample)
        pendingLabelStart = nextLabelStart ?? sample.labelRange.upperBound
        families[families.count - 1].sampleRange = families[families.count - 1].sampleRange.lowerBound..<samples.count
    }

    private var exemplarLabelsStart: Int?

    /// Marks where the exemplar's labels begin among the labels appended for the current sample.
    public mutating func markExemplarLabelsStart() {
        if sharesLabels { stopSharingLabels() }
        exemplarLabelsStart = labels.count
    }
}

extension Double {
    /// Prometheus' staleness marker, a NaN with a fixed payload (remote write spec 1.0, "Stale
    /// markers"); sent for a series that disappeared. No other NaN may carry these bits.
    public static let staleMarker = Double(bitPattern: 0x7FF0_0000_0000_0002)

    /// Whether this is the staleness marker (compared by bits: NaN is unequal to itself).
    public var isStaleMarker: Bool { bitPattern == 0x7FF0_0000_0000_0002 }
}
