import BridgeCore
import CPrompb
import CSnappy

/// Series waiting to be sent, in the order they will be sent: each with its sorted label set and
/// one sample, in flat storage (an arena of NUL-terminated strings, label and series records).
///
/// This is the unit the queue shards, batches and spools; ``encoded()`` turns it into one remote
/// write 1.0 request body (protobuf `WriteRequest` through protobuf-c, then snappy block format).
public struct RemoteWriteBatch: Sendable, Hashable {
    /// Offsets of NUL-terminated strings in the arena, with their lengths (without the NUL).
    struct LabelRecord: Sendable, Hashable {
        var name: Int32
        var nameLength: Int32
        var value: Int32
        var valueLength: Int32
    }

    struct SeriesRecord: Sendable, Hashable {
        var labels: Range<Int32>
        var value: Double
        var timestamp: Int64
        var hash: UInt64
    }

    private(set) var arena: [UInt8] = []
    private(set) var labels: [LabelRecord] = []
    private(set) var series: [SeriesRecord] = []

    /// An empty batch.
    public init() {}

    /// Series (each with one sample) in the batch.
    public var count: Int { series.count }

    /// Whether the batch is empty.
    public var isEmpty: Bool { series.isEmpty }

    /// Approximate bytes held, for queue and spool accounting.
    public var byteCount: Int { arena.count + labels.count * 16 + series.count * 32 }

    /// The oldest sample timestamp, in milliseconds.
    public var oldestTimestamp: Int64? { series.map(\.timestamp).min() }

    /// The newest sample timestamp, in milliseconds.
    public var newestTimestamp: Int64? { series.map(\.timestamp).max() }

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
        var hash = Self.seriesSeed
        let start = Int32(labels.count)
        for pair in sorted {
            let name = store(pair.name)
            let value = store(pair.value)
            Self.mix(&hash, name.hash)
            Self.mix(&hash, value.hash)
            labels.append(
                LabelRecord(name: name.offset, nameLength: name.length, value: value.offset, valueLength: value.length))
        }
        series.append(
            SeriesRecord(labels: start..<Int32(labels.count), value: value, timestamp: timestamp, hash: hash))
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

    /// Appends a series whose labels are already sorted, non-empty and given as ranges of
    /// `bytes` with their content hashes (the fast path of ``append(_:extraLabels:timestamp:)``).
    /// `hash` is the series hash of `parts`, computed by the caller to pick the batch.
    mutating func appendSorted(
        _ parts: UnsafeBufferPointer<(name: StringRef, value: StringRef)>, in bytes: UnsafeBufferPointer<UInt8>,
        value: Double, timestamp: Int64, hash: UInt64
    ) {
        let start = Int32(labels.count)
        for part in parts {
            let name = store(
                UnsafeBufferPointer(rebasing: bytes[Int(part.name.offset)..<Int(part.name.offset + part.name.length)]))
            let value = store(
                UnsafeBufferPointer(
                    rebasing: bytes[Int(part.value.offset)..<Int(part.value.offset + part.value.length)]))
            labels.append(
                LabelRecord(name: name, nameLength: part.name.length, value: value, valueLength: part.value.length))
        }
        series.append(
            SeriesRecord(labels: start..<Int32(labels.count), value: value, timestamp: timestamp, hash: hash))
    }

    /// Appends every series of `other`, in order, in a few bulk copies.
    public mutating func append(contentsOf other: RemoteWriteBatch) {
        guard !other.isEmpty else { return }
        let arenaShift = Int32(arena.count)
        let labelShift = Int32(labels.count)
        arena.append(contentsOf: other.arena)
        labels.reserveCapacity(labels.count + other.labels.count)
        for label in other.labels {
            labels.append(
                LabelRecord(
                    name: label.name + arenaShift, nameLength: label.nameLength, value: label.value + arenaShift,
                    valueLength: label.valueLength))
        }
        series.reserveCapacity(series.count + other.series.count)
        for record in other.series {
            var shifted = record
            shifted.labels = (record.labels.lowerBound + labelShift)..<(record.labels.upperBound + labelShift)
            series.append(shifted)
        }
    }

    /// Removes the first `count` series and returns them as a batch of their own. Series are
    /// stored in order, so both parts are bulk slices: taking a request's worth from a long queue
    /// costs a move of the rest, not a copy of every string.
    public mutating func removeFirst(_ count: Int) -> RemoteWriteBatch {
        let taken = min(max(0, count), series.count)
        guard taken > 0 else { return RemoteWriteBatch() }
        guard taken < series.count else {
            defer { self = RemoteWriteBatch() }
            return self
        }
        let labelCut = Int(series[taken - 1].labels.upperBound)
        let arenaCut = labelCut < labels.count ? Int(labels[labelCut].name) : arena.count
        var head = RemoteWriteBatch()
        head.arena = Array(arena[..<arenaCut])
        head.labels = Array(labels[..<labelCut])
        head.series = Array(series[..<taken])
        arena.removeFirst(arenaCut)
        labels.removeFirst(labelCut)
        let arenaShift = Int32(arenaCut)
        for index in labels.indices {
            labels[index].name -= arenaShift
            labels[index].value -= arenaShift
        }
        series.removeFirst(taken)
        let labelShift = Int32(labelCut)
        for index in series.indices {
            series[index].labels =
                (series[index].labels.lowerBound - labelShift)..<(series[index].labels.upperBound - labelShift)
        }
        return head
    }

    /// Appends series `index` of `other`.
    public mutating func append(_ index: Int, of other: RemoteWriteBatch) {
        let record = other.series[index]
        let start = Int32(labels.count)
        for label in other.labels[Int(record.labels.lowerBound)..<Int(record.labels.upperBound)] {
            labels.append(
                LabelRecord(
                    name: copy(label.name, length: label.nameLength, from: other), nameLength: label.nameLength,
                    value: copy(label.value, length: label.valueLength, from: other), valueLength: label.valueLength))
        }
        var copied = record
        copied.labels = start..<Int32(labels.count)
        series.append(copied)
    }

    /// The shard hash of series `index`.
    public func hash(of index: Int) -> UInt64 { series[index].hash }

    /// Label pairs and sample of series `index` (tests and logs).
    public func sample(_ index: Int) -> (labels: [(String, String)], value: Double, timestamp: Int64) {
        let record = series[index]
        let pairs = labels[Int(record.labels.lowerBound)..<Int(record.labels.upperBound)].map {
            (string(at: $0.name, length: $0.nameLength), string(at: $0.value, length: $0.valueLength))
        }
        return (pairs, record.value, record.timestamp)
    }

    /// Stores `string` NUL-terminated; returns its offset, length and content hash.
    private mutating func store(_ string: String) -> StringRef {
        var string = string
        return string.withUTF8 { bytes in
            let offset = store(bytes)
            return StringRef(
                offset: offset, length: Int32(bytes.count),
                hash: SymbolTable.contentHash(ofBytes: UnsafeRawBufferPointer(bytes)))
        }
    }

    /// Stores `bytes` NUL-terminated in one copy; returns the offset.
    private mutating func store(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let offset = Int32(arena.count)
        arena.append(contentsOf: bytes)
        arena.append(0)
        return offset
    }

    private mutating func copy(_ offset: Int32, length: Int32, from other: RemoteWriteBatch) -> Int32 {
        let copied = Int32(arena.count)
        // The string and its NUL in one copy.
        arena.append(contentsOf: other.arena[Int(offset)...Int(offset + length)])
        return copied
    }

    private func string(at offset: Int32, length: Int32) -> String {
        String(decoding: arena[Int(offset)..<Int(offset + length)], as: UTF8.self)
    }

    /// The protobuf `WriteRequest` of every series, uncompressed.
    public func protobuf() -> [UInt8] {
        let seriesCount = series.count
        let labelCount = labels.count
        let messages = UnsafeMutablePointer<Prometheus__TimeSeries>.allocate(capacity: max(1, seriesCount))
        let messagePointers = UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__TimeSeries>?>.allocate(
            capacity: max(1, seriesCount))
        let labelMessages = UnsafeMutablePointer<Prometheus__Label>.allocate(capacity: max(1, labelCount))
        let labelPointers = UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__Label>?>.allocate(
            capacity: max(1, labelCount))
        let samples = UnsafeMutablePointer<Prometheus__Sample>.allocate(capacity: max(1, seriesCount))
        let samplePointers = UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__Sample>?>.allocate(
            capacity: max(1, seriesCount))
        defer {
            messages.deallocate()
            messagePointers.deallocate()
            labelMessages.deallocate()
            labelPointers.deallocate()
            samples.deallocate()
            samplePointers.deallocate()
        }
        stackbridge_prompb_init_series(messages, seriesCount)
        stackbridge_prompb_init_labels(labelMessages, labelCount)
        stackbridge_prompb_init_samples(samples, seriesCount)
        return arena.withUnsafeBufferPointer { arena in
            // protobuf-c reads strings as `char *`; it never writes through them when packing.
            let base = UnsafeMutablePointer<CChar>(
                mutating: UnsafeRawPointer(arena.baseAddress!)
                    .assumingMemoryBound(to: CChar.self))
            for (index, label) in labels.enumerated() {
                labelMessages[index].name = base + Int(label.name)
                labelMessages[index].value = base + Int(label.value)
                labelPointers[index] = labelMessages + index
            }
            for (index, record) in series.enumerated() {
                samples[index].value = record.value
                samples[index].timestamp = record.timestamp
                samplePointers[index] = samples + index
                messages[index].n_labels = record.labels.count
                messages[index].labels = labelPointers + Int(record.labels.lowerBound)
                messages[index].n_samples = 1
                messages[index].samples = samplePointers + index
                messagePointers[index] = messages + index
            }
            var request = Prometheus__WriteRequest()
            stackbridge_prompb_init_request(&request)
            request.n_timeseries = seriesCount
            request.timeseries = messagePointers
            let size = prometheus__write_request__get_packed_size(&request)
            var output = [UInt8](repeating: 0, count: size)
            let written = output.withUnsafeMutableBufferPointer {
                prometheus__write_request__pack(&request, $0.baseAddress)
            }
            precondition(written == size, "protobuf-c packed \(written) of \(size) bytes")
            return output
        }
    }

    /// The request body: ``protobuf()`` compressed with snappy's block format (remote write 1.0).
    public func encoded() -> [UInt8] {
        Snappy.compress(protobuf())
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
        var length = snappy_max_compressed_length(bytes.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                input.withMemoryRebound(to: CChar.self) { input in
                    out.withMemoryRebound(to: CChar.self) { out in
                        snappy_compress(input.baseAddress, input.count, out.baseAddress, &length)
                    }
                }
            }
        }
        precondition(status == SNAPPY_OK, "snappy_compress failed: \(status)")
        output.removeSubrange(length...)
        return output
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
