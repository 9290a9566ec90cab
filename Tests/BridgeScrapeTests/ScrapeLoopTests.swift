import BridgeCore
import BridgeHTTP
import BridgeTestPeers
import Foundation
import Synchronization
import Testing

@testable import BridgeScrape

/// Scrapes against real servers on 127.0.0.1.
@Suite struct ScrapeLoopTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    func scrapeOnce(_ target: ScrapeTarget, logs: LogCapture = LogCapture()) async -> ScrapeResult {
        let loop = ScrapeLoop(
            target: target, client: client, sink: LatestScrapes(), logger: logs.logger(), clock: ContinuousClock())
        var processor = ScrapeProcessor(target: target)
        return await loop.scrape(&processor)!
    }

    /// Runs the target's loop until the sink has `count` results, then cancels it.
    func runLoop(_ target: ScrapeTarget, logs: LogCapture, until count: Int) async -> LatestScrapes {
        let sink = LatestScrapes(keepHistory: true)
        let loop = ScrapeLoop(
            target: target, client: client, sink: sink, logger: logs.logger(), clock: ContinuousClock())
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            #expect(await sink.wait { $0.history.count >= count })
            group.cancelAll()
        }
        return sink
    }

    @Test func kubeletThroughTheAPIServerProxy() async throws {
        let apiServer = try FixtureServer()
        let targets = KubeletTargets.make(
            nodes: [
                NodeAddress(name: "node-a", internalIP: "10.0.0.1"),
                NodeAddress(name: "node-b", internalIP: "10.0.0.2"),
            ],
            access: .proxy(apiServer: apiServer.baseURL, security: EndpointSecurity()),
            endpoints: [.cadvisor]
        )
        var all: [MetricSampleValue] = []
        for target in targets {
            let result = await scrapeOnce(target)
            #expect(result.up, "\(String(describing: result.failure))")
            all += result.series.familyValues.flatMap(\.samples)
        }
        #expect(all.allSatisfy { $0.timestamp == nil })
        // The same unlabeled series from two nodes stay two series.
        #expect(
            all.filter { $0.name == "machine_cpu_cores" }.map { $0.labels.first { $0.name == "node" }?.value } == [
                "node-a", "node-b",
            ])
        // A series naming another node keeps that name as exported_node.
        #expect(all.contains { $0.labels.contains(LabelPair("exported_node", "elsewhere")) })
        let identities = all.map { "\($0.name)\($0.labels)" }
        #expect(Set(identities).count == identities.count)
    }

    @Test func oversizedBodyIsReportedClearly() async throws {
        let server = try FixtureServer()
        var target = ScrapeTarget(job: "big", url: server.baseURL + "/huge?bytes=20000000")
        target.bodyLimit = 1 << 20
        target.interval = .milliseconds(50)
        let logs = LogCapture()
        let sink = await runLoop(target, logs: logs, until: 1)
        let result = try #require(await sink.history.first)
        #expect(!result.up)
        #expect(result.failure?.reason == "body_size_limit")
        #expect(ScrapeProcessorTests.value("up", in: result.scrapeMetrics) == 0)
        let warning = try #require(logs.records.first { $0.level == .warning })
        #expect(warning.message == "scrape failed")
        #expect(warning.metadata["scrape.reason"] == "body_size_limit")
        #expect(warning.metadata["scrape.error"]?.contains("body larger than 1048576 bytes; transfer aborted") == true)
    }

    @Test func slowTargetTimesOut() async throws {
        let server = try FixtureServer()
        var target = ScrapeTarget(job: "slow", url: server.baseURL + "/slow?seconds=60")
        target.timeout = .milliseconds(400)
        let result = await scrapeOnce(target)
        #expect(result.failure?.reason == "timeout")
        let duration = try #require(ScrapeProcessorTests.value("scrape_duration_seconds", in: result.scrapeMetrics))
        // Far below the server's 60 s delay; loose, since parallel tests share two cores.
        #expect(duration >= 0.35 && duration < 20)
    }

    /// A scrape that runs to a timeout equal to the interval ends just after the next tick; that
    /// tick is taken at once (as Go's ticker under Prometheus does), so the target reports every
    /// interval rather than every other one and its `up` 0 never goes stale.
    @Test func aScrapeThatRunsToTheIntervalIsFollowedAtOnce() async throws {
        let server = try FixtureServer()
        var target = ScrapeTarget(job: "hang", url: server.baseURL + "/slow?seconds=60")
        target.interval = .milliseconds(300)
        target.timeout = .milliseconds(300)
        let sink = await runLoop(target, logs: LogCapture(), until: 7)
        let starts = await sink.history.map(\.timestamp)
        #expect(await sink.history.allSatisfy { $0.failure?.reason == "timeout" })
        let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }.sorted()
        // Start times sit on the interval's grid: one interval apart, not two.
        #expect(gaps[gaps.count / 2] < 450, "gaps between scrape starts (ms): \(gaps)")
    }

    @Test func garbageAndErrorStatusesAreDown() async throws {
        let server = try FixtureServer()
        let garbage = await scrapeOnce(ScrapeTarget(job: "g", url: server.baseURL + "/garbage"))
        #expect(garbage.failure?.reason == "parse")
        let missing = await scrapeOnce(ScrapeTarget(job: "m", url: server.baseURL + "/status/404"))
        #expect(missing.failure?.reason == "http_status")
        #expect(missing.failure?.message.contains("HTTP 404") == true)
        let refused = await scrapeOnce(
            ScrapeTarget(job: "r", url: "http://127.0.0.1:\(try PeerProcess.freePort())/metrics"))
        #expect(refused.failure?.reason == "connect")
    }

    @Test func rotatedTokenKeepsScrapesUp() async throws {
        let directory = NSTemporaryDirectory() + "stackbridge-scrape-token-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokenFile = directory + "/token"
        try "first".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try FixtureServer(tokenFile: tokenFile)
        let target = ScrapeTarget(
            job: "auth", url: server.baseURL + "/auth", security: EndpointSecurity(bearerTokenFile: tokenFile))
        let loop = ScrapeLoop(
            target: target, client: client, sink: LatestScrapes(), logger: LogCapture().logger(),
            clock: ContinuousClock())
        var processor = ScrapeProcessor(target: target)
        #expect(await loop.scrape(&processor)?.up == true)
        try "second".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(await loop.scrape(&processor)?.up == true)
    }

    @Test func failuresAreLoggedOnceWithTheReasonThenThrottled() async throws {
        let port = try PeerProcess.freePort()
        var target = ScrapeTarget(job: "down", url: "http://user:pw@127.0.0.1:\(port)/metrics?token=abc")
        target.interval = .milliseconds(50)
        let logs = LogCapture()
        _ = await runLoop(target, logs: logs, until: 5)
        let warnings = logs.records.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message == "scrape failed")
        #expect(warnings.first?.metadata["scrape.reason"] == "connect")
        #expect(warnings.first?.metadata["scrape.target"] == "http://127.0.0.1:\(port)/metrics?token=REDACTED")
        let everything = logs.records.map { "\($0.message) \($0.metadata)" }.joined()
        #expect(!everything.contains("pw@") && !everything.contains("token=abc"))
        // Every line names the job and the redacted target, the debug lines of each scrape too.
        #expect(logs.records.filter { $0.message == "scrape done" }.count >= 4)
        #expect(
            logs.records.allSatisfy {
                $0.metadata["scrape.job"] == "down"
                    && $0.metadata["scrape.target"] == "http://127.0.0.1:\(port)/metrics?token=REDACTED"
            })
    }

    @Test func vanishedSeriesAndRemovedTargetsGetStalenessMarkers() async throws {
        let directory = NSTemporaryDirectory() + "stackbridge-series-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seriesFile = directory + "/series"
        try "6".write(toFile: seriesFile, atomically: true, encoding: .utf8)
        let server = try FixtureServer(seriesFile: seriesFile)
        var varyingTarget = ScrapeTarget(job: "varying", url: server.baseURL + "/varying")
        varyingTarget.interval = .milliseconds(100)
        let varying = varyingTarget
        var steadyTarget = ScrapeTarget(job: "steady", url: server.baseURL + "/metrics?series=3")
        steadyTarget.interval = .milliseconds(100)
        let steady = steadyTarget
        let sink = LatestScrapes(keepHistory: true)
        let (updates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
        let pool = ScrapePool(client: client, sink: sink, logger: LogCapture().logger(), updates: updates)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            continuation.yield([varying, steady])
            #expect(await sink.wait { $0.latest[varying.id]?.series.samples.count == 6 })
            try? "4".write(toFile: seriesFile, atomically: true, encoding: .utf8)
            #expect(await sink.wait { $0.latest[varying.id]?.series.samples.count == 4 })
            let shrink = await sink.history.first { $0.target.id == varying.id && $0.series.samples.count == 4 }
            #expect(shrink?.stale.samples.count == 2)
            #expect(shrink?.stale.samples.allSatisfy { $0.value.isStaleMarker } == true)
            continuation.yield([steady])
            #expect(await sink.wait { $0.removed[varying.id] != nil })
            #expect(await sink.removed[varying.id]?.samples.count == 4)
            #expect(await sink.latest[varying.id] == nil)
            continuation.finish()
            group.cancelAll()
        }
    }

    @Test func removalDuringAStalledScrapeStillMarksTheLastSeriesStale() async throws {
        let toggle = NSTemporaryDirectory() + "stackbridge-stall-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: toggle) }
        let server = try FixtureServer(toggleFile: toggle)
        var stalling = ScrapeTarget(job: "stall", url: server.baseURL + "/stall")
        stalling.interval = .milliseconds(100)
        stalling.timeout = .seconds(25)
        let target = stalling
        let sink = LatestScrapes(keepHistory: true)
        let (updates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
        continuation.yield([target])
        let pool = ScrapePool(client: client, sink: sink, logger: LogCapture().logger(), updates: updates)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            #expect(await sink.wait { $0.history.count >= 1 })
            _ = FileManager.default.createFile(atPath: toggle, contents: nil)
            try? await Task.sleep(for: .milliseconds(400))
            continuation.yield([])
            #expect(await sink.wait { $0.removed[target.id] != nil })
            #expect(await sink.removed[target.id]?.samples.count == 3)
            #expect(await sink.history.allSatisfy(\.up))
            continuation.finish()
            group.cancelAll()
        }
    }

    @Test func aPoolScrapesNothingUntilItsStartGateOpens() async throws {
        let server = try FixtureServer()
        var fast = ScrapeTarget(job: "gated", url: server.baseURL + "/metrics?series=2")
        fast.interval = .milliseconds(100)
        let target = fast
        let sink = LatestScrapes(keepHistory: true)
        let (updates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let pool = ScrapePool(
            client: client, sink: sink, logger: LogCapture().logger(), updates: updates,
            startWhen: { for await _ in gate { return } })
        continuation.yield([target])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            // Several intervals of the target pass with the gate shut.
            try? await Task.sleep(for: .milliseconds(500))
            #expect(await sink.history.isEmpty)
            open.yield()
            #expect(await sink.wait { $0.latest[target.id]?.series.samples.count == 2 })
            continuation.finish()
            group.cancelAll()
        }
    }

    @Test func aHangingTargetNeverDelaysAnother() async throws {
        let server = try FixtureServer()
        var hanging = ScrapeTarget(job: "hanging", url: server.baseURL + "/slow?seconds=120")
        hanging.interval = .milliseconds(100)
        hanging.timeout = .seconds(100)
        var fast = ScrapeTarget(job: "fast", url: server.baseURL + "/metrics?series=2")
        fast.interval = .milliseconds(100)
        let sink = LatestScrapes(keepHistory: true)
        let (updates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
        continuation.yield([hanging, fast])
        let pool = ScrapePool(client: client, sink: sink, logger: LogCapture().logger(), updates: updates)
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            #expect(await sink.wait(timeout: .seconds(30)) { $0.history.filter { $0.target.job == "fast" }.count >= 8 })
            continuation.finish()
            group.cancelAll()
        }
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(await sink.history.allSatisfy { $0.target.job == "fast" })
    }

    @Test func pooledLoopsScrapeAndDeliverOnTheirTargetsHTTPLoopThread() async throws {
        let server = try FixtureServer()
        let client = HTTPClient(userAgent: "stackbridge-test", threads: 2)
        let targets = (0..<6).map { index in
            var target = ScrapeTarget(job: "loop", url: server.baseURL + "/metrics?series=\(index + 1)")
            target.interval = .milliseconds(100)
            return target
        }
        var expected: [String: pthread_t] = [:]
        for target in targets {
            let loop = client.loop(for: target.idHash)
            expected[target.id] = await withTaskExecutorPreference(loop.executor) { pthread_self() }
        }
        #expect(Set(expected.values.map { UInt($0) }).count == 2, "the targets spread over both loops")
        let sink = ThreadRecordingSink()
        let (updates, continuation) = AsyncStream<[ScrapeTarget]>.makeStream()
        continuation.yield(targets)
        let pool = ScrapePool(client: client, sink: sink, logger: LogCapture().logger(), updates: updates)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            #expect(await sink.latest.wait { $0.history.count >= 3 * targets.count })
            continuation.finish()
            group.cancelAll()
        }
        let deliveries = sink.deliveries.withLock { $0 }
        #expect(deliveries.allSatisfy { $0.up })
        for target in targets {
            let threads = deliveries.filter { $0.target == target.id }.map(\.thread)
            #expect(threads.count >= 2)
            // The timer, the request, the parse and the delivery: all on the target's loop.
            #expect(threads.allSatisfy { pthread_equal($0, expected[target.id]!) != 0 })
        }
    }

    @Test func kubeStateMetricsShardsFromServiceEndpoints() async throws {
        let shardA = try FixtureServer()
        let shardB = try FixtureServer()
        let json = """
            {"kind":"Endpoints","apiVersion":"v1","metadata":{"name":"kube-state-metrics","namespace":"kube-system"},
             "subsets":[
               {"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"telemetry","port":1},{"name":"http-metrics","port":\(shardA.port)}]},
               {"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"http-metrics","port":\(shardB.port)}]}]}
            """
        let file = NSTemporaryDirectory() + "stackbridge-endpoints-\(UUID().uuidString).json"
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let apiServer = try FixtureServer(endpointsJSON: file)
        let urls = try await KubeStateMetricsTargets.discover(
            namespace: "kube-system", service: "kube-state-metrics", apiServer: apiServer.baseURL,
            security: EndpointSecurity(), client: client
        )
        #expect(
            urls == ["http://127.0.0.1:\(shardA.port)/metrics", "http://127.0.0.1:\(shardB.port)/metrics"].sorted())
        for target in KubeStateMetricsTargets.make(urls: urls) {
            #expect(await scrapeOnce(target).up)
        }
    }
}

/// Records the thread each result was delivered on.
final class ThreadRecordingSink: ScrapeSink {
    let latest = LatestScrapes(keepHistory: true)
    let deliveries = Mutex<[(target: String, thread: pthread_t, up: Bool)]>([])

    func deliver(_ result: ScrapeResult) async {
        deliveries.withLock { $0.append((result.target.id, pthread_self(), result.up)) }
        await latest.deliver(result)
    }

    func remove(_ target: ScrapeTarget, stale: MetricBatch) async {
        await latest.remove(target, stale: stale)
    }
}
