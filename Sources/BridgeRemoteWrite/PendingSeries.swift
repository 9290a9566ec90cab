/// The series waiting in one queue shard, oldest first: the enqueued batches themselves, each with
/// the range of its series not yet taken. Enqueueing keeps a reference to the batch, and taking or
/// dropping moves a range's start, so what stays is never moved; only a taken request's worth is
/// copied, into one contiguous body (docs/performance.md).
struct PendingSeries: Sendable {
    private struct Chunk {
        var batch: RemoteWriteBatch
        var range: Range<Int>
    }

    private var chunks: [Chunk] = []
    /// Chunks before this index are used up (removed in bulk, now and then).
    private var head = 0

    /// Series waiting.
    private(set) var count = 0

    /// Whether none wait.
    var isEmpty: Bool { count == 0 }

    /// Appends series `range` of `batch` (all of them by default), without copying.
    mutating func append(_ batch: RemoteWriteBatch, range: Range<Int>? = nil) {
        let range = range ?? 0..<batch.count
        guard !range.isEmpty else { return }
        chunks.append(Chunk(batch: batch, range: range))
        count += range.count
    }

    /// Takes up to `limit` of the oldest series as one batch.
    mutating func removeFirst(_ limit: Int) -> RemoteWriteBatch {
        var taken = RemoteWriteBatch()
        var wanted = min(limit, count)
        var sized = false
        while wanted > 0 {
            let chunk = chunks[head]
            if taken.isEmpty && chunk.range == 0..<chunk.batch.count && chunk.range.count <= wanted {
                // A whole untouched chunk is handed over as it is; once the chunk lets go of it,
                // later appends grow it in place.
                taken = chunk.batch
                wanted -= chunk.range.count
                count -= chunk.range.count
                advance()
                continue
            }
            if !sized {
                // Room for the whole request at once, rather than doubling towards it.
                taken.reserveCapacity(bytes: byteCount(ofFirst: wanted), series: wanted)
                sized = true
            }
            let slice = chunk.range.lowerBound..<(chunk.range.lowerBound + min(wanted, chunk.range.count))
            taken.append(slice, of: chunk.batch)
            wanted -= slice.count
            discard(slice.count)
        }
        return taken
    }

    /// Bytes of the oldest `wanted` series (at most all).
    private func byteCount(ofFirst wanted: Int) -> Int {
        var total = 0
        var rest = wanted
        var index = head
        while rest > 0 && index < chunks.count {
            let chunk = chunks[index]
            let step = min(rest, chunk.range.count)
            total += chunk.batch.byteCount(of: chunk.range.lowerBound..<(chunk.range.lowerBound + step))
            rest -= step
            index += 1
        }
        return total
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
        // Release the batch now; it may be large.
        chunks[head].batch = RemoteWriteBatch()
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
