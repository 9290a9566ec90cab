import BridgeCore
import BridgeHTTP
import BridgeSimulator
import BridgeTestPeers
import BridgeTopology
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import BridgeStackState

/// The forwarder's queue, backoff and a whole run against the simulator's receiver double,
/// including a receiver that is down when the forwarder starts.
@Suite struct StackStateForwarderTests {
    @Test func theQueueEvictsTheOldestOverCapacityAndKeepsTheNewest() {
        let queue = IntakeQueue(capacityBytes: 100)
        func post(_ kind: PayloadKind, _ size: Int) -> PendingPost {
            PendingPost(kind: kind, path: "/intake/", body: [UInt8](repeating: 0, count: size), items: 1)
        }
        #expect(queue.push(post(.topology, 40)) == 0)
        #expect(queue.push(post(.events, 40)) == 0)
        let sending = queue.front()!
        #expect(queue.push(post(.metrics, 40)) == 1)
        #expect(queue.evicted == [.topology: 1])
        // The post being sent was evicted meanwhile: removing it must not remove the next one.
        queue.remove(sending)
        #expect(queue.count == 2 && queue.bytes == 80)
        #expect(queue.front()?.kind == .events)
        // A post larger than the whole capacity still gets its chance.
        #expect(queue.push(post(.health, 500)) == 2)
        #expect(queue.count == 1 && queue.front()?.kind == .health)
        queue.remove(queue.front()!)
        #expect(queue.count == 0 && queue.bytes == 0 && queue.front() == nil)
    }

    @Test func snapshotChunksAreNeverEvictedAndGoTogether() {
        let queue = IntakeQueue(capacityBytes: 100)
        func post(_ kind: PayloadKind, _ size: Int, snapshot: UInt64? = nil) -> PendingPost {
            PendingPost(
                kind: kind, path: "/intake/", body: [UInt8](repeating: 0, count: size), items: 1, snapshot: snapshot)
        }
        queue.push(post(.topology, 40, snapshot: 1))
        queue.push(post(.metrics, 40))
        queue.push(post(.topology, 40, snapshot: 1))
        // Over capacity: the metrics post goes, though the chunk before it is older.
        #expect(queue.evicted == [.metrics: 1])
        #expect(queue.count == 2 && queue.bytes == 80)
        queue.push(post(.health, 40, snapshot: 2))
        queue.push(post(.events, 40))
        // Only snapshot chunks are left to evict besides the newest: the queue holds them all.
        #expect(queue.evicted == [.metrics: 1])
        #expect(queue.count == 4 && queue.bytes == 160)
        #expect(queue.removeAll(snapshot: 1) == 2)
        #expect(queue.count == 2 && queue.bytes == 80 && queue.front()?.kind == .health)
        #expect(queue.removeAll(snapshot: 1) == 0)
    }

    @Test func backoffDoublesFromTwoSecondsToSixtyFourRandomisedDownToHalf() {
        #expect(StackStateForwarder.backoff(errors: 1, random: 1) == .seconds(2))
        #expect(StackStateForwarder.backoff(errors: 2, random: 1) == .seconds(4))
        #expect(StackStateForwarder.backoff(errors: 6, random: 1) == .seconds(64))
        #expect(StackStateForwarder.backoff(errors: 30, random: 1) == .seconds(64))
        #expect(StackStateForwarder.backoff(errors: 30, random: 0.5) == .seconds(32))
    }

    /// Events handed out once, like the event queue's drain.
    final class OneShotEvents: Sendable {
        let pending: Mutex<[KubernetesEvent]>
        init(_ events: [KubernetesEvent]) { pending = Mutex(events) }
        func drain() -> [KubernetesEvent] {
            pending.withLock { events in
                defer { events = [] }; return events
            }
        }
    }

    @Test func aReceiverThatStartsLateGetsEverythingQueuedMeanwhile() async throws {
        let port = try PeerProcess.freePort()
        let cluster = SimulatedCluster(name: "fw", nodes: 2, podsPerNode: 6, seed: 2)
        let topology = TopologyBuilder.build(cluster.state)
        let health = TopologyMetrics().healthByURN(cluster.state).map { (urn: $0.0, health: $0.1) }
        let events = OneShotEvents(
            (0..<7).map { index in
                KubernetesEvent(
                    metadata: ObjectMeta(name: "e\(index)", namespace: "shop", uid: "u\(index)"),
                    regarding: .init(kind: "Pod", namespace: "shop", name: "web-\(index)"), reason: "Pulled",
                    type: "Normal")
            })
        let series = MetricBatch([
            MetricFamilyValue(
                name: "up", type: .gauge,
                samples: [MetricSampleValue(name: "up", labels: [LabelPair("namespace", "shop")], value: 1)])
        ])
        var settings = ForwarderSettings(
            endpoint: StackStateEndpoint(url: "http://127.0.0.1:\(port)/receiver/stsAgent", apiKey: "fw-key"))
        settings.topologyInterval = .seconds(1)
        settings.metricsInterval = .seconds(1)
        settings.eventsInterval = .milliseconds(200)
        let forwarder = StackStateForwarder(
            settings: settings, cluster: "fw", options: EnrichmentOptions(),
            sources: .init(
                topology: { topology }, health: { health },
                series: { [(batch: series, timestamp: Int64(1_700_000_000_000))] },
                events: { events.drain() }),
            client: HTTPClient(userAgent: "t"), userAgent: "t", logger: Logger(label: "test"))
        let running = Task { await forwarder.run() }
        defer { running.cancel() }
        // Nothing listens yet: posts pile up behind the first, which is retried with backoff.
        for _ in 0..<150 where forwarder.queue.count < 4 || forwarder.snapshot.posts[.topology]?["retried"] == nil {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(forwarder.snapshot.posts[.topology]?["sent"] == nil)
        #expect((forwarder.snapshot.posts[.topology]?["retried"] ?? 0) >= 1)
        #expect(forwarder.queue.count >= 4)
        let simulator = try SimulatorProcess([
            "--listen", "127.0.0.1:\(port)", "--nodes", "1", "--pods-per-node", "2", "--receiver-api-key", "fw-key",
        ])
        defer { simulator.stop() }
        // The forwarder keeps sending every second: the receiver's tally and the counters are
        // compared when they are read with no post in flight (one is sent at a time, and counted
        // after its answer), so they agree unless a post went missing or was counted twice.
        var summary: [String: Any] = [:]
        var counters = forwarder.snapshot
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(200))
            counters = forwarder.snapshot
            let body = try await PeerProcess.fetch(simulator.url + "/receiver/stsAgent/received", accept: "*/*").0
            summary = try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
            let settled =
                summary["snapshots"] as? Int == counters.posts[.topology]?["sent"]
                && summary["health_snapshots"] as? Int == counters.posts[.health]?["sent"]
            if (summary["snapshots"] as? Int ?? 0) >= 5 && forwarder.queue.count == 0 && settled { break }
        }
        #expect(summary["problems"] as? [String] == [])
        // Every snapshot made during the outage arrived, in order (the double checks the flags).
        #expect(summary["snapshots"] as? Int == counters.posts[.topology]?["sent"])
        #expect((summary["snapshots"] as? Int ?? 0) >= 5)
        #expect(summary["health_snapshots"] as? Int == counters.posts[.health]?["sent"])
        #expect(Set(summary["components"] as? [String] ?? []) == Set(topology.components.keys))
        #expect((summary["events"] as? [Any])?.count == 7)
        #expect((summary["series"] as? Int ?? 0) >= 3)
        #expect(counters.itemsSent[.events] == 7)
        #expect(forwarder.queue.evicted.isEmpty)
        #expect(counters.posts.values.allSatisfy { $0["dropped"] == nil })
        #expect(counters.apiKeyValid == 1)
    }

    @Test func aStandbySendsNothingAndSendsTheTopologyAtOnceWhenItLeads() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2", "--receiver-api-key", "k"])
        defer { simulator.stop() }
        let topology = TopologyBuilder.build(SimulatedCluster(name: "fw", nodes: 1, podsPerNode: 2, seed: 2).state)
        let event = KubernetesEvent(
            metadata: ObjectMeta(name: "e", namespace: "shop", uid: "u"),
            regarding: .init(kind: "Pod", namespace: "shop", name: "web"), reason: "Pulled", type: "Normal")
        let events = OneShotEvents([event])
        let leading = Atomic<Bool>(false)
        var settings = ForwarderSettings(
            endpoint: StackStateEndpoint(url: simulator.url + "/receiver/stsAgent", apiKey: "k"))
        // Long intervals: whatever arrives after the switch was sent because of it.
        settings.topologyInterval = .seconds(600)
        settings.eventsInterval = .milliseconds(100)
        let forwarder = StackStateForwarder(
            settings: settings, cluster: "fw", options: EnrichmentOptions(),
            sources: .init(
                topology: { topology }, health: { [] }, series: { [] }, events: { events.drain() },
                active: { leading.load(ordering: .relaxed) }),
            client: HTTPClient(userAgent: "t"), userAgent: "t", logger: Logger(label: "test"))
        let running = Task { await forwarder.run() }
        defer { running.cancel() }
        func received() async throws -> [String: Any] {
            let body = try await PeerProcess.fetch(simulator.url + "/receiver/stsAgent/received", accept: "*/*").0
            return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
        }
        // The standby drains the event (the leader forwards it) and posts nothing.
        for _ in 0..<500 where !events.drain().isEmpty || forwarder.queue.count > 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await received()["snapshots"] as? Int == 0)
        #expect(forwarder.snapshot.posts.isEmpty)
        leading.store(true, ordering: .relaxed)
        var summary: [String: Any] = [:]
        for _ in 0..<300 {
            summary = try await received()
            if summary["snapshots"] as? Int == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(summary["snapshots"] as? Int == 1, "the new leader sends the topology without waiting 600 s")
        #expect((summary["events"] as? [Any])?.isEmpty == true)
    }

    @Test func aWrongKeyDropsPostsAndSaysSoWithoutTheKey() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2", "--receiver-api-key", "right"])
        defer { simulator.stop() }
        let cluster = SimulatedCluster(name: "fw", nodes: 1, podsPerNode: 2, seed: 2)
        let topology = TopologyBuilder.build(cluster.state)
        var settings = ForwarderSettings(
            endpoint: StackStateEndpoint(url: simulator.url + "/receiver/stsAgent", apiKey: "wrong-secret-key"))
        settings.topologyInterval = .milliseconds(300)
        settings.metrics = false
        settings.events = false
        let capture = LogCapture()
        let forwarder = StackStateForwarder(
            settings: settings, cluster: "fw", options: EnrichmentOptions(),
            sources: .init(topology: { topology }, health: { [] }, series: { [] }, events: { [] }),
            client: HTTPClient(userAgent: "t"), userAgent: "t", logger: capture.logger())
        let started = Date()
        let running = Task { await forwarder.run() }
        for _ in 0..<150 where (forwarder.snapshot.posts[.topology]?["dropped"] ?? 0) < 3 {
            try await Task.sleep(for: .milliseconds(100))
        }
        running.cancel()
        _ = await running.value
        let counters = forwarder.snapshot
        #expect((counters.posts[.topology]?["dropped"] ?? 0) >= 3)
        #expect(counters.apiKeyValid == 0)
        let all = capture.records.map { "\($0.message) \($0.metadata.sorted { $0.key < $1.key })" }
        #expect(all.contains { $0.contains("rejected the API key (HTTP 403)") })
        // One line per topology interval at most, never the key itself.
        let intervals = Int(Date().timeIntervalSince(started) / 0.3)
        // Topology and health posts are both refused: without the once-per-interval rule every one
        // of them would get its line.
        let drops = counters.posts.values.reduce(0) { $0 + ($1["dropped"] ?? 0) }
        let reports = all.filter { $0.contains("rejected the API key") }.count
        #expect(reports <= 1 + intervals && reports < drops, "\(reports) reports for \(drops) refused posts")
        #expect(!all.joined().contains("wrong-secret-key"))
        // Each refused snapshot is given up at its first chunk rather than sent on without it.
        #expect((counters.snapshots[.topology]?["abandoned"] ?? 0) >= 2)
        #expect(counters.snapshots[.topology]?["completed"] == nil)
        #expect((counters.posts[.topology]?["dropped"] ?? 0) <= (counters.snapshots[.topology]?["abandoned"] ?? 0) + 1)
    }

    /// The receiver's summary.
    func received(_ simulator: SimulatorProcess) async throws -> [String: Any] {
        let body = try await PeerProcess.fetch(simulator.url + "/receiver/stsAgent/received", accept: "*/*").0
        return try JSONSerialization.jsonObject(with: body) as? [String: Any] ?? [:]
    }

    @Test func aSnapshotOfManyChunksPassesAQueueSmallerThanItself() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2", "--receiver-api-key", "k"])
        defer { simulator.stop() }
        let topology = TopologyBuilder.build(SimulatedCluster(name: "fw", nodes: 3, podsPerNode: 20, seed: 2).state)
        let health = TopologyMetrics().healthByURN(
            SimulatedCluster(name: "fw", nodes: 3, podsPerNode: 20, seed: 2).state
        )
        .map { (urn: $0.0, health: $0.1) }
        var settings = ForwarderSettings(
            endpoint: StackStateEndpoint(url: simulator.url + "/receiver/stsAgent", apiKey: "k"))
        settings.topologyInterval = .milliseconds(200)
        settings.batchCapacity = 20
        // A few chunks' worth: the whole snapshot, queued at once, would push its start out.
        settings.queueBytes = 4096
        settings.metrics = false
        settings.events = false
        let forwarder = StackStateForwarder(
            settings: settings, cluster: "fw", options: EnrichmentOptions(),
            sources: .init(topology: { topology }, health: { health }, series: { [] }, events: { [] }),
            client: HTTPClient(userAgent: "t"), userAgent: "t", logger: Logger(label: "test"))
        let elements = topology.components.count + topology.relations.count
        #expect(elements > 40 * settings.batchCapacity)
        let running = Task { await forwarder.run() }
        defer { running.cancel() }
        var summary: [String: Any] = [:]
        for _ in 0..<300 {
            summary = try await received(simulator)
            if summary["snapshots"] as? Int ?? 0 >= 2 && summary["health_snapshots"] as? Int ?? 0 >= 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(summary["problems"] as? [String] == [])
        #expect(summary["snapshots"] as? Int ?? 0 >= 2)
        #expect(summary["health_snapshots"] as? Int ?? 0 >= 2)
        #expect(summary["abandoned_snapshots"] as? Int == 0)
        #expect(Set(summary["components"] as? [String] ?? []) == Set(topology.components.keys))
        #expect(summary["relations"] as? Int == topology.relations.count)
        #expect(forwarder.queue.evicted.isEmpty)
        #expect((forwarder.snapshot.snapshots[.topology]?["completed"] ?? 0) >= 2)
        #expect(forwarder.snapshot.snapshots[.topology]?["abandoned"] == nil)
    }

    @Test func aSnapshotWaitsOutAnOutageAndIsGivenUpWhenTheLeadGoes() async throws {
        let port = try PeerProcess.freePort()
        let topology = TopologyBuilder.build(SimulatedCluster(name: "fw", nodes: 2, podsPerNode: 10, seed: 2).state)
        let leading = Atomic<Bool>(true)
        let activity = Wakeup()
        var settings = ForwarderSettings(
            endpoint: StackStateEndpoint(url: "http://127.0.0.1:\(port)/receiver/stsAgent", apiKey: "k"))
        settings.topologyInterval = .milliseconds(200)
        settings.batchCapacity = 20
        settings.metrics = false
        settings.events = false
        settings.health = false
        let forwarder = StackStateForwarder(
            settings: settings, cluster: "fw", options: EnrichmentOptions(),
            sources: .init(
                topology: { topology }, health: { [] }, series: { [] }, events: { [] },
                active: { leading.load(ordering: .relaxed) }, activity: activity),
            client: HTTPClient(userAgent: "t"), userAgent: "t", logger: Logger(label: "test"))
        let running = Task { await forwarder.run() }
        defer { running.cancel() }
        // Nothing listens: the first chunk is retried, the next waits behind it, and no further
        // snapshot starts however many intervals pass.
        for _ in 0..<100 where (forwarder.snapshot.posts[.topology]?["retried"] ?? 0) < 2 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(forwarder.queue.count == SnapshotPacing.window)
        // Losing the lead gives the snapshot up, and its chunks leave the queue.
        leading.store(false, ordering: .relaxed)
        activity.signal()
        for _ in 0..<50 where forwarder.snapshot.snapshots[.topology]?["abandoned"] == nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(forwarder.snapshot.snapshots[.topology]?["abandoned"] == 1)
        #expect(forwarder.queue.count == 0)
        // Leading again with the receiver up, whole snapshots arrive.
        let simulator = try SimulatorProcess([
            "--listen", "127.0.0.1:\(port)", "--nodes", "1", "--pods-per-node", "2", "--receiver-api-key", "k",
        ])
        defer { simulator.stop() }
        leading.store(true, ordering: .relaxed)
        activity.signal()
        var summary: [String: Any] = [:]
        for _ in 0..<300 {
            summary = try await received(simulator)
            if summary["snapshots"] as? Int ?? 0 >= 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(summary["problems"] as? [String] == [])
        #expect(summary["snapshots"] as? Int ?? 0 >= 2)
        #expect(Set(summary["components"] as? [String] ?? []) == Set(topology.components.keys))
        #expect(forwarder.queue.evicted.isEmpty)
    }
}
