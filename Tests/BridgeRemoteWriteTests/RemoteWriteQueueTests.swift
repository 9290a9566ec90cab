import BridgeHTTP
import BridgeTestPeers
import Foundation
import Logging
import Testing

@testable import BridgeRemoteWrite

/// The queue against the scripted receiver: batching, retries through an outage, refusals, overflow.
@Suite struct RemoteWriteQueueTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    func batch(_ range: Range<Int>) -> RemoteWriteBatch {
        var batch = RemoteWriteBatch()
        for index in range {
            batch.append(labels: [("__name__", "m"), ("i", "\(index)")], value: 1, timestamp: Int64(index))
        }
        return batch
    }

    func run(
        _ queue: RemoteWriteQueue, until condition: @escaping @Sendable (RemoteWriteQueue.Counters) -> Bool,
        timeout: Duration = .seconds(20), _ body: @Sendable () async throws -> Void = {}
    ) async throws -> Bool {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            try await body()
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline && !condition(queue.snapshot) {
                try await Task.sleep(for: .milliseconds(20))
            }
            group.cancelAll()
            return condition(queue.snapshot)
        }
    }

    func queue(
        _ server: FixtureServer, _ path: String, timeout: Duration = .seconds(30),
        configure: (inout QueueConfig) -> Void = { _ in }
    ) -> RemoteWriteQueue {
        var config = QueueConfig()
        config.maxSamplesPerSend = 100
        config.batchSendDeadline = .milliseconds(100)
        config.minBackoff = .milliseconds(20)
        config.maxBackoff = .milliseconds(200)
        configure(&config)
        var endpoint = RemoteWriteEndpoint(url: server.baseURL + path)
        endpoint.timeout = timeout
        return RemoteWriteQueue(
            endpoint: endpoint, config: config, client: client,
            userAgent: "stackbridge/test", logger: Logger(label: "test"))
    }

    @Test func everySampleIsSentInBatchesOfAtMostMaxSamplesPerSend() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let queue = queue(server, "/write/204")
        await queue.enqueue(batch(0..<950))
        #expect(try await run(queue, until: { $0.samplesSent == 950 }))
        let writes = String(
            decoding: try await PeerProcess.fetch(server.baseURL + "/writes", accept: "*/*").0, as: UTF8.self)
        let requests = writes.split(separator: "\n")
        // 4 shards, at most 100 per request: at least 10 requests, none empty.
        #expect(requests.count >= 10)
        #expect(queue.snapshot.highestSentTimestamp == 949)
        #expect(queue.snapshot.pending == 0)
    }

    @Test func anOutageIsRetriedThroughWithoutLoss() async throws {
        let toggle = FileManager.default.temporaryDirectory.appendingPathComponent("rw-outage-\(UUID())").path
        #expect(FileManager.default.createFile(atPath: toggle, contents: Data()))
        let server = try FixtureServer(toggleFile: toggle)
        defer { server.stop() }
        let queue = queue(server, "/write/toggle")
        let delivered = try await run(queue, until: { $0.samplesSent == 600 }) {
            await queue.enqueue(batch(0..<300))
            // Wait for retries (the first attempts fail); nothing can have been accepted meanwhile.
            for _ in 0..<500 where queue.snapshot.samplesRetried == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(queue.snapshot.samplesRetried > 0)
            #expect(queue.snapshot.samplesSent == 0)
            await queue.enqueue(batch(300..<600))
            try FileManager.default.removeItem(atPath: toggle)
        }
        #expect(delivered)
        #expect(queue.snapshot.samplesFailed == 0 && queue.snapshot.samplesDropped == 0)
    }

    @Test func refusedBatchesAreCountedNotRetried() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let queue = queue(server, "/write/400")
        await queue.enqueue(batch(0..<50))
        #expect(try await run(queue, until: { $0.samplesFailed == 50 }))
        #expect(queue.snapshot.samplesRetried == 0)
        #expect(queue.snapshot.samplesSent == 0)
    }

    @Test func oneEnqueueLargerThanTheQueueDrainsThroughAHealthyReceiverWithoutLoss() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        // One kube-state-metrics scrape of a large cluster is many times `capacity`.
        let queue = queue(server, "/write/204") { config in
            config.maxShards = 2
            config.capacity = 100
            config.maxSamplesPerSend = 50
        }
        let delivered = try await run(queue, until: { $0.samplesSent == 3000 }) {
            await queue.enqueue(batch(0..<3000))
        }
        #expect(delivered, "\(queue.snapshot)")
        #expect(queue.snapshot.samplesDropped == 0)
        #expect(queue.snapshot.highestSentTimestamp == 2999)
    }

    @Test func aFullShardBehindAnOutageDropsItsOldestAtOnceAndCountsThem() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let queue = queue(server, "/write/503") { config in
            config.maxShards = 1
            config.capacity = 100
        }
        let dropping = try await run(queue, until: { $0.samplesDropped == 200 }) {
            await queue.enqueue(batch(0..<100))
            for _ in 0..<500 where queue.snapshot.samplesRetried == 0 { try await Task.sleep(for: .milliseconds(20)) }
            // The sender retries its batch; waiting for room (up to remote_timeout, 30 s) would
            // only stall the scrape.
            let start = ContinuousClock.now
            await queue.enqueue(batch(100..<350))
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(queue.snapshot.samplesDropped == 150)
            #expect(queue.snapshot.pending == 100)
            await queue.enqueue(batch(350..<400))
        }
        #expect(dropping)
    }

    @Test func aFullShardWaitsOneRemoteTimeoutForAHungSenderThenKeepsTheNewest() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        let queue = queue(server, "/write/204", timeout: .seconds(3)) { config in
            config.maxShards = 1
            config.capacity = 100
        }
        // No sender runs: as if its request hung. The enqueue waits a remote_timeout for room.
        let start = ContinuousClock.now
        await queue.enqueue(batch(0..<250))
        #expect(ContinuousClock.now - start >= .seconds(3))
        #expect(queue.snapshot.samplesDropped == 150)
        #expect(queue.snapshot.pending == 100)
        let again = ContinuousClock.now
        await queue.enqueue(batch(250..<300))
        #expect(ContinuousClock.now - again < .seconds(3))
        #expect(queue.snapshot.samplesDropped == 200)
    }

    @Test func aHangingReceiverNeverBlocksTheCaller() async throws {
        let server = try FixtureServer()
        defer { server.stop() }
        var endpoint = RemoteWriteEndpoint(url: server.baseURL + "/slow?seconds=30")
        endpoint.timeout = .milliseconds(300)
        var config = QueueConfig()
        config.batchSendDeadline = .milliseconds(50)
        config.maxBackoff = .milliseconds(100)
        let queue = RemoteWriteQueue(
            endpoint: endpoint, config: config, client: client, userAgent: "t", logger: Logger(label: "test"))
        let hung = try await run(queue, until: { $0.samplesRetried >= 2 * 300 }, timeout: .seconds(20)) {
            for round in 0..<5 {
                let start = ContinuousClock.now
                await queue.enqueue(batch(round * 100..<(round + 1) * 100))
                // Enqueueing is a copy into memory, whatever the receiver does.
                #expect(ContinuousClock.now - start < .milliseconds(100))
            }
        }
        #expect(hung, "requests time out and are retried: \(queue.snapshot)")
        #expect(queue.snapshot.samplesSent == 0)
    }
}
