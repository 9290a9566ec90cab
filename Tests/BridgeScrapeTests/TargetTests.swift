import BridgeCore
import BridgeHTTP
import Testing

@testable import BridgeScrape

@Suite struct TargetTests {
    @Test func kubeletTargetsThroughTheProxyAndDirect() {
        let nodes = [NodeAddress(name: "n1", internalIP: "10.0.0.1"), NodeAddress(name: "n2", internalIP: "fd00::2")]
        let proxied = KubeletTargets.make(
            nodes: nodes,
            access: .proxy(apiServer: "https://10.96.0.1:443/", security: EndpointSecurity(bearerTokenFile: "/t"))
        )
        #expect(proxied.count == 8)
        #expect(proxied[0].url == "https://10.96.0.1:443/api/v1/nodes/n1/proxy/metrics/cadvisor")
        #expect(proxied.map(\.instance).filter { $0 == "n2" }.count == 4)
        #expect(proxied.allSatisfy { !$0.honorTimestamps && $0.security.bearerTokenFile == "/t" })
        let direct = KubeletTargets.make(
            nodes: nodes,
            access: .direct(port: 10250, security: EndpointSecurity(insecureSkipVerify: true)),
            endpoints: [.resource]
        )
        #expect(
            direct.map(\.url) == [
                "https://10.0.0.1:10250/metrics/resource", "https://[fd00::2]:10250/metrics/resource",
            ])
        #expect(direct[1].seriesLabels == [LabelPair("node", "n2"), LabelPair("metrics_path", "/metrics/resource")])
    }

    @Test func nodeModeScrapesOnlyItsOwnNode() {
        let nodes = (1...3).map { NodeAddress(name: "n\($0)", internalIP: "10.0.0.\($0)") }
        #expect(NodeScope.all.select(nodes) == nodes)
        let local = NodeScope.localNode(environment: ["NODE_NAME": "n2"])
        #expect(local == .only("n2"))
        #expect(local?.select(nodes).map(\.name) == ["n2"])
        #expect(NodeScope.localNode(environment: [:]) == nil)
    }

    @Test func jitterIsStableAndWithinTheInterval() {
        let targets = KubeStateMetricsTargets.make(urls: (0..<50).map { "http://10.0.0.\($0):8080/metrics" })
        let offsets = targets.map { ScrapeJitter.offset(for: $0, interval: .seconds(30)) }
        #expect(offsets == targets.map { ScrapeJitter.offset(for: $0, interval: .seconds(30)) })
        #expect(offsets.allSatisfy { $0 >= .zero && $0 < .seconds(30) })
        #expect(Set(offsets).count > 40)
    }

    @Test func theFirstScrapeFallsOnTheTargetsWallClockPhaseWhenEverTheLoopStarts() {
        let target = ScrapeTarget(job: "kube-state-metrics", url: "http://10.0.0.1:8080/metrics")
        let phase = ScrapeJitter.offset(for: target, interval: .seconds(30))
        for now: Int64 in [0, 1, 29_999, 1_764_000_000_123, 1_764_000_017_456] {
            let wait = ScrapeJitter.firstWait(for: target, interval: .seconds(30), now: now)
            #expect(wait >= .zero && wait < .seconds(30))
            // A bridge started at any time (a restart) scrapes the target at the same phase.
            let first = Duration.milliseconds(now) + wait
            let (seconds, attoseconds) = first.components
            let inInterval = Duration.milliseconds((seconds * 1000 + attoseconds / 1_000_000_000_000_000) % 30_000)
            #expect(inInterval == phase, "started at \(now) ms")
        }
    }

    @Test func instanceNeverCarriesCredentials() {
        let target = ScrapeTarget(job: "x", url: "https://user:pw@host:9100/metrics")
        #expect(target.instance == "host:9100")
    }

    @Test func failureLogThrottlesRepeatsAndReportsRecovery() {
        var log = FailureLog<ContinuousClock.Instant>(repeatEvery: .seconds(300))
        let start = ContinuousClock.now
        #expect(log.record(failure: "timeout", at: start) == .failing(suppressed: 0))
        #expect(log.record(failure: "timeout", at: start + .seconds(30)) == .none)
        #expect(log.record(failure: "timeout", at: start + .seconds(60)) == .none)
        #expect(log.record(failure: "timeout", at: start + .seconds(301)) == .failing(suppressed: 2))
        #expect(log.record(failure: "connect", at: start + .seconds(302)) == .failing(suppressed: 0))
        #expect(log.record(failure: nil, at: start + .seconds(330)) == .recovered(afterFailures: 5))
        #expect(log.record(failure: nil, at: start + .seconds(360)) == .none)
    }
}
