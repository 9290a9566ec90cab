import BridgeCore

/// Samples waiting in a queue shard as references: each names one series of an ``EncodedSeries``
/// and carries its value and timestamp, and the series' bytes are written into a request only when
/// the request is taken (``PendingSeries``).
///
/// A kube-state-metrics scrape of a large cluster queues about 100,000 samples whose enriched
/// series take about 600 bytes each in wire form; written out on arrival, the parts waiting in the
/// shards held about 24 MiB at 10× the simulated cluster and every label's bytes were copied twice
/// (into the part, then into the request). Referenced, a waiting sample takes 24 bytes, and the
/// encoded series are the ones the scrape keeps for its next round anyway (docs/performance.md,
/// "Where the time goes").
public struct QueuedSamples: Sendable {
    /// One waiting sample.
    struct Entry: Sendable, Hashable {
        /// The series' number within ``QueuedSamples/series``, counted from its first.
        var series: Int32
        /// The sample's value.
        var value: Double
        /// The sample's timestamp, in milliseconds.
        var timestamp: Int64
    }

    /// The series the samples belong to.
    let series: EncodedSeries
    /// The samples, in the order they are sent.
    private(set) var entries: [Entry] = []

    /// No samples yet, of series in `series`.
    init(of series: EncodedSeries) {
        self.series = series
    }

    /// Samples held.
    public var count: Int { entries.count }

    /// Whether none are held.
    public var isEmpty: Bool { entries.isEmpty }

    /// Appends a sample of series `series` (counted from the first held).
    mutating func append(series: Int, value: Double, timestamp: Int64) {
        entries.append(Entry(series: Int32(series), value: value, timestamp: timestamp))
    }

    /// Makes room for `more` samples.
    mutating func reserveCapacity(_ more: Int) {
        entries.reserveCapacity(entries.count + more)
    }

    /// At most the bytes the samples `range` take once written: their series' `labels` fields and
    /// ``EncodedSeries/mostBytesBesideLabels`` each.
    func byteCount(of range: Range<Int>) -> Int {
        entries[range].reduce(0) { total, entry in
            total + series.labelBytes(of: Int(entry.series)) + EncodedSeries.mostBytesBesideLabels
        }
    }

    /// Writes the samples `range`, in order, at the end of `destination`.
    func write(_ range: Range<Int>, into destination: inout RemoteWriteBatch) {
        series.write(entries[range], into: &destination)
    }
}
