import BridgeCore

extension RemoteWriteBatch {
    /// Appends every sample of `batch` as a remote-write series: `__name__`, the sample's labels,
    /// then each of `extraLabels` the sample does not already carry (the `job` and `instance` a
    /// Prometheus scrape would give it). Samples without their own timestamp get `timestamp`;
    /// staleness markers keep their special NaN.
    ///
    /// The work is ``SeriesConverter``'s.
    public mutating func append(
        _ batch: MetricBatch, extraLabels: [(name: String, value: String)], timestamp: Int64
    ) {
        var destinations = [self]
        self = RemoteWriteBatch()
        Self.append(batch, extraLabels: extraLabels, timestamp: timestamp, sharding: &destinations)
        self = destinations[0]
    }

    /// Like ``append(_:extraLabels:timestamp:)``, but each series goes to the batch of
    /// `destinations` its hash picks (`hash % count`), as ``RemoteWriteQueue`` shards them: the
    /// queue then takes each shard's part whole instead of copying series one by one.
    public static func append(
        _ batch: MetricBatch, extraLabels: [(name: String, value: String)], timestamp: Int64,
        sharding destinations: inout [RemoteWriteBatch]
    ) {
        guard !batch.samples.isEmpty, !destinations.isEmpty else { return }
        var converter = SeriesConverter(batch, extraLabels: extraLabels)
        converter.append(batch.samples.indices, timestamp: timestamp, sharding: &destinations)
    }
}

/// Converts the samples of one ``MetricBatch`` into remote-write series, in as many steps as the
/// caller likes: the set-up (every distinct label name ranked in byte order, once) is paid once,
/// and each ``append(_:timestamp:sharding:)`` converts a range of samples, so that a large
/// scrape can be converted and queued a slice at a time instead of held whole (docs/performance.md).
///
/// This runs for every sample forwarded, so it works on bytes, not strings: each distinct symbol's
/// bytes and hash are copied once into a scratch buffer, and a sample's labels are put in order by
/// an insertion sort of small integers.
public struct SeriesConverter {
    private let batch: MetricBatch
    private var scratch = ScratchStrings()
    private var refs: [Int32]
    private var symbolRank: [Int32]
    private let metricName: Int32
    private let metricNameRank: Int32
    private let extras: [(name: Int32, value: Int32)]
    private let extraRanks: [Int32]
    private var parts: [(rank: Int32, name: StringRef, value: StringRef)] = []
    private var sorted: [(name: StringRef, value: StringRef)] = []

    /// A converter for `batch` adding `extraLabels` (the `job` and `instance` a Prometheus scrape
    /// would give a series) where a sample lacks them.
    public init(_ batch: MetricBatch, extraLabels: [(name: String, value: String)]) {
        self.batch = batch
        let symbols = batch.symbols
        var scratch = ScratchStrings()
        var refs = [Int32](repeating: -1, count: symbols.count)
        let metricName = scratch.add("__name__")
        let extras = extraLabels.filter { !$0.name.isEmpty && !$0.value.isEmpty }.map {
            (name: scratch.add($0.name), value: scratch.add($0.value))
        }
        // Ranks of every label name in byte order; equal bytes share a rank.
        var nameRefs = Set<Int32>([metricName] + extras.map(\.name))
        for sample in batch.samples {
            for label in batch.labels(of: sample) {
                let index = Int(label.name.rawValue)
                if refs[index] < 0 { refs[index] = scratch.add(label.name, of: symbols) }
                nameRefs.insert(refs[index])
            }
        }
        let ordered = nameRefs.sorted { scratch.precedes($0, $1) }
        var rank = [Int32: Int32]()
        var current: Int32 = -1
        for (index, name) in ordered.enumerated() {
            if index == 0 || scratch.precedes(ordered[index - 1], name) { current += 1 }
            rank[name] = current
        }
        var symbolRank = [Int32](repeating: -1, count: symbols.count)
        for (index, reference) in refs.enumerated() where reference >= 0 {
            symbolRank[index] = rank[reference] ?? -1
        }
        self.scratch = scratch
        self.refs = refs
        self.symbolRank = symbolRank
        self.metricName = metricName
        self.metricNameRank = rank[metricName]!
        self.extras = extras
        self.extraRanks = extras.map { rank[$0.name]! }
    }

    /// The scratch reference of `symbol`, copying its bytes on first use.
    private mutating func ref(_ symbol: Symbol) -> Int32 {
        let index = Int(symbol.rawValue)
        if refs[index] < 0 { refs[index] = scratch.add(symbol, of: batch.symbols) }
        return refs[index]
    }

    /// Appends samples `range` of the batch, each to the destination its series hash picks.
    /// Samples without their own timestamp get `timestamp`; staleness markers keep their NaN.
    public mutating func append(_ range: Range<Int>, timestamp: Int64, sharding destinations: inout [RemoteWriteBatch])
    {
        guard !destinations.isEmpty else { return }
        var encoded = EncodedSeries(first: range.lowerBound)
        encode(range, into: &encoded)
        encoded.write(range, values: batch, timestamp: timestamp, sharding: &destinations)
    }

    /// Appends the series of samples `range` (which must start where `encoded` ends) to
    /// `encoded`: their labels sorted and in wire form, with their hashes.
    public mutating func encode(_ range: Range<Int>, into encoded: inout EncodedSeries) {
        precondition(range.lowerBound == encoded.samples.upperBound, "series are encoded in order")
        for sample in batch.samples[range] {
            parts.removeAll(keepingCapacity: true)
            parts.append((metricNameRank, scratch.refs[Int(metricName)], scratch.refs[Int(ref(sample.name))]))
            for label in batch.labels(of: sample) {
                let value = ref(label.value)
                guard scratch.refs[Int(value)].length > 0 else { continue }
                let name = ref(label.name)
                guard scratch.refs[Int(name)].length > 0 else { continue }
                parts.append((symbolRank[Int(label.name.rawValue)], scratch.refs[Int(name)], scratch.refs[Int(value)]))
            }
            for (index, extra) in extras.enumerated() where !parts.contains(where: { $0.rank == extraRanks[index] }) {
                parts.append((extraRanks[index], scratch.refs[Int(extra.name)], scratch.refs[Int(extra.value)]))
            }
            // A handful of labels: insertion sort, no allocation.
            for index in 1..<max(1, parts.count) {
                let part = parts[index]
                var position = index
                while position > 0 && parts[position - 1].rank > part.rank {
                    parts[position] = parts[position - 1]
                    position -= 1
                }
                parts[position] = part
            }
            sorted.removeAll(keepingCapacity: true)
            for part in parts { sorted.append((part.name, part.value)) }
            sorted.withUnsafeBufferPointer { parts in
                scratch.bytes.withUnsafeBufferPointer { bytes in _ = encoded.append(parts, in: bytes) }
            }
        }
    }
}

/// The strings of one conversion: bytes back to back, and a reference (offset, length, hash) per
/// string added.
struct ScratchStrings {
    var bytes: [UInt8] = []
    var refs: [StringRef] = []

    /// Adds the bytes of `symbol`; returns the reference's index.
    mutating func add(_ symbol: Symbol, of table: SymbolTable) -> Int32 {
        let offset = Int32(bytes.count)
        table.append(symbol, to: &bytes)
        refs.append(
            StringRef(offset: offset, length: Int32(table.length(of: symbol)), hash: table.contentHash(of: symbol)))
        return Int32(refs.count - 1)
    }

    /// Adds `string`; returns the reference's index.
    mutating func add(_ string: String) -> Int32 {
        var string = string
        let offset = Int32(bytes.count)
        let hash = string.withUTF8 { utf8 in
            bytes.append(contentsOf: utf8)
            return SymbolTable.contentHash(ofBytes: UnsafeRawBufferPointer(utf8))
        }
        refs.append(StringRef(offset: offset, length: Int32(bytes.count) - offset, hash: hash))
        return Int32(refs.count - 1)
    }

    /// Whether string `lhs` sorts before string `rhs` byte-wise.
    func precedes(_ lhs: Int32, _ rhs: Int32) -> Bool {
        let a = refs[Int(lhs)]
        let b = refs[Int(rhs)]
        return bytes[Int(a.offset)..<Int(a.offset + a.length)].lexicographicallyPrecedes(
            bytes[Int(b.offset)..<Int(b.offset + b.length)])
    }
}
