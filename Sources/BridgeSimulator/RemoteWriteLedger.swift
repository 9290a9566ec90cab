import Foundation

/// A remote-write receiver's ledger of who sent which series when, for the scale bench's
/// kube-state-metrics shards (issue: "no series without an owner for more than two intervals and
/// none with two owners for more than one"). Time is cut into buckets of one scrape interval by
/// the samples' own timestamps; each series keeps, per bucket, the set of senders it came from.
///
/// - gap: a run of buckets in which nobody sent the series, between its first bucket and the
///   last bucket of the whole ledger (a series that stops early has a gap to the end);
/// - duplicate: a run of buckets in which two or more senders sent it;
/// - delete: a staleness marker (Prometheus' NaN `0x7ff0000000000002`), which a series handed to
///   another shard must not get.
public final class RemoteWriteLedger: @unchecked Sendable {
    /// What the ledger found.
    public struct Report: Sendable, Equatable, Codable {
        /// Series recorded (those carrying the left-out label are not).
        public var series = 0
        /// Senders seen.
        public var senders: [String] = []
        /// Samples recorded.
        public var samples = 0
        /// Series with a gap longer than two intervals.
        public var seriesWithGaps = 0
        /// The longest gap, in intervals.
        public var longestGap = 0
        /// Series with two owners for longer than one interval.
        public var seriesWithDuplicates = 0
        /// The longest run with two owners or more, in intervals.
        public var longestDuplicate = 0
        /// Staleness markers received.
        public var deletes = 0
    }

    private struct Track {
        var first: Int64
        var masks: [UInt64] = []
    }

    private let lock = NSLock()
    private let intervalMilliseconds: Int64
    private let leavingOut: String?
    private var senders: [String: Int] = [:]
    private var tracks: [String: Track] = [:]
    private var samples = 0
    private var deletes = 0
    private var last: Int64 = .min

    /// A ledger in buckets of `intervalMilliseconds`, not recording series that carry the label
    /// `leavingOut` (the shards' own series, which name their pod).
    public init(intervalMilliseconds: Int64, leavingOut: String? = nil) {
        self.intervalMilliseconds = max(1, intervalMilliseconds)
        self.leavingOut = leavingOut
    }

    /// Records one request's series from `sender`: labels (any order) and samples as value bits
    /// and timestamp in milliseconds.
    public func record(
        sender: String, series: [(labels: [(String, String)], samples: [(bits: UInt64, timestamp: Int64)])]
    ) {
        lock.lock()
        defer { lock.unlock() }
        let index =
            senders[sender]
            ?? {
                let next = senders.count
                senders[sender] = next
                return next
            }()
        guard index < 64 else { return }
        for (labels, points) in series where !labels.contains(where: { $0.0 == leavingOut }) {
            let key = labels.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            for point in points {
                samples += 1
                if point.bits == 0x7ff0_0000_0000_0002 {
                    deletes += 1
                    continue
                }
                let bucket = point.timestamp / intervalMilliseconds
                last = max(last, bucket)
                var track = tracks[key] ?? Track(first: bucket)
                if bucket < track.first {
                    track.masks.insert(contentsOf: repeatElement(0, count: Int(track.first - bucket)), at: 0)
                    track.first = bucket
                }
                let offset = Int(bucket - track.first)
                if offset >= track.masks.count {
                    track.masks.append(contentsOf: repeatElement(0, count: offset - track.masks.count + 1))
                }
                track.masks[offset] |= 1 << UInt64(index)
                tracks[key] = track
            }
        }
    }

    /// What the ledger holds now.
    public var report: Report {
        lock.lock()
        defer { lock.unlock() }
        var report = Report(
            series: tracks.count, senders: senders.keys.sorted(), samples: samples, deletes: deletes)
        for track in tracks.values {
            var masks = track.masks
            // Up to the ledger's last bucket: a series nobody sends any more has a gap to the end.
            masks.append(contentsOf: repeatElement(0, count: max(0, Int(last - track.first) + 1 - masks.count)))
            let gap = Self.longestRun(masks) { $0 == 0 }
            let duplicate = Self.longestRun(masks) { $0.nonzeroBitCount > 1 }
            report.longestGap = max(report.longestGap, gap)
            report.longestDuplicate = max(report.longestDuplicate, duplicate)
            if gap > 2 { report.seriesWithGaps += 1 }
            if duplicate > 1 { report.seriesWithDuplicates += 1 }
        }
        return report
    }

    private static func longestRun(_ masks: [UInt64], where matches: (UInt64) -> Bool) -> Int {
        var (longest, current) = (0, 0)
        for mask in masks {
            current = matches(mask) ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
