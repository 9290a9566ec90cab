import BridgeCore

/// Series of one ``MetricBatch`` converted once: each one's sorted labels as protobuf `labels`
/// fields (``TimeSeriesEncoding``) and its shard hash, to be written into requests with any
/// values. ``SeriesConverter`` makes them; a scrape whose series are the same as the last one's
/// (``BridgeScrape/ScrapeResult/seriesVersion``) writes the kept ones again with its new values,
/// which costs a copy of each label's bytes instead of a conversion (docs/performance.md).
///
/// Each distinct label (name and value) is encoded once and series list theirs by number: the
/// series of one pod share most of their labels (the enrichment adds the same nine to every one),
/// so kept series take about a sixth of their written size.
public struct EncodedSeries: Sendable {
    /// Every distinct `labels` field (tag, length, `Label` message), once, back to back.
    private var fields: [UInt8] = []
    /// Where each distinct field starts in `fields`, and one more entry for the end of the last.
    private var fieldStarts: [Int32] = [0]
    /// The field numbers of each series' labels, in order, series after series.
    private var seriesFields: [Int32] = []
    /// Where each series' field numbers end in `seriesFields`.
    private var seriesEnds: [Int32] = []
    /// Bytes of each series' `labels` fields together.
    private var labelBytes: [Int32] = []
    /// Each series' shard hash (``RemoteWriteBatch/hash(of:)``).
    private var hashes: [UInt64] = []
    /// While encoding: the field number of each (name, value) string pair of the converter.
    private var fieldNumbers: [UInt64: Int32] = [:]
    /// The index in its batch of the sample the first series belongs to.
    public let first: Int

    /// No series yet; the first one appended is that of sample `first` of its batch.
    public init(first: Int = 0) {
        self.first = first
    }

    /// Series held.
    public var count: Int { seriesEnds.count }

    /// The batch samples whose series are held.
    public var samples: Range<Int> { first..<(first + count) }

    /// Approximate bytes held.
    public var byteCount: Int {
        fields.count + 4 * (fieldStarts.count + seriesFields.count + seriesEnds.count + labelBytes.count)
            + 8 * hashes.count
    }

    /// Gives back the room the arrays grew into while appending and forgets which strings made
    /// which field: series kept from one scrape to the next would otherwise hold up to twice
    /// their size for as long as they are kept. Series appended after this still encode right,
    /// with fields of their own.
    public mutating func shrinkToFit() {
        func fitted<Element>(_ array: [Element]) -> [Element] {
            guard array.capacity - array.count > array.count / 16 else { return array }
            var copy: [Element] = []
            copy.reserveCapacity(array.count)
            copy.append(contentsOf: array)
            return copy
        }
        fields = fitted(fields)
        fieldStarts = fitted(fieldStarts)
        seriesFields = fitted(seriesFields)
        seriesEnds = fitted(seriesEnds)
        labelBytes = fitted(labelBytes)
        hashes = fitted(hashes)
        fieldNumbers = [:]
    }

    /// Appends the next sample's series: `parts` are its labels, sorted and non-empty, as ranges of
    /// `strings` (one range per distinct string). Returns its series hash, which
    /// ``RemoteWriteQueue`` shards by: every label folds in the content hashes of its name and
    /// value (``RemoteWriteBatch/mix(_:_:)``).
    @discardableResult
    mutating func append(
        _ parts: UnsafeBufferPointer<(name: StringRef, value: StringRef)>, in strings: UnsafeBufferPointer<UInt8>
    ) -> UInt64 {
        var length = 0
        var hash = RemoteWriteBatch.seriesSeed
        for part in parts {
            RemoteWriteBatch.mix(&hash, part.name.hash)
            RemoteWriteBatch.mix(&hash, part.value.hash)
            let key = UInt64(UInt32(bitPattern: part.name.offset)) << 32 | UInt64(UInt32(bitPattern: part.value.offset))
            let number: Int32
            if let known = fieldNumbers[key] {
                number = known
            } else {
                number = Int32(fieldStarts.count - 1)
                appendField(part, in: strings)
                fieldNumbers[key] = number
            }
            seriesFields.append(number)
            length += Int(fieldStarts[Int(number) + 1] - fieldStarts[Int(number)])
        }
        seriesEnds.append(Int32(seriesFields.count))
        labelBytes.append(Int32(length))
        hashes.append(hash)
        return hash
    }

    /// Encodes one `labels` field: `Label { name = 1; value = 2 }`, each a length-delimited string.
    private mutating func appendField(
        _ part: (name: StringRef, value: StringRef), in strings: UnsafeBufferPointer<UInt8>
    ) {
        typealias Wire = TimeSeriesEncoding
        let base = strings.baseAddress!
        let nameLength = Int(part.name.length)
        let valueLength = Int(part.value.length)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { header in
            var pointer = header.baseAddress!
            Wire.writeHeader(
                Wire.lengthDelimitedField1, length: Wire.labelSize(nameLength: nameLength, valueLength: valueLength),
                &pointer)
            Wire.writeHeader(Wire.lengthDelimitedField1, length: nameLength, &pointer)
            fields.append(
                contentsOf: UnsafeBufferPointer(start: header.baseAddress, count: pointer - header.baseAddress!))
            fields.append(contentsOf: UnsafeBufferPointer(start: base + Int(part.name.offset), count: nameLength))
            pointer = header.baseAddress!
            Wire.writeHeader(Wire.lengthDelimitedField2, length: valueLength, &pointer)
            fields.append(
                contentsOf: UnsafeBufferPointer(start: header.baseAddress, count: pointer - header.baseAddress!))
            fields.append(contentsOf: UnsafeBufferPointer(start: base + Int(part.value.offset), count: valueLength))
        }
        fieldStarts.append(Int32(fields.count))
    }

    /// Writes series `series` (counted from the first held) into `destination` with one sample.
    func write(series: Int, value: Double, timestamp: Int64, into destination: inout RemoteWriteBatch) {
        withFields { $0.write(series: series, value: value, timestamp: timestamp, into: &destination) }
    }

    /// Writes the series of samples `range` of `batch` (within ``samples``), each to the
    /// destination its hash picks (`hash % count`, as ``RemoteWriteQueue`` shards), with the
    /// sample's value and its own timestamp or else `timestamp`.
    public func write(
        _ range: Range<Int>, values batch: MetricBatch, timestamp: Int64,
        sharding destinations: inout [RemoteWriteBatch]
    ) {
        precondition(range.isEmpty || samples.contains(range.lowerBound) && range.upperBound <= samples.upperBound)
        guard !destinations.isEmpty else { return }
        let shards = UInt64(destinations.count)
        withFields { view in
            // Each part is sized first: grown by doubling, it would be copied about once more and
            // could keep up to half its capacity unused while it waits in the queue.
            var bytes = [Int](repeating: 0, count: destinations.count)
            var series = [Int](repeating: 0, count: destinations.count)
            for index in range {
                let part = Int(view.hashes[index - first] % shards)
                bytes[part] += Int(view.labelBytes[index - first]) + Self.mostBytesBesideLabels
                series[part] += 1
            }
            for part in destinations.indices {
                destinations[part].reserveCapacity(bytes: bytes[part], series: series[part])
            }
            batch.samples.withUnsafeBufferPointer { samples in
                for index in range {
                    let sample = samples[index]
                    let series = index - first
                    view.write(
                        series: series, value: sample.value, timestamp: sample.timestamp ?? timestamp,
                        into: &destinations[Int(view.hashes[series] % shards)])
                }
            }
        }
    }

    /// The samples `range` of `batch` (within ``samples``) as references to these series, each in
    /// the part of `shards` its hash picks (`hash % shards`, as ``RemoteWriteQueue`` shards), with
    /// the sample's value and its own timestamp or else `timestamp`: nothing is written until a
    /// request is taken from the queue (``QueuedSamples``).
    public func queued(_ range: Range<Int>, values batch: MetricBatch, timestamp: Int64, shards: Int)
        -> [QueuedSamples]
    {
        precondition(range.isEmpty || samples.contains(range.lowerBound) && range.upperBound <= samples.upperBound)
        guard shards > 0 else { return [] }
        var parts = [QueuedSamples](repeating: QueuedSamples(of: self), count: shards)
        let divisor = UInt64(shards)
        hashes.withUnsafeBufferPointer { hashes in
            var counts = [Int](repeating: 0, count: shards)
            for index in range { counts[Int(hashes[index - first] % divisor)] += 1 }
            for part in parts.indices { parts[part].reserveCapacity(counts[part]) }
            batch.samples.withUnsafeBufferPointer { samples in
                for index in range {
                    let sample = samples[index]
                    let series = index - first
                    parts[Int(hashes[series] % divisor)].append(
                        series: series, value: sample.value, timestamp: sample.timestamp ?? timestamp)
                }
            }
        }
        return parts
    }

    /// Bytes of series `series`' `labels` fields together.
    func labelBytes(of series: Int) -> Int { Int(labelBytes[series]) }

    /// Writes one sample per entry, in order, at the end of `destination`.
    func write(_ entries: ArraySlice<QueuedSamples.Entry>, into destination: inout RemoteWriteBatch) {
        withFields { view in
            for entry in entries {
                view.write(
                    series: Int(entry.series), value: entry.value, timestamp: entry.timestamp, into: &destination)
            }
        }
    }

    /// The most bytes a series takes in a `WriteRequest` besides its `labels` fields: the
    /// `timeseries` field's tag and length (at most 1 + 5) and one `Sample` field (1 + 1 + 9 for
    /// the value + 11 for the timestamp).
    static let mostBytesBesideLabels = 28

    /// The arrays, borrowed for a run of writes.
    private struct View {
        let fields: UnsafeBufferPointer<UInt8>
        let fieldStarts: UnsafeBufferPointer<Int32>
        let seriesFields: UnsafeBufferPointer<Int32>
        let seriesEnds: UnsafeBufferPointer<Int32>
        let labelBytes: UnsafeBufferPointer<Int32>
        let hashes: UnsafeBufferPointer<UInt64>

        func write(series: Int, value: Double, timestamp: Int64, into destination: inout RemoteWriteBatch) {
            let from = series == 0 ? 0 : Int(seriesEnds[series - 1])
            let to = Int(seriesEnds[series])
            destination.append(
                labelsLength: Int(labelBytes[series]), value: value, timestamp: timestamp, hash: hashes[series]
            ) { bytes in
                for number in seriesFields[from..<to] {
                    let field = Int(fieldStarts[Int(number)])..<Int(fieldStarts[Int(number) + 1])
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: fields[field]))
                }
            }
        }
    }

    private func withFields<Result>(_ body: (View) -> Result) -> Result {
        fields.withUnsafeBufferPointer { fields in
            fieldStarts.withUnsafeBufferPointer { fieldStarts in
                seriesFields.withUnsafeBufferPointer { seriesFields in
                    seriesEnds.withUnsafeBufferPointer { seriesEnds in
                        labelBytes.withUnsafeBufferPointer { labelBytes in
                            hashes.withUnsafeBufferPointer { hashes in
                                body(
                                    View(
                                        fields: fields, fieldStarts: fieldStarts, seriesFields: seriesFields,
                                        seriesEnds: seriesEnds, labelBytes: labelBytes, hashes: hashes))
                            }
                        }
                    }
                }
            }
        }
    }
}
