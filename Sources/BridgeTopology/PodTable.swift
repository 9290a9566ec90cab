/// The pods of a cluster by namespace and name, each stored as one compact record.
///
/// Pods are the bulk of a cluster (150,000 in the benchmark's 5,000 nodes × 30) and the store keeps
/// all of them; a decoded ``Pod`` costs a heap allocation per array, dictionary and long string,
/// which put the resident size above 4 KiB a pod. The table keeps one byte record per pod whose
/// repeated strings are numbers into a table shared by all records (``RecordSymbols``), and decodes
/// a ``Pod`` when one is read. A plain value with dictionary-like access: copies are snapshots.
public struct PodTable: Sendable, Sequence {
    private var records: [ObjectKey: [UInt8]] = [:]
    private var symbols = RecordSymbols()
    /// Writes since the shared strings were last rebuilt; strings of deleted pods stay in the table
    /// until then.
    private var writesSinceCompaction = 0

    /// An empty table.
    public init() {}

    /// How many pods are held.
    public var count: Int { records.count }

    /// Whether the table holds no pod.
    public var isEmpty: Bool { records.isEmpty }

    /// The keys of every pod.
    public var keys: some Collection<ObjectKey> { records.keys }

    /// Whether a pod is held at `key` (without decoding it).
    public func contains(_ key: ObjectKey) -> Bool { records[key] != nil }

    /// The pod at `key`; setting nil removes it.
    public subscript(key: ObjectKey) -> Pod? {
        get {
            guard let record = records[key] else { return nil }
            var reader = RecordReader(record, strings: symbols.strings)
            return Pod(record: &reader)
        }
        set {
            guard let newValue else {
                records[key] = nil
                return
            }
            records[key] = encode(newValue)
            writesSinceCompaction += 1
            // Churn leaves strings no pod uses any more (owner UIDs of old ReplicaSets, template
            // hashes); rebuilding after twice the table's size in writes bounds them at amortized
            // constant cost per write.
            if writesSinceCompaction > 2 * records.count + 4096 { compact() }
        }
    }

    /// Every pod, decoded as it is reached.
    public var values: LazyMapSequence<PodTable, Pod> { lazy.map(\.value) }

    /// Bytes held by the records and the number of shared strings, for benchmarks and self-metrics.
    public var footprint: (recordBytes: Int, sharedStrings: Int) {
        (records.values.reduce(0) { $0 + $1.count }, symbols.count)
    }

    /// Decodes the pods one at a time, in no particular order.
    public struct Iterator: IteratorProtocol {
        fileprivate var base: Dictionary<ObjectKey, [UInt8]>.Iterator
        fileprivate let strings: [String]

        /// The next key and pod.
        public mutating func next() -> (key: ObjectKey, value: Pod)? {
            guard let (key, record) = base.next() else { return nil }
            var reader = RecordReader(record, strings: strings)
            return (key, Pod(record: &reader))
        }
    }

    /// An iterator over every key and pod.
    public func makeIterator() -> Iterator {
        Iterator(base: records.makeIterator(), strings: symbols.strings)
    }

    /// The pods sorted by key, decoded one at a time, so that an ordered walk over 150,000 pods
    /// never holds them all decoded.
    public func sortedByKey() -> LazyMapSequence<[ObjectKey], (key: ObjectKey, value: Pod)> {
        let strings = symbols.strings
        return records.keys.sorted().lazy.map { [records] key in
            var reader = RecordReader(records[key]!, strings: strings)
            return (key, Pod(record: &reader))
        }
    }

    private mutating func encode(_ pod: Pod) -> [UInt8] {
        // A snapshot may share the strings; both copies may append, since a record only uses
        // numbers that existed when it was written.
        symbols.withStorage { storage in
            var writer = RecordWriter()
            writer.bytes.reserveCapacity(1024)
            swap(&writer.symbols, &storage)
            pod.write(to: &writer)
            swap(&writer.symbols, &storage)
            return writer.exactBytes
        }
    }

    private mutating func compact() {
        let strings = symbols.strings
        let fresh = RecordSymbols()
        records = fresh.withStorage { storage in
            var writer = RecordWriter()
            swap(&writer.symbols, &storage)
            defer { swap(&writer.symbols, &storage) }
            return records.mapValues { record in
                var reader = RecordReader(record, strings: strings)
                writer.bytes.removeAll(keepingCapacity: true)
                Pod(record: &reader).write(to: &writer)
                return writer.exactBytes
            }
        }
        symbols = fresh
        writesSinceCompaction = 0
    }
}
