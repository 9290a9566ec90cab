/// The series waiting in one queue shard, oldest first: the enqueued parts themselves, each with
/// the range of its series not yet taken. Enqueueing keeps a reference to the part, and taking or
/// dropping moves a range's start, so what stays is never moved. A request is taken as ranges
/// (``takeFirst(_:)``, cheap enough to do under the shard's lock) and written into one contiguous
/// body afterwards (``batch()``): parts already in wire form are copied, ``QueuedSamples`` are
/// written from their encoded series only then (docs/performance.md).
struct PendingSeries: Sendable {
    /// An enqueued part.
    enum Part: Sendable {
        /// Series already in wire form.
        case written(RemoteWriteBatch)
        /// Samples of encoded series, written when taken.
        case queued(QueuedSamples)

        /// Series (each with one sample) in the part.
        var count: Int {
            switch self {
            case .written(let batch): batch.count
            case .queued(let samples): samples.count
            }
        }

        /// At most the bytes the series `range` take written.
        func byteCount(of range: Range<Int>) -> Int {
            switch self {
            case .written(let batch): batch.byteCount(of: range)
            case .queued(let samples): samples.byteCount(of: range)
            }
        }

        /// Writes the series `range` at the end of `destination`.
        func write(_ range: Range<Int>, into destination: inout RemoteWriteBatch) {
            switch self {
            case .written(let batch): destination.append(range, of: batch)
            case .queued(let samples): samples.write(range, into: &destination)
            }
        }
    }

    private struct Chunk {
        var part: Part
        var range: Range<Int>
    }

    private var chunks: [Chunk] = []
    /// Chunks before this index are used up (removed in bulk, now and then).
    private var head = 0

    /// Series waiting.
    private(set) var count = 0

    /// Whether none wait.
    var isEmpty: Bool { count == 0 }

    /// Appends series `range` of `part` (all of them by default), without copying.
    mutating func append(_ part: Part, range: Range<Int>? = nil) {
        let range = range ?? 0..<part.count
        guard !range.isEmpty else { return }
        chunks.append(Chunk(part: part, range: range))
        count += range.count
    }

    /// Appends series `range` of `batch` (all of them by default), without copying.
    mutating func append(_ batch: RemoteWriteBatch, range: Range<Int>? = nil) {
        append(.written(batch), range: range)
    }

    /// Takes up to `limit` of the oldest series as one batch.
    mutating func removeFirst(_ limit: Int) -> RemoteWriteBatch {
        var taken = takeFirst(limit)
        return taken.batch()
    }

    /// Takes up to `limit` of the oldest series, as the ranges of the parts they are in.
    mutating func takeFirst(_ limit: Int) -> PendingSeries {
        var taken = PendingSeries()
        var wanted = min(limit, count)
        while wanted > 0 {
            let chunk = chunks[head]
            let step = min(wanted, chunk.range.count)
            taken.append(chunk.part, range: chunk.range.lowerBound..<(chunk.range.lowerBound + step))
            wanted -= step
            discard(step)
        }
        return taken
    }

    /// Every series held, written into one batch, in order; leaves this empty.
    mutating func batch() -> RemoteWriteBatch {
        defer { self = PendingSeries() }
        var batch = RemoteWriteBatch()
        var next = head
        if next < chunks.count, case .written(let whole) = chunks[next].part, chunks[next].range == 0..<whole.count {
            // A whole untouched batch first is handed over as it is; once its chunk lets go of it,
            // the rest are appended to it in place.
            chunks[next].part = .written(RemoteWriteBatch())
            batch = whole
            next += 1
        }
        guard next < chunks.count else { return batch }
        // Room for the whole request at once, rather than doubling towards it.
        var bytes = 0
        for index in next..<chunks.count { bytes += chunks[index].part.byteCount(of: chunks[index].range) }
        batch.reserveCapacity(bytes: bytes, series: count - batch.count)
        for index in next..<chunks.count { chunks[index].part.write(chunks[index].range, into: &batch) }
        return batch
    }

    /// Drops up to `limit` of the oldest series; returns how many went.
    @discardableResult
    mutating func dropFirst(_ limit: Int) -> Int {
        var wanted = min(limit, count)
        let dropped = wanted
        while wanted > 0 {
            let step = min(wanted, chunks[head].range.count)
            discard(step)
            wanted -= step
        }
        return dropped
    }

    /// Forgets the first `step` series of the head chunk (at most all of it).
    private mutating func discard(_ step: Int) {
        count -= step
        chunks[head].range = (chunks[head].range.lowerBound + step)..<chunks[head].range.upperBound
        if chunks[head].range.isEmpty { advance() }
    }

    private mutating func advance() {
        // Release the part now; it may be large.
        chunks[head].part = .written(RemoteWriteBatch())
        chunks[head].range = 0..<0
        head += 1
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }
}
