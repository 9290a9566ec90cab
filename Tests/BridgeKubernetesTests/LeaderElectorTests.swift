import BridgeHTTP
import BridgeKubernetes
import BridgeTestPeers
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// Replicas electing a leader on a Lease of the real simulator, which answers 409 as an API
/// server does; timings are shrunk (renew deadline 2 s, retry 0.25 s) so failover fits a test.
/// Waits poll with generous limits, so a loaded machine slows the tests rather than failing them;
/// time bounds that prove a rule are lower bounds (counted from the lease's last renewal, not from
/// the moment of the test's action), or upper bounds far below the alternative.
@Suite struct LeaderElectorTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    /// One replica: its elector in a service group of its own, so that it can be shut down gracefully.
    final class Replica: Sendable {
        let elector: LeaderElector
        let group: ServiceGroup
        let task: Task<Void, Never>

        init(
            _ name: String, simulator: SimulatorProcess, client: HTTPClient, logs: LogCapture,
            leaseDuration: Duration = .seconds(3)
        ) {
            let settings = LeaderElector.Settings(
                leaseName: "stackbridge", namespace: "monitoring", identity: name, leaseDuration: leaseDuration,
                renewDeadline: .seconds(2), retryPeriod: .milliseconds(250))
            let config = APIServerConfig(server: simulator.url, security: EndpointSecurity(), source: .configuration)
            elector = LeaderElector(settings: settings, config: config, client: client, logger: logs.logger())
            group = ServiceGroup(services: [elector], logger: Logger(label: "test"))
            let group = group
            task = Task { try? await group.run() }
        }

        var isLeader: Bool { elector.leadership.isLeader }
    }

    func lease(_ simulator: SimulatorProcess) async throws -> Lease {
        let url = simulator.url + "/apis/coordination.k8s.io/v1/namespaces/monitoring/leases/stackbridge"
        let response = try await client.execute(HTTPRequest(url: url)).requireSuccess(url: url)
        return try JSONDecoder().decode(Lease.self, from: Data(response.body))
    }

    /// The instant a MicroTime (`2006-01-02T15:04:05.000000Z`) names.
    func microTimeDate(_ text: String) -> Date? {
        let parts = text.dropLast().split(separator: ".")
        guard parts.count == 2, let fraction = Double("0." + parts[1]) else { return nil }
        return ISO8601DateFormatter().date(from: parts[0] + "Z")?.addingTimeInterval(fraction)
    }

    /// Polls every 50 ms until `condition` holds; false after `limit`.
    func eventually(within limit: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test func exactlyOneOfThreeLeadsAndAReleasedLeaseMovesWithinARetryPeriod() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2"])
        let logs = LogCapture()
        // A 20 s lease: a takeover well within it can only come from the release.
        let replicas = ["a", "b", "c"].map {
            Replica($0, simulator: simulator, client: client, logs: logs, leaseDuration: .seconds(20))
        }
        #expect(await eventually(within: .seconds(20)) { replicas.contains(where: \.isLeader) })
        // Watched for three lease durations' worth of retries: never two leaders at once.
        for _ in 0..<40 {
            #expect(replicas.filter(\.isLeader).count <= 1)
            try await Task.sleep(for: .milliseconds(50))
        }
        let leader = try #require(replicas.first { $0.isLeader })
        let first = try await lease(simulator)
        #expect(first.spec.holderIdentity == leader.elector.settings.identity)
        #expect(first.spec.leaseDurationSeconds == 20)
        // The renew time moves while the acquire time stays.
        #expect(
            try await eventually(within: .seconds(10)) {
                try await lease(simulator).spec.renewTime != first.spec.renewTime
            })
        #expect(try await lease(simulator).spec.acquireTime == first.spec.acquireTime)

        let started = ContinuousClock.now
        await leader.group.triggerGracefulShutdown()
        await leader.task.value
        #expect(!leader.isLeader)
        let others = replicas.filter { $0 !== leader }
        #expect(await eventually(within: .seconds(10)) { others.contains(where: \.isLeader) })
        // Released: taken over well before the 20 s lease could have run out.
        #expect(ContinuousClock.now - started < .seconds(10))
        let next = try await lease(simulator)
        #expect(next.spec.holderIdentity == others.first(where: \.isLeader)?.elector.settings.identity)
        #expect(next.spec.leaseTransitions == (first.spec.leaseTransitions ?? 0) + 1)
        #expect(logs.records.map(\.message).contains { $0.contains("leader election: released the lease") })
        for replica in others {
            await replica.group.triggerGracefulShutdown()
            await replica.task.value
        }
    }

    @Test func aLeaderThatVanishesIsReplacedOnlyAfterTheLeaseDuration() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2"])
        let logs = LogCapture()
        let first = Replica("first", simulator: simulator, client: client, logs: logs, leaseDuration: .seconds(6))
        #expect(await eventually(within: .seconds(20)) { first.isLeader })
        let second = Replica("second", simulator: simulator, client: client, logs: logs, leaseDuration: .seconds(6))
        try await Task.sleep(for: .seconds(1))
        #expect(!second.isLeader)
        // Cancelled rather than shut down: like a SIGKILL, the lease is not released.
        first.task.cancel()
        await first.task.value
        let left = try await lease(simulator).spec
        #expect(left.holderIdentity == "first")
        #expect(await eventually(within: .seconds(20)) { second.isLeader })
        // The lease runs from its last renewal, which a loaded machine may have made well before the
        // cancel; the second replica saw that renewal no earlier than it was written, so it may take
        // over a full lease duration after it and not before (less 0.1 s for the microsecond
        // rounding and the wall clock against the monotonic one).
        let renewed = try #require(left.renewTime.flatMap(microTimeDate))
        let waited = Date().timeIntervalSince(renewed)
        #expect(waited >= 5.9, "took over \(waited) s after the last renewal, before the 6 s lease ran out")
        #expect(try await lease(simulator).spec.holderIdentity == "second")
        await second.group.triggerGracefulShutdown()
        await second.task.value
    }

    @Test func aLeaderCutOffFromTheAPIServerStepsDownAtTheRenewDeadline() async throws {
        let simulator = try SimulatorProcess(["--nodes", "1", "--pods-per-node", "2"])
        let logs = LogCapture()
        let replica = Replica("lonely", simulator: simulator, client: client, logs: logs, leaseDuration: .seconds(6))
        try #require(await eventually(within: .seconds(20)) { replica.isLeader })
        // The deadline runs from the last renewal, no earlier than the one read here: on a loaded
        // machine that may be well before the cut.
        let renewed = try #require(try await lease(simulator).spec.renewTime.flatMap(microTimeDate))
        simulator.stop()
        #expect(await eventually(within: .seconds(20)) { !replica.isLeader })
        let held = Date().timeIntervalSince(renewed)
        #expect(held >= 1.9, "stepped down \(held) s after a renewal, before the 2 s renew deadline")
        #expect(logs.records.map(\.message).contains { $0.contains("lost leadership") })
        // About eight failed looks; a line only when the reason changes (refused, and on a loaded
        // machine a timeout between refusals), never the same reason twice in a row.
        let failures = logs.records.map(\.message).filter { $0.contains("could not read the lease") }
        #expect((1...4).contains(failures.count), "repeated failures log once per reason, not \(failures.count) times")
        #expect(zip(failures, failures.dropFirst()).allSatisfy { $0 != $1 }, "\(failures)")
        await replica.group.triggerGracefulShutdown()
        await replica.task.value
    }
}
