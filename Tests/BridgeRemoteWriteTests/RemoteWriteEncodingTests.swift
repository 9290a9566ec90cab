import BridgeCore
import CPrompb
import Testing

@testable import BridgeRemoteWrite

/// Decodes a `WriteRequest` with protobuf-c's unpacker: (sorted labels, value bits, timestamp).
func decode(_ protobuf: [UInt8]) -> [([(String, String)], UInt64, Int64)]? {
    guard
        let request = protobuf.withUnsafeBufferPointer({
            prometheus__write_request__unpack(nil, $0.count, $0.baseAddress)
        })
    else { return nil }
    defer { prometheus__write_request__free_unpacked(request, nil) }
    var result: [([(String, String)], UInt64, Int64)] = []
    for index in 0..<request.pointee.n_timeseries {
        let series = request.pointee.timeseries[index]!.pointee
        var labels: [(String, String)] = []
        for labelIndex in 0..<series.n_labels {
            let label = series.labels[labelIndex]!.pointee
            labels.append((String(cString: label.name), String(cString: label.value)))
        }
        let sample = series.samples[0]!.pointee
        result.append((labels, sample.value.bitPattern, sample.timestamp))
    }
    return result
}

@Suite struct RemoteWriteEncodingTests {
    @Test func seriesCarrySortedLabelsWithJobAndInstanceAndNoEmptyValues() throws {
        var issues = ParseIssues()
        var metrics = MetricBatch.parse(
            Array(
                """
                # TYPE http_requests_total counter
                http_requests_total{method="GET",code="200",zone=""} 7
                http_requests_total{method="POST",job="own-job"} 1 1700000000123
                up 1

                """.utf8), format: .text, issues: &issues)
        #expect(issues.count == 0)
        var stale = MetricBatch(symbols: metrics.symbols)
        stale.beginFamily(name: stale.symbols.intern("gone"), type: nil, help: nil, unit: nil)
        stale.appendSample(name: stale.symbols.intern("gone"), value: .staleMarker, timestamp: nil, exemplar: nil)
        metrics.symbols = stale.symbols
        var batch = RemoteWriteBatch()
        let extra = [(name: "job", value: "kubelet"), (name: "instance", value: "node-1")]
        batch.append(metrics, extraLabels: extra, timestamp: 1_700_000_000_000)
        batch.append(stale, extraLabels: extra, timestamp: 1_700_000_000_000)
        let decoded = try #require(decode(batch.protobuf()))
        #expect(decoded.count == 4)
        #expect(
            decoded[0].0.map { "\($0.0)=\($0.1)" } == [
                "__name__=http_requests_total", "code=200", "instance=node-1", "job=kubelet", "method=GET",
            ])
        #expect(decoded[0].1 == Double(7).bitPattern)
        #expect(decoded[0].2 == 1_700_000_000_000)
        // The source's own job wins, and its own timestamp is kept.
        #expect(
            decoded[1].0.map { "\($0.0)=\($0.1)" } == [
                "__name__=http_requests_total", "instance=node-1", "job=own-job", "method=POST",
            ])
        #expect(decoded[1].2 == 1_700_000_000_123)
        // The staleness marker keeps its exact NaN payload.
        #expect(decoded[3].1 == 0x7FF0_0000_0000_0002)
        // One series' hash does not depend on the order its labels came in.
        var reordered = RemoteWriteBatch()
        let first = reordered.append(labels: [("b", "2"), ("a", "1"), ("__name__", "x")], value: 1, timestamp: 1)
        let second = reordered.append(labels: [("__name__", "x"), ("a", "1"), ("b", "2")], value: 2, timestamp: 2)
        #expect(first == second)
        // The interned fast path and the string path give the same series and the same shard hash.
        for index in 0..<batch.count {
            let (labels, value, timestamp) = batch.sample(index)
            var fromStrings = RemoteWriteBatch()
            let hash = fromStrings.append(
                labels: labels.reversed().map { (name: $0.0, value: $0.1) }, value: value, timestamp: timestamp)
            #expect(hash == batch.hash(of: index))
            #expect(fromStrings.sample(0).labels.map { "\($0.0)=\($0.1)" } == labels.map { "\($0.0)=\($0.1)" })
        }
    }

    @Test func removingTheFirstSeriesSplitsTheBatchExactly() throws {
        var batch = RemoteWriteBatch()
        for index in 0..<50 {
            var labels = [(name: "__name__", value: "m\(index % 3)"), (name: "i", value: "\(index)")]
            for extra in 0..<(index % 4) {
                labels.append((name: "l\(extra)", value: String(repeating: "v", count: index)))
            }
            batch.append(labels: labels, value: Double(index), timestamp: Int64(index))
        }
        let original = batch
        var rest = batch
        let head = rest.removeFirst(17)
        #expect(head.count == 17 && rest.count == 33)
        for index in 0..<50 {
            let expected = original.sample(index)
            let got = index < 17 ? head.sample(index) : rest.sample(index - 17)
            #expect(got.labels.map { "\($0.0)=\($0.1)" } == expected.labels.map { "\($0.0)=\($0.1)" })
            #expect(got.value == expected.value && got.timestamp == expected.timestamp)
            #expect((index < 17 ? head.hash(of: index) : rest.hash(of: index - 17)) == original.hash(of: index))
        }
        var joined = head
        joined.append(contentsOf: rest)
        #expect(joined.protobuf() == original.protobuf())
        var all = original
        #expect(all.removeFirst(99).count == 50 && all.isEmpty)
        #expect(all.removeFirst(1).isEmpty)
    }

    @Test func snappyRoundTripsAndMergedBatchesEncodeTheSame() throws {
        var batch = RemoteWriteBatch()
        for index in 0..<1000 {
            batch.append(
                labels: [("__name__", "m"), ("i", "\(index)"), ("pod", "p-\(index % 10)")], value: Double(index),
                timestamp: Int64(index))
        }
        let protobuf = batch.protobuf()
        let compressed = batch.encoded()
        #expect(compressed.count < protobuf.count / 2)
        #expect(Snappy.uncompress(compressed) == protobuf)
        #expect(Snappy.uncompress([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02]) == nil)
        var copy = RemoteWriteBatch()
        for index in 0..<batch.count { copy.append(index, of: batch) }
        #expect(copy.protobuf() == protobuf)
    }

    @Test func theWireFormReadsBackThroughProtobufCAtEveryFieldEdge() throws {
        // Zero value and zero timestamp (left out on the wire, as proto3 encoders do), negative
        // zero and a negative timestamp (a ten-byte varint), strings of 127, 128 and 20,000 bytes
        // (one-, two- and three-byte lengths), a staleness marker's NaN payload.
        let cases: [(value: Double, timestamp: Int64, length: Int)] = [
            (0, 0, 1), (-0.0, -1, 127), (1.5, 1, 128), (Double(bitPattern: 0x7FF0_0000_0000_0002), .max, 20_000),
            (-.infinity, .min, 3),
        ]
        var batch = RemoteWriteBatch()
        for (index, item) in cases.enumerated() {
            batch.append(
                labels: [("__name__", "m\(index)"), ("long", String(repeating: "x", count: item.length))],
                value: item.value, timestamp: item.timestamp)
        }
        let decoded = try #require(decode(batch.protobuf()))
        #expect(decoded.count == cases.count)
        for (index, item) in cases.enumerated() {
            #expect(decoded[index].0.map(\.0) == ["__name__", "long"])
            #expect(decoded[index].0[1].1.utf8.count == item.length)
            #expect(decoded[index].1 == item.value.bitPattern)
            #expect(decoded[index].2 == item.timestamp)
            let own = batch.sample(index)
            #expect(own.value.bitPattern == item.value.bitPattern && own.timestamp == item.timestamp)
            #expect(own.labels.map(\.1) == decoded[index].0.map(\.1))
        }
    }

    @Test func convertingASliceAtATimeGivesTheSameSeriesAsConvertingWhole() throws {
        var issues = ParseIssues()
        var text = "# TYPE m gauge\n"
        for index in 0..<50 { text += "m{pod=\"p\(index % 7)\",zeta=\"\(index)\",alpha=\"a\"} \(index)\n" }
        let metrics = MetricBatch.parse(Array(text.utf8), format: .text, issues: &issues)
        let extra = [(name: "job", value: "kubelet"), (name: "instance", value: "node-1")]
        var whole = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: 3)
        RemoteWriteBatch.append(metrics, extraLabels: extra, timestamp: 5, sharding: &whole)
        var sliced = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: 3)
        var converter = SeriesConverter(metrics, extraLabels: extra)
        for start in stride(from: 0, to: 50, by: 8) {
            converter.append(start..<min(50, start + 8), timestamp: 5, sharding: &sliced)
        }
        #expect(sliced == whole)
        #expect(whole.map(\.count).reduce(0, +) == 50)
    }

    @Test func keptSeriesWrittenWithANewScrapesValuesEqualAFreshConversion() throws {
        func parse(_ values: [String]) -> MetricBatch {
            var issues = ParseIssues()
            var text = "# TYPE m gauge\n"
            for (index, value) in values.enumerated() {
                // Like a pod's series: most labels shared with the pod's other series.
                text +=
                    "m{pod=\"p\(index % 7)\",zeta=\"\(index)\",job=\"own\",namespace=\"checkout-production\","
                    + "uid=\"6f1c2a8e-0b7d-4c1e-9a3f-00000000000\(index % 7)\",image=\"registry.example.com/shop/api:1.2.3\"} "
                    + "\(value)\(index % 3 == 0 ? " 77" : "")\n"
            }
            return MetricBatch.parse(Array(text.utf8), format: .text, issues: &issues)
        }
        let extra = [(name: "job", value: "kubelet"), (name: "instance", value: "node-1")]
        let first = parse((0..<40).map { "\($0)" })
        var kept = EncodedSeries()
        var converter = SeriesConverter(first, extraLabels: extra)
        converter.encode(0..<40, into: &kept)
        #expect(kept.count == 40 && kept.samples == 0..<40)
        // The next scrape: the same series, other values (zero and a staleness marker among them).
        var next = parse((0..<40).map { "\($0 * 3 + 1)" })
        next.setSampleValues { $0 == 5 ? 0 : $0 == 6 ? .staleMarker : Double($0) * 2.5 }
        var reused = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: 3)
        for start in stride(from: 0, to: 40, by: 16) {
            kept.write(start..<min(40, start + 16), values: next, timestamp: 9, sharding: &reused)
        }
        var fresh = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: 3)
        RemoteWriteBatch.append(next, extraLabels: extra, timestamp: 9, sharding: &fresh)
        #expect(reused == fresh)
        // Labels shared between series are kept once: the kept form is far smaller than the written one.
        kept.shrinkToFit()
        let written = reused.map { $0.protobuf().count }.reduce(0, +)
        #expect(kept.byteCount * 2 < written, "kept \(kept.byteCount) bytes for \(written) written")
        var again = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: 3)
        kept.write(0..<40, values: next, timestamp: 9, sharding: &again)
        #expect(again == fresh, "writes the same after shrinking")
        var old = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: 3)
        RemoteWriteBatch.append(first, extraLabels: extra, timestamp: 9, sharding: &old)
        #expect(reused != old)
        let decoded = try #require(decode(reused.flatMap { $0.protobuf() }))
        #expect(decoded.count == 40)
        #expect(decoded.contains { $0.1 == Double.staleMarker.bitPattern })
        #expect(decoded.contains { $0.2 == 77 } && decoded.contains { $0.2 == 9 })
    }

    @Test func writtenPartsAreSizedOnceForWhatTheyHold() {
        var issues = ParseIssues()
        var text = "# TYPE m gauge\n"
        for index in 0..<3000 {
            text += "m{pod=\"p\(index % 70)\",container=\"c\(index)\",image=\"registry.example.com/a/b:\(index)\"} 1\n"
        }
        let metrics = MetricBatch.parse(Array(text.utf8), format: .text, issues: &issues)
        var encoded = EncodedSeries()
        var converter = SeriesConverter(metrics, extraLabels: [(name: "job", value: "kubelet")])
        converter.encode(0..<3000, into: &encoded)
        var parts = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: 4)
        encoded.write(0..<3000, values: metrics, timestamp: 9, sharding: &parts)
        #expect(parts.map(\.count).reduce(0, +) == 3000)
        for part in parts {
            // Grown by doubling, a part would hold up to twice its bytes; sized first, at most the
            // bound per series (and an allocator's rounding) above them.
            let bound = part.bytes.count + part.count * EncodedSeries.mostBytesBesideLabels + 4096
            #expect(part.bytes.capacity <= bound, "capacity \(part.bytes.capacity) for \(part.bytes.count) bytes")
        }
    }

    @Test func queuedSamplesWrittenWhenTakenEqualTheWrittenParts() throws {
        var issues = ParseIssues()
        var text = "# TYPE m gauge\n"
        for index in 0..<300 {
            text += "m{pod=\"p\(index % 11)\",zeta=\"\(index)\"} \(index)\(index % 4 == 0 ? " 77" : "")\n"
        }
        let metrics = MetricBatch.parse(Array(text.utf8), format: .text, issues: &issues)
        let extra = [(name: "job", value: "kubelet"), (name: "instance", value: "node-1")]
        var converter = SeriesConverter(metrics, extraLabels: extra)
        var encoded = EncodedSeries(first: 100)
        var skipped = EncodedSeries()
        converter.encode(0..<100, into: &skipped)
        converter.encode(100..<300, into: &encoded)
        var written = [RemoteWriteBatch](repeating: RemoteWriteBatch(), count: 3)
        encoded.write(120..<290, values: metrics, timestamp: 9, sharding: &written)
        let queued = encoded.queued(120..<290, values: metrics, timestamp: 9, shards: 3)
        #expect(queued.map(\.count) == written.map(\.count))
        for (part, expected) in zip(queued, written) {
            var batch = RemoteWriteBatch()
            part.write(0..<part.count, into: &batch)
            #expect(batch == expected)
            // Each sample is a reference, its series' bytes are not held twice.
            #expect(part.entries.count * MemoryLayout<QueuedSamples.Entry>.stride <= 24 * part.count)
            #expect(part.byteCount(of: 0..<part.count) >= batch.protobuf().count)
        }
        let decoded = try #require(decode(written.flatMap { $0.protobuf() }))
        #expect(decoded.count == 170 && decoded.contains { $0.2 == 77 } && decoded.contains { $0.2 == 9 })
    }
}
