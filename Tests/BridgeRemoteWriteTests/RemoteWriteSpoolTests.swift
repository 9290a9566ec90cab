import BridgeHTTP
import BridgeTestPeers
import Foundation
import Logging
import Testing

@testable import BridgeRemoteWrite

@Suite struct RemoteWriteSpoolTests {
    func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-spool-\(UUID())").path
    }

    @Test func batchesComeBackPerShardInOrderAndSurviveReopening() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let spool = try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 20)
            try spool.append(shard: 0, body: [1], samples: 10, at: 100)
            try spool.append(shard: 1, body: [2], samples: 20, at: 200)
            try spool.append(shard: 0, body: [3], samples: 30, at: 300)
        }
        let spool = try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 20)
        #expect(try spool.oldest(shard: 0, of: 2)?.body == [1])
        #expect(try spool.oldest(shard: 1, of: 2)?.body == [2])
        try spool.remove(try #require(try spool.oldest(shard: 0, of: 2)).id)
        #expect(try spool.oldest(shard: 0, of: 2)?.body == [3])
        #expect(try spool.usage().batches == 2)
        #expect(try spool.usage().oldest == 200)
        // With one shard now, both old shards drain through it, each in its own order.
        #expect(try spool.oldest(shard: 0, of: 1)?.body == [2])
    }

    /// A body whose bytes say which batch it is, `count` bytes long.
    static func body(_ index: Int, count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return withUnsafeBytes(of: UInt64(index).bigEndian, Array.init)
            + (8..<max(8, count)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    static func index(of body: [UInt8]) -> Int {
        Int(body.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// 2.5 MiB of batches into a 1 MiB spool: the oldest go, counted, and the files on disk —
    /// database, WAL and shared memory — stay within the bound.
    @Test func aFullSpoolDeletesTheOldestAndTheFilesStayWithinTheBound() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spool = try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 20)
        var largest = 0
        for index in 0..<40 {
            try spool.append(shard: 0, body: Self.body(index, count: 64 << 10), samples: 7, at: Int64(index))
            largest = max(largest, spool.diskBytes)
        }
        #expect(largest <= 1 << 20, "\(largest) bytes on disk for a bound of 1 MiB")
        #expect(spool.evictions.batches > 20 && spool.evictions.samples == spool.evictions.batches * 7)
        let kept = try spool.usage().batches
        #expect(kept + spool.evictions.batches == 40)
        #expect(try spool.oldest(shard: 0, of: 1).map { Self.index(of: $0.body) } == 40 - kept)
    }

    /// A flipped byte inside a spooled body: the batch fails its checksum, is dropped and counted,
    /// and the batches around it come back intact.
    @Test func aBatchWhoseBytesChangedOnDiskIsDroppedNotSent() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bodies = (0..<3).map { Self.body($0, count: 2000) }
        do {
            let spool = try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 20)
            for (index, body) in bodies.enumerated() {
                try spool.append(shard: 0, body: body, samples: 5, at: Int64(index))
            }
        }
        var file = try Data(contentsOf: URL(fileURLWithPath: path + "/spool.sqlite"))
        let middle = try #require(file.firstRange(of: Data(bodies[1][100..<140])))
        file[middle.lowerBound] ^= 0xFF
        try file.write(to: URL(fileURLWithPath: path + "/spool.sqlite"))
        let spool = try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 20)
        var delivered: [[UInt8]] = []
        while let entry = try spool.oldest(shard: 0, of: 1) {
            delivered.append(entry.body)
            try spool.remove(entry.id)
        }
        #expect(delivered == [bodies[0], bodies[2]])
        #expect(spool.corruptions.batches == 1 && spool.corruptions.samples == 5)
    }

    /// A damaged page in a spool of 300 batches: the file is moved aside, every batch that can still
    /// be read comes back — exactly as spooled, in order — and only those on the damaged page are lost.
    @Test func aDamagedSpoolSalvagesEveryReadableBatch() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bodies = (0..<300).map { Self.body($0, count: 500) }
        do {
            let spool = try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 20)
            for (index, body) in bodies.enumerated() {
                try spool.append(shard: 0, body: body, samples: 1, at: Int64(index))
            }
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path + "/spool.sqlite"))
        try handle.seek(toOffset: 19 * 4096)
        try handle.write(contentsOf: Data(repeating: 0x42, count: 4096))
        try handle.close()
        var reason = ""
        let spool = try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 20, onCorrupt: { reason = $1 })
        #expect(reason.contains("\(spool.salvaged) batches salvaged"), "\(reason)")
        var delivered: [[UInt8]] = []
        while let entry = try spool.oldest(shard: 0, of: 1) {
            delivered.append(entry.body)
            try spool.remove(entry.id)
        }
        #expect(delivered.count == spool.salvaged)
        #expect(delivered.count >= 280 && delivered.count < 300, "\(delivered.count) of 300 salvaged")
        let indices = delivered.map(Self.index(of:))
        #expect(indices == indices.sorted())
        #expect(delivered.allSatisfy { bodies[Self.index(of: $0)] == $0 })
    }

    @Test func aCorruptSpoolIsMovedAsideAndAFreshOneStarted() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path + "/spool.sqlite"))
        var moved: (String, String)?
        let spool = try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 20, onCorrupt: { moved = ($0, $1) })
        let aside = try #require(moved?.0)
        #expect(aside.hasPrefix(path + "/spool.sqlite.corrupt-"))
        #expect(FileManager.default.fileExists(atPath: aside))
        try spool.append(shard: 0, body: [9], samples: 1, at: 1)
        #expect(try spool.oldest(shard: 0, of: 1)?.body == [9])
    }
}

/// A scripted receiver that fails while its toggle file exists, and a spool directory; `stop()`
/// removes both.
struct Outage {
    let toggle = FileManager.default.temporaryDirectory.appendingPathComponent("rw-spool-\(UUID())").path
    let spool = FileManager.default.temporaryDirectory.appendingPathComponent("stackbridge-spool-\(UUID())").path
    let server: FixtureServer

    init() throws {
        guard FileManager.default.createFile(atPath: toggle, contents: Data()) else {
            throw CocoaError(.fileWriteUnknown)
        }
        server = try FixtureServer(toggleFile: toggle)
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: spool)
        try? FileManager.default.removeItem(atPath: toggle)
    }
}

/// The queue with a spool against the scripted receiver: outages go to disk and come back, across
/// a restart of the queue too.
@Suite struct RemoteWriteQueueSpoolTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    func batch(_ range: Range<Int>) -> RemoteWriteBatch {
        var batch = RemoteWriteBatch()
        for index in range {
            batch.append(labels: [("__name__", "m"), ("i", "\(index)")], value: 1, timestamp: Int64(index))
        }
        return batch
    }

    func makeQueue(
        _ server: FixtureServer, spool: RemoteWriteSpool, configure: (inout QueueConfig) -> Void = { _ in }
    ) -> RemoteWriteQueue {
        var config = QueueConfig()
        config.maxSamplesPerSend = 100
        config.batchSendDeadline = .milliseconds(100)
        config.minBackoff = .milliseconds(20)
        config.maxBackoff = .milliseconds(200)
        configure(&config)
        return RemoteWriteQueue(
            endpoint: RemoteWriteEndpoint(url: server.baseURL + "/write/toggle"), config: config, client: client,
            userAgent: "stackbridge/test", logger: Logger(label: "test"), spool: spool)
    }

    @Test func anOutageGoesToDiskAndIsSentAfterARestart() async throws {
        let outage = try Outage()
        defer { outage.stop() }
        let (toggle, path, server) = (outage.toggle, outage.spool, outage.server)
        // First life: the receiver is down; everything ends up on disk, by failure or at shutdown.
        let first = makeQueue(server, spool: try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 30))
        let running = Task { await first.run() }
        await first.enqueue(batch(0..<300))
        for _ in 0..<500 where (first.snapshot.spoolBytes == 0) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(first.snapshot.spoolBytes > 0)
        await first.enqueue(batch(300..<500))
        running.cancel()
        await running.value
        #expect(first.snapshot.samplesSent == 0)
        #expect(first.snapshot.pending == 0)
        // Second life: the receiver is back; the spool drains and nothing is lost.
        try FileManager.default.removeItem(atPath: toggle)
        let second = makeQueue(server, spool: try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 30))
        let drained = Task { await second.run() }
        for _ in 0..<500 where second.snapshot.samplesSent < 500 { try await Task.sleep(for: .milliseconds(20)) }
        drained.cancel()
        await drained.value
        #expect(second.snapshot.samplesSent == 500)
        #expect(second.snapshot.spoolBytes == 0)
        #expect(second.snapshot.samplesFailed == 0 && second.snapshot.samplesDropped == 0)
    }

    @Test func oneEnqueueLargerThanTheQueueDuringAnOutageGoesToDiskWhole() async throws {
        let outage = try Outage()
        defer { outage.stop() }
        let (toggle, path, server) = (outage.toggle, outage.spool, outage.server)
        // The receiver is down and the shard behind its spool: what does not fit in memory follows
        // the spooled batches to disk, so a scrape ten times the queue's capacity is not cut down
        // to its newest.
        let queue = makeQueue(server, spool: try RemoteWriteSpool(directory: path, maxDiskBytes: 1 << 30)) { config in
            config.maxShards = 1
            config.capacity = 100
            config.maxBackoff = .seconds(2)
        }
        let running = Task { await queue.run() }
        await queue.enqueue(batch(0..<300))
        for _ in 0..<500 where queue.snapshot.samplesRetried < 200 { try await Task.sleep(for: .milliseconds(20)) }
        await queue.enqueue(batch(300..<1300))
        #expect(queue.snapshot.samplesDropped == 0)
        try FileManager.default.removeItem(atPath: toggle)
        for _ in 0..<1000 where queue.snapshot.samplesSent < 1300 { try await Task.sleep(for: .milliseconds(20)) }
        running.cancel()
        await running.value
        #expect(queue.snapshot.samplesSent == 1300, "\(queue.snapshot)")
        #expect(queue.snapshot.samplesDropped == 0 && queue.snapshot.samplesDroppedSpoolFull == 0)
    }
}
