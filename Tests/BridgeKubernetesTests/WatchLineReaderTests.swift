import Testing

@testable import BridgeKubernetes

/// Watch lines split across chunks come out whole; an event that never ends is refused at the
/// limit instead of being buffered, and rescanned, without end.
@Suite struct WatchLineReaderTests {
    @Test func linesSplitAcrossChunksComeOutWhole() {
        var reader = WatchLineReader(limit: 100)
        let first = reader.lines(appending: Array("{\"a\":".utf8))
        let second = reader.lines(appending: Array("1}\n\n{\"b\"".utf8))
        let third = reader.lines(appending: Array(":2}\n{".utf8))
        #expect(first == [])
        #expect(second == [Array("{\"a\":1}".utf8)])
        #expect(third == [Array("{\"b\":2}".utf8)])
    }

    @Test func anEventLongerThanTheLimitIsRefused() {
        var reader = WatchLineReader(limit: 1000)
        var refused = false
        for _ in 0..<100 where !refused {
            refused = reader.lines(appending: [UInt8](repeating: 0x61, count: 64)) == nil
        }
        #expect(refused)
    }

    @Test func aLongUnfinishedLineIsScannedOnceNotPerChunk() {
        // 20,000 chunks of 512 bytes without a newline: linear work, done in well under a second
        // (rescanning from the start every chunk would touch ~100 GB).
        var reader = WatchLineReader(limit: 64 << 20)
        let chunk = [UInt8](repeating: 0x61, count: 512)
        let start = ContinuousClock.now
        for _ in 0..<20_000 { _ = reader.lines(appending: chunk) }
        let last = reader.lines(appending: [0x0A])
        #expect(last?.first?.count == 20_000 * 512)
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
