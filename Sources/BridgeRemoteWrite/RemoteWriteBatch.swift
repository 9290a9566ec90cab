import BridgeCore
import CSnappy

/// Series waiting to be sent, in the order they will be sent, each with its sorted label set and
/// one sample, already in protobuf wire form (``TimeSeriesEncoding``): the bytes of a batch are a
/// whole `WriteRequest`, so sharding, batching and spooling move byte ranges, and ``encoded()`` is
/// one snappy compression (remote write 1.0). Encoding straight from the interned labels, with no
/// message structs in between, is the cheapest path (docs/performance.md).
public struct RemoteWriteBatch: Sendable, Hashable {
    struct SeriesRecord: Sendable, Hashable {
        /// Where the series' `timeseries` field starts in `bytes`; it ends where the next starts.
        var start: Int
        var timestamp: Int64
        var hash: UInt64
    }

    private(set) var bytes: [UInt8] = []
    private(set) var series: [SeriesRecord] = []

    /// An empty batch.
    public init() {}

    /// Series (each with one sample) in the batch.
    public var count: Int { series.count }

    /// Whether the batch is empty.
    public var isEmpty: Bool { series.isEmpty }

    /// Approximate bytes held, for queue and spool accounting.
    public var byteCount: Int { bytes.count + series.count * MemoryLayout<SeriesRecord>.stride }

    /// The oldest sample timestamp, in milliseconds.
    public var oldestTimestamp: Int64? { series.lazy.map(\.timestamp).min() }

    /// The newest sample timestamp, in milliseconds.
    public var newestTimestamp: Int64? { series.lazy.map(\.timestamp).max() }

    /// Appends one sample of the series whose labels are `pairs`: empty values are dropped and the
    /// rest sorted by name, as remote write 1.0 requires. Returns the series' hash (stable across
    /// runs), which the queue shards by so that one series' samples stay in order.
    @discardableResult
    public mutating func append(labels pairs: [(name: String, value: String)], value: Double, timestamp: Int64)
        -> UInt64
    {
        let sorted = pairs.filter { !$0.value.isEmpty && !$0.name.isEmpty }.sorted {
            $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var scratch = ScratchStrings()
        let parts = sorted.map { pair in
            (name: scratch.refs[Int(scratch.add(pair.name))], value: scratch.refs[Int(scratch.add(pair.value))])
        }
        var encoded = EncodedSeries()
        let hash = parts.withUnsafeBufferPointer { parts in
            scratch.bytes.withUnsafeBufferPointer { bytes in encoded.append(parts, in: bytes) }
        }
        encoded.write(series: 0, value: value, timestamp: timestamp, into: &self)
        return hash
    }

    /// The series hash before any label: every label folds in the content hashes
    /// (``SymbolTable/contentHash(ofBytes:)``) of its name and value, so a series built from
    /// strings and one built from interned symbols hash alike.
    static let seriesSeed: UInt64 = 0xCBF2_9CE4_8422_2325

    /// Folds one string's content hash into a series hash.
    static func mix(_ hash: inout UInt64, _ part: UInt64) {
        hash = (hash ^ part) &* 0x9E37_79B9_7F4A_7C15
        hash ^= hash >> 32
    }

    /// Appends one series with one sample: `writeLabels` appends its `labels` fields
    /// (``EncodedSeries``), `labelsLength` bytes in all; `hash` is its series hash. Each part is
    /// appended as it is written, so nothing is zero-filled first.
    mutating func append(
        labelsLength: Int, value: Double, timestamp: Int64, hash: UInt64, writeLabels: (inout [UInt8]) -> Void
    ) {
        typealias Wire = TimeSeriesEncoding
        let content = labelsLength + Wire.fieldSize(Wire.sampleSize(value: value, timestamp: timestamp))
        series.append(SeriesRecord(start: bytes.count, timestamp: timestamp, hash: hash))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { scratch in
            var pointer = scratch.baseAddress!
            Wire.writeHeader(Wire.lengthDelimitedField1, length: content, &pointer)
            bytes.append(
                contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: pointer - scratch.baseAddress!))
            writeLabels(&bytes)
            pointer = scratch.baseAddress!
            Wire.writeSample(value: value, timestamp: timestamp, &pointer)
            bytes.append(
                contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: pointer - scratch.baseAddress!))
        }
    }

    /// Makes room for `series` more series of `bytes` more bytes in all.
    mutating func reserveCapacity(bytes more: Int, series moreSeries: Int) {
        bytes.reserveCapacity(bytes.count + more)
        series.reserveCapacity(series.count + moreSeries)
    }

    /// Appends every series of `other`, in order, in one copy of its bytes.
    public mutating func append(contentsOf other: RemoteWriteBatch) {
        append(0..<other.count, of: other)
    }

    /// Removes the first `count` series and returns them as a batch of their own, each part in one
    /// copy of its bytes (tests; the queue takes from ``PendingSeries`` without moving the rest).
    public mutating func removeFirst(_ count: Int) -> RemoteWriteBatch {
        let taken = min(max(0, count), series.count)
        var head = RemoteWriteBatch()
        head.append(0..<taken, of: self)
        var rest = RemoteWriteBatch()
        rest.append(taken..<series.count, of: self)
        self = rest
        return head
    }

    /// Bytes the series `range` take.
    func byteCount(of range: Range<Int>) -> Int { byteRange(of: range).count }

    /// The bytes of the series `range`, back to back: from where the first starts to where the
    /// one after the last does (or the end).
    private func byteRange(of range: Range<Int>) -> Range<Int> {
        guard !range.isEmpty else { return 0..<0 }
        let end = range.upperBound < series.count ? series[range.upperBound].start : bytes.count
        return series[range.lowerBound].start..<end
    }

    /// The byte range of series `index`.
    private func range(of index: Int) -> Range<Int> { byteRange(of: index..<(index + 1)) }

    /// Appends series `index` of `other`.
    public mutating func append(_ index: Int, of other: RemoteWriteBatch) {
        append(index..<(index + 1), of: other)
    }

    /// Appends series `range` of `other`, in order, in one copy of their bytes: the one copying
    /// path behind appending, splitting and taking from the queue.
    public mutating func append(_ range: Range<Int>, of other: RemoteWriteBatch) {
        guard !range.isEmpty else { return }
        let source = other.byteRange(of: range)
        let shift = bytes.count - source.lowerBound
        bytes.append(contentsOf: other.bytes[source])
        series.reserveCapacity(series.count + range.count)
        for record in other.series[range] {
            var shifted = record
            shifted.start += shift
            series.append(shifted)
        }
    }

    /// The shard hash of series `index`.
    public func hash(of index: Int) -> UInt64 { series[index].hash }

    /// Label pairs and sample of series `index` (tests and logs), read back from the wire form.
    public func sample(_ index: Int) -> (labels: [(String, String)], value: Double, timestamp: Int64) {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = TimeSeriesEncoding.Reader(bytes: UnsafeBufferPointer(rebasing: buffer[range(of: index)]))
            // Every series was written by append(labelsLength:…), so it reads back.
            _ = try! reader.varint()
            return try! TimeSeriesEncoding.decode(reader.lengthDelimited())
        }
    }

    /// The protobuf `WriteRequest` of every series, uncompressed.
    public func protobuf() -> [UInt8] { bytes }

    /// The request body: ``protobuf()`` compressed with snappy's block format (remote write 1.0).
    public func encoded() -> [UInt8] {
        Snappy.compress(bytes)
    }
}

/// A string in some byte buffer: offset, length and content hash.
struct StringRef: Sendable, Hashable {
    var offset: Int32
    var length: Int32
    var hash: UInt64
}

/// Snappy block format, through libsnappy.
public enum Snappy {
    /// `bytes` compressed.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        // Written into uninitialised room: zero-filling the worst-case length first touched several
        // times the pages the compressed body needs.
        [UInt8](unsafeUninitializedCapacity: snappy_max_compressed_length(bytes.count)) { output, written in
            var length = output.count
            let status = bytes.withUnsafeBufferPointer { input in
                input.withMemoryRebound(to: CChar.self) { input in
                    output.withMemoryRebound(to: CChar.self) { out in
                        snappy_compress(input.baseAddress, input.count, out.baseAddress, &length)
                    }
                }
            }
            precondition(status == SNAPPY_OK, "snappy_compress failed: \(status)")
            written = length
        }
    }

    /// `bytes` uncompressed, or nil when they are not valid snappy block data.
    public static func uncompress(_ bytes: [UInt8]) -> [UInt8]? {
        var length = 0
        let sized = bytes.withUnsafeBufferPointer { input in
            input.withMemoryRebound(to: CChar.self) { snappy_uncompressed_length($0.baseAddress, $0.count, &length) }
        }
        guard sized == SNAPPY_OK else { return nil }
        var output = [UInt8](repeating: 0, count: length)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                input.withMemoryRebound(to: CChar.self) { input in
                    out.withMemoryRebound(to: CChar.self) { out in
                        snappy_uncompress(input.baseAddress, input.count, out.baseAddress, &length)
                    }
                }
            }
        }
        return status == SNAPPY_OK ? output : nil
    }
}
