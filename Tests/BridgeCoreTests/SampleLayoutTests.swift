import Testing

@testable import BridgeCore

/// A sample is packed into 32 bytes and still reads back every value it was given.
@Suite struct SampleLayoutTests {
    typealias Sample = MetricBatch.Sample

    @Test func aSampleTakesThirtyTwoBytes() {
        #expect(MemoryLayout<Sample>.stride == 32)
    }

    @Test func everyFieldReadsBackWhatWasSet() {
        let timestamps: [Int64?] = [nil, 0, 1, -1, 1_700_000_000_000, .min, .max]
        let exemplars: [Int?] = [nil, 0, 1, Int(UInt32.max) - 1]
        let ranges: [Range<Int>] = [0..<0, 0..<3, 7..<7, 100..<131, Int(UInt32.max) - 5..<Int(UInt32.max)]
        for timestamp in timestamps {
            for exemplar in exemplars {
                for range in ranges {
                    let sample = Sample(
                        name: Symbol(rawValue: 9), labelRange: range, value: -2.5, timestamp: timestamp,
                        exemplar: exemplar)
                    #expect(sample.name == Symbol(rawValue: 9))
                    #expect(sample.labelRange == range)
                    #expect(sample.value == -2.5)
                    #expect(sample.timestamp == timestamp)
                    #expect(sample.exemplar == exemplar)
                }
            }
        }
    }

    @Test func changingOneFieldKeepsTheOthers() {
        var sample = Sample(name: Symbol(rawValue: 1), labelRange: 4..<9, value: 1, timestamp: 42, exemplar: 3)
        sample.labelRange = 10..<12
        #expect(sample.timestamp == 42 && sample.exemplar == 3)
        sample.timestamp = nil
        #expect(sample.labelRange == 10..<12 && sample.exemplar == 3 && sample.timestamp == nil)
        sample.exemplar = nil
        #expect(sample.labelRange == 10..<12 && sample.timestamp == nil && sample.exemplar == nil)
        sample.timestamp = 0
        #expect(sample.timestamp == 0 && sample.labelRange == 10..<12)
    }

    @Test func equalSamplesAreEqualHoweverTheyGotThere() {
        var cleared = Sample(name: Symbol(rawValue: 1), labelRange: 0..<2, value: 1, timestamp: 5, exemplar: 0)
        cleared.timestamp = nil
        cleared.exemplar = nil
        let plain = Sample(name: Symbol(rawValue: 1), labelRange: 0..<2, value: 1, timestamp: nil, exemplar: nil)
        #expect(cleared == plain)
        #expect(cleared.hashValue == plain.hashValue)
        #expect(plain != Sample(name: Symbol(rawValue: 1), labelRange: 0..<2, value: 1, timestamp: 0, exemplar: nil))
    }
}
