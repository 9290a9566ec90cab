/// A metric family as plain Swift values: the readable, comparable form of a ``MetricBatch`` family.
///
/// Tests, fixtures and cold paths use it; the hot path stays on symbols. Values compare bit for bit
/// except that any two NaNs are equal, since the text formats cannot carry NaN payloads.
public struct MetricFamilyValue: Hashable, Sendable, CustomStringConvertible {
    /// The family name.
    public var name: String
    /// The declared type, if any.
    public var type: MetricType?
    /// The unescaped help text, if any.
    public var help: String?
    /// The unit, if any.
    public var unit: String?
    /// The samples in order.
    public var samples: [MetricSampleValue]

    /// Creates a family value.
    public init(
        name: String,
        type: MetricType? = nil,
        help: String? = nil,
        unit: String? = nil,
        samples: [MetricSampleValue] = []
    ) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
    }

    /// A one-line summary for test failure messages.
    public var description: String {
        "\(name) type=\(type?.rawValue ?? "-") help=\(help.debugDescription) unit=\(unit ?? "-") "
            + samples.map(\.description).joined(separator: " | ")
    }
}

/// One sample as plain Swift values.
public struct MetricSampleValue: Hashable, Sendable, CustomStringConvertible {
    /// The metric name of the sample.
    public var name: String
    /// Label pairs in order.
    public var labels: [LabelPair]
    /// The value.
    public var value: Double
    /// Explicit timestamp in milliseconds.
    public var timestamp: Int64?
    /// The exemplar, if any.
    public var exemplar: ExemplarValue?

    /// Creates a sample value.
    public init(
        name: String,
        labels: [LabelPair] = [],
        value: Double,
        timestamp: Int64? = nil,
        exemplar: ExemplarValue? = nil
    ) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
        self.exemplar = exemplar
    }

    /// Compares with NaN equal to NaN.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.labels == rhs.labels && sameFloat(lhs.value, rhs.value)
            && lhs.timestamp == rhs.timestamp && lhs.exemplar == rhs.exemplar
    }

    /// Hashes consistently with ``==``.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(labels)
        hasher.combine(value.isNaN ? Double.nan.bitPattern : value.bitPattern)
    }

    /// A one-line rendering for test failure messages.
    public var description: String {
        let pairs = labels.map { "\($0.name)=\($0.value.debugDescription)" }.joined(separator: ",")
        return "\(name){\(pairs)} \(value)" + (timestamp.map { " @\($0)" } ?? "")
            + (exemplar.map { " # \($0)" } ?? "")
    }
}

/// A label name and value as strings.
public struct LabelPair: Hashable, Sendable {
    /// The label name.
    public var name: String
    /// The label value.
    public var value: String

    /// Creates a pair.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An exemplar as plain Swift values.
public struct ExemplarValue: Hashable, Sendable, CustomStringConvertible {
    /// Exemplar labels in order.
    public var labels: [LabelPair]
    /// The exemplar value.
    public var value: Double
    /// The timestamp in milliseconds.
    public var timestamp: Int64?

    /// Creates an exemplar value.
    public init(labels: [LabelPair], value: Double, timestamp: Int64? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// Compares with NaN equal to NaN.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.labels == rhs.labels && sameFloat(lhs.value, rhs.value) && lhs.timestamp == rhs.timestamp
    }

    /// Hashes consistently with ``==``.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(labels)
    }

    /// A short rendering for test failure messages.
    public var description: String {
        "{" + labels.map { "\($0.name)=\($0.value.debugDescription)" }.joined(separator: ",") + "} \(value)"
            + (timestamp.map { " @\($0)" } ?? "")
    }
}

private func sameFloat(_ lhs: Double, _ rhs: Double) -> Bool {
    lhs.bitPattern == rhs.bitPattern || (lhs.isNaN && rhs.isNaN)
}

extension MetricBatch {
    /// Builds a batch from family values, interning every string.
    public init(_ values: [MetricFamilyValue]) {
        self.init()
        for family in values {
            beginFamily(
                name: symbols.intern(family.name),
                type: family.type,
                help: family.help.map { symbols.intern($0) },
                unit: family.unit.map { symbols.intern($0) }
            )
            for sample in family.samples {
                for pair in sample.labels {
                    appendLabel(Label(name: symbols.intern(pair.name), value: symbols.intern(pair.value)))
                }
                var exemplar: (value: Double, timestamp: Int64?)?
                if let value = sample.exemplar {
                    markExemplarLabelsStart()
                    for pair in value.labels {
                        appendLabel(Label(name: symbols.intern(pair.name), value: symbols.intern(pair.value)))
                    }
                    exemplar = (value.value, value.timestamp)
                }
                appendSample(
                    name: symbols.intern(sample.name),
                    value: sample.value,
                    timestamp: sample.timestamp,
                    exemplar: exemplar
                )
            }
        }
    }

    /// The batch as family values (allocates a string per label; not for the hot path).
    public var familyValues: [MetricFamilyValue] {
        families.map { family in
            MetricFamilyValue(
                name: symbols.string(family.name),
                type: family.type,
                help: family.help.map { symbols.string($0) },
                unit: family.unit.map { symbols.string($0) },
                samples: samples[family.sampleRange].map(sampleValue)
            )
        }
    }

    private func sampleValue(_ sample: Sample) -> MetricSampleValue {
        MetricSampleValue(
            name: symbols.string(sample.name),
            labels: labelPairs(sample.labelRange),
            value: sample.value,
            timestamp: sample.timestamp,
            exemplar: sample.exemplar.map { index in
                let exemplar = exemplars[index]
                return ExemplarValue(
                    labels: labelPairs(exemplar.labelRange),
                    value: exemplar.value,
                    timestamp: exemplar.timestamp
                )
            }
        )
    }

    private func labelPairs(_ range: Range<Int>) -> [LabelPair] {
        labels[range].map { LabelPair(symbols.string($0.name), symbols.string($0.value)) }
    }
}
