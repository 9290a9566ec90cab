import BridgeSimulator
import Testing

/// The ledger's owners, gaps, duplicates and deletes, bucket by bucket.
@Suite struct RemoteWriteLedgerTests {
    func one(_ name: String, at seconds: [Int64], bits: UInt64 = 0x3FF0_0000_0000_0000, instance: String? = nil)
        -> (labels: [(String, String)], samples: [(bits: UInt64, timestamp: Int64)])
    {
        ([("__name__", name)] + (instance.map { [("instance", $0)] } ?? []), seconds.map { (bits, $0 * 1000) })
    }

    @Test func aHandoverWithinAnIntervalIsNeitherAGapNorADuplicate() {
        let ledger = RemoteWriteLedger(intervalMilliseconds: 1000, leavingOut: "instance")
        ledger.record(sender: "a", series: [one("x", at: [0, 1, 2, 3]), one("up", at: [0, 1, 2, 3], instance: "a")])
        // b takes over in the bucket a leaves (one interval with two owners), and a gap of two.
        ledger.record(sender: "b", series: [one("x", at: [3, 6, 7])])
        let report = ledger.report
        #expect(report.series == 1)
        #expect(report.senders == ["a", "b"])
        #expect(report.longestDuplicate == 1 && report.seriesWithDuplicates == 0)
        #expect(report.longestGap == 2 && report.seriesWithGaps == 0)
        #expect(report.deletes == 0)
    }

    @Test func longGapsDuplicatesTrailingSilenceAndStalenessMarkersAreCounted() {
        let ledger = RemoteWriteLedger(intervalMilliseconds: 1000)
        ledger.record(sender: "a", series: [one("x", at: [0, 1, 2, 3, 4, 5, 6, 7, 8]), one("y", at: [0, 4])])
        ledger.record(sender: "b", series: [one("x", at: [2, 3]), one("z", at: [0, 1, 2])])
        ledger.record(sender: "b", series: [one("z", at: [3], bits: 0x7FF0_0000_0000_0002)])
        let report = ledger.report
        // x: two owners for two buckets; y: empty 1…3 and 5…8; z: silent from 3 to the ledger's end, 8.
        #expect(report.seriesWithDuplicates == 1 && report.longestDuplicate == 2)
        #expect(report.seriesWithGaps == 2 && report.longestGap == 6)
        #expect(report.deletes == 1)
        #expect(report.samples == 17)
    }
}
