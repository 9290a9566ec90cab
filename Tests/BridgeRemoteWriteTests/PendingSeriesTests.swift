import BridgeCore
import Testing

@testable import BridgeRemoteWrite

/// A shard's waiting series: batches kept as enqueued, taken and dropped from the front in order.
@Suite struct PendingSeriesTests {
    func batch(_ range: Range<Int>) -> RemoteWriteBatch {
        var batch = RemoteWriteBatch()
        for index in range {
            batch.append(labels: [("__name__", "m"), ("i", "\(index)")], value: Double(index), timestamp: 1)
        }
        return batch
    }

    func values(_ batch: RemoteWriteBatch) -> [Int] { (0..<batch.count).map { Int(batch.sample($0).value) } }

    @Test func aRequestTakenFromManyChunksIsSizedOnce() {
        var pending = PendingSeries()
        // Like the parts of many small scrapes: 2,000 series in chunks of 40.
        for start in stride(from: 0, to: 2000, by: 40) { pending.append(batch(start..<(start + 40)), range: 1..<40) }
        let taken = pending.removeFirst(1500)
        #expect(values(taken) == (0..<2000).filter { $0 % 40 != 0 }.prefix(1500).map { $0 })
        // Grown by doubling it would hold up to twice its bytes.
        #expect(
            taken.bytes.capacity <= taken.bytes.count + 64, "capacity \(taken.bytes.capacity) for \(taken.bytes.count)")
    }

    @Test func seriesLeaveInTheOrderTheyCameWhateverTheChunking() {
        var pending = PendingSeries()
        let first = batch(0..<10)
        pending.append(first, range: 0..<4)
        pending.append(first, range: 4..<10)
        pending.append(batch(10..<13))
        pending.append(batch(13..<30))
        pending.append(RemoteWriteBatch())
        #expect(pending.count == 30)
        // Across chunk ends, a whole chunk, part of one, and what is left.
        #expect(values(pending.removeFirst(7)) == Array(0..<7))
        #expect(values(pending.removeFirst(3)) == Array(7..<10))
        #expect(values(pending.removeFirst(3)) == Array(10..<13))
        #expect(pending.dropFirst(5) == 5)
        #expect(values(pending.removeFirst(100)) == Array(18..<30))
        #expect(pending.isEmpty && pending.removeFirst(5).isEmpty && pending.dropFirst(5) == 0)
        // A whole chunk taken first grows in place with the next chunk's series.
        pending.append(batch(0..<2))
        pending.append(batch(2..<5))
        let taken = pending.removeFirst(4)
        #expect(values(taken) == [0, 1, 2, 3])
        #expect(taken.protobuf() == batch(0..<4).protobuf())
        #expect(values(pending.removeFirst(4)) == [4])
    }

    @Test func manyChunksAreCompactedWithoutLosingAny() {
        var pending = PendingSeries()
        for round in 0..<300 { pending.append(batch(round * 3..<(round + 1) * 3)) }
        var seen: [Int] = []
        while !pending.isEmpty { seen += values(pending.removeFirst(7)) }
        #expect(seen == Array(0..<900))
    }

    @Test func queuedAndWrittenPartsMixAndAreWrittenOnlyWhenTheRequestIsMade() {
        var issues = ParseIssues()
        var text = "# TYPE m gauge\n"
        for index in 0..<40 { text += "m{i=\"\(index + 100)\"} \(index + 100)\n" }
        let metrics = MetricBatch.parse(Array(text.utf8), format: .text, issues: &issues)
        var encoded = EncodedSeries()
        var converter = SeriesConverter(metrics, extraLabels: [])
        converter.encode(0..<40, into: &encoded)
        let queued = encoded.queued(0..<40, values: metrics, timestamp: 1, shards: 1)[0]
        var pending = PendingSeries()
        pending.append(batch(0..<10))
        pending.append(.queued(queued), range: 5..<25)
        pending.append(batch(10..<20), range: 2..<10)
        pending.append(.queued(queued), range: 30..<40)
        #expect(pending.count == 48)
        var taken = pending.takeFirst(33)
        #expect(taken.count == 33 && pending.count == 15)
        let request = taken.batch()
        #expect(taken.isEmpty)
        #expect(values(request) == Array(0..<10) + Array(105..<125) + Array(12..<15))
        // The same bytes as if every part had been written on arrival, in one allocation.
        var expected = batch(0..<10)
        var written = RemoteWriteBatch()
        queued.write(0..<40, into: &written)
        expected.append(5..<25, of: written)
        expected.append(2..<5, of: batch(10..<20))
        #expect(request == expected)
        #expect(request.bytes.capacity <= request.bytes.count + 64 + 20 * EncodedSeries.mostBytesBesideLabels)
        #expect(values(pending.removeFirst(100)) == Array(15..<20) + Array(130..<140))
    }
}
