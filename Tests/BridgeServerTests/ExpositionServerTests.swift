import BridgeCore
import BridgeTestPeers
import BridgeTopology
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import BridgeServer

/// A settable clock in milliseconds.
final class TestClock: Sendable {
    private let value = Mutex<Int64>(1_000_000)
    var now: Int64 { value.withLock { $0 } }
    func advance(_ milliseconds: Int64) { value.withLock { $0 += milliseconds } }
}

func batch(_ text: String) -> MetricBatch {
    var issues = ParseIssues()
    return MetricBatch.parse(Array(text.utf8), format: .text, issues: &issues)
}

@Suite struct ExpositionSnapshotTests {
    @Test func targetsMergeByFamilyAndRenderOncePerChange() {
        let clock = TestClock()
        let snapshot = ExpositionSnapshot(now: { clock.now })
        snapshot.update(
            "a", batches: [batch("# TYPE up gauge\nup{node=\"a\"} 1\n")], timestamp: clock.now, interval: .seconds(10))
        snapshot.update(
            "b", batches: [batch("# TYPE up gauge\nup{node=\"b\"} 0\n")], timestamp: clock.now, interval: .seconds(10))
        let first = snapshot.render(.text, gzip: false)
        #expect(String(decoding: first, as: UTF8.self) == "# TYPE up gauge\nup{node=\"a\"} 1\nup{node=\"b\"} 0\n")
        // The same generation is served from the cache: the very same storage.
        let second = snapshot.render(.text, gzip: false)
        #expect(first.withUnsafeBufferPointer { $0.baseAddress } == second.withUnsafeBufferPointer { $0.baseAddress })
        snapshot.update("b", batches: [batch("up{node=\"b\"} 1\n")], timestamp: clock.now, interval: .seconds(10))
        #expect(String(decoding: snapshot.render(.text, gzip: false), as: UTF8.self).contains("up{node=\"b\"} 1"))
    }

    @Test func aTargetNotScrapedForTwoIntervalsLeavesTheOutput() {
        let clock = TestClock()
        let snapshot = ExpositionSnapshot(now: { clock.now })
        snapshot.update("a", batches: [batch("x{t=\"a\"} 1\n")], timestamp: clock.now, interval: .seconds(10))
        snapshot.update("topology", batches: [batch("y 1\n")], timestamp: 0, interval: nil)
        #expect(snapshot.seriesCount == 2)
        clock.advance(20_001)
        #expect(String(decoding: snapshot.render(.text, gzip: false), as: UTF8.self) == "y 1\n")
        #expect(snapshot.seriesCount == 1)
        snapshot.update("a", batches: [batch("x{t=\"a\"} 2\n")], timestamp: clock.now, interval: .seconds(10))
        #expect(String(decoding: snapshot.render(.text, gzip: false), as: UTF8.self).contains("x{t=\"a\"} 2"))
    }

    /// A target whose scrapes run to a timeout as long as the interval delivers each result an
    /// interval after its start; its `up 0` must stay in the output the whole time.
    @Test func aTargetFailingAtTheTimeoutStaysInTheOutput() {
        let clock = TestClock()
        let snapshot = ExpositionSnapshot(now: { clock.now })
        var started = clock.now
        for round in 0..<6 {
            // Each scrape runs 10.05 s; the next starts at once (the missed tick is taken).
            for _ in 0..<10 {
                clock.advance(1_005)
                let body = String(decoding: snapshot.render(.text, gzip: false), as: UTF8.self)
                #expect(round == 0 || body == "up{t=\"a\"} 0\n", "at \(clock.now) ms")
            }
            snapshot.update("a", batches: [batch("up{t=\"a\"} 0\n")], timestamp: started, interval: .seconds(10))
            started = clock.now
        }
    }

    @Test func gzipDecompressesToThePlainBody() throws {
        let snapshot = ExpositionSnapshot(now: { 0 })
        let lines = (0..<5000).map { "series_\($0 % 7){pod=\"p\($0)\",namespace=\"ns\"} \($0)" }.joined(separator: "\n")
        snapshot.update("a", batches: [batch(lines + "\n")], timestamp: 0, interval: nil)
        let plain = snapshot.render(.text, gzip: false)
        let compressed = snapshot.render(.text, gzip: true)
        #expect(compressed.count * 5 < plain.count)
        let (status, output) = try PeerProcess.run("/bin/gzip", ["-dc"], input: Data(compressed))
        #expect(status == 0)
        #expect(output == String(decoding: plain, as: UTF8.self))
    }
}

@Suite struct ExpositionServerTests {
    static func sources(
        readiness: Readiness = Readiness(conditions: ["a", "b"]),
        topology: Topology = Topology(components: [], relations: [])
    ) -> (ExpositionServer.Sources, TopologySource) {
        let snapshot = ExpositionSnapshot(now: { 0 })
        snapshot.update("t", batches: [batch("# HELP up Up.\n# TYPE up gauge\nup 1\n")], timestamp: 0, interval: nil)
        let holder = TopologySource { topology }
        let sources = ExpositionServer.Sources(
            snapshot: snapshot, telemetry: { batch("stackbridge_build_info{version=\"t\"} 1\n") }, topology: holder,
            readiness: readiness)
        return (sources, holder)
    }

    @Test func metricsNegotiateFormatAndCompression() async throws {
        let (sources, _) = Self.sources()
        let app = Application(router: ExpositionServer.router(sources))
        try await app.test(.live) { client in
            let plain = try await client.execute(uri: "/metrics", method: .get, headers: [.accept: "text/plain"])
            #expect(plain.status == .ok)
            #expect(plain.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(String(buffer: plain.body) == "# HELP up Up.\n# TYPE up gauge\nup 1\n")
            let openMetrics = try await client.execute(
                uri: "/metrics", method: .get,
                headers: [.accept: "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4"])
            #expect(openMetrics.headers[.contentType]?.hasPrefix("application/openmetrics-text") == true)
            #expect(String(buffer: openMetrics.body).hasSuffix("# EOF\n"))
            let gzip = try await client.execute(
                uri: "/metrics", method: .get, headers: [.acceptEncoding: "gzip, deflate"])
            #expect(gzip.headers[.contentEncoding] == "gzip")
            #expect(Array(gzip.body.readableBytesView.prefix(2)) == [0x1F, 0x8B])
            let refused = try await client.execute(
                uri: "/metrics", method: .get, headers: [.acceptEncoding: "gzip;q=0"])
            #expect(refused.headers[.contentEncoding] == nil)
            let telemetry = try await client.execute(uri: "/telemetry", method: .get)
            #expect(String(buffer: telemetry.body).contains("stackbridge_build_info{version=\"t\"} 1"))
        }
    }

    @Test func aStandbyServesAnEmptyExpositionAndItsTelemetry() async throws {
        var (sources, _) = Self.sources()
        sources.serving = { false }
        let app = Application(router: ExpositionServer.router(sources))
        try await app.test(.live) { client in
            let plain = try await client.execute(uri: "/metrics", method: .get, headers: [.accept: "text/plain"])
            #expect(plain.status == .ok)
            #expect(String(buffer: plain.body) == "")
            let openMetrics = try await client.execute(
                uri: "/metrics", method: .get, headers: [.accept: "application/openmetrics-text;version=1.0.0"])
            #expect(String(buffer: openMetrics.body) == "# EOF\n")
            let telemetry = try await client.execute(uri: "/telemetry", method: .get)
            #expect(String(buffer: telemetry.body).contains("stackbridge_build_info{version=\"t\"} 1"))
        }
    }

    @Test func readinessSaysWhatIsMissing() async throws {
        let readiness = Readiness(conditions: ["topology synced", "first scrape round done"])
        let (sources, _) = Self.sources(readiness: readiness)
        let app = Application(router: ExpositionServer.router(sources))
        try await app.test(.live) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let waiting = try await client.execute(uri: "/readyz", method: .get)
            #expect(waiting.status == .serviceUnavailable)
            #expect(String(buffer: waiting.body) == "not ready: first scrape round done, topology synced\n")
            readiness.mark("topology synced")
            readiness.mark("first scrape round done")
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
        }
    }

    @Test func topologyQueries() async throws {
        let cluster = try JSONDecoder().decode(
            [KubernetesObject].self,
            from: Data(
                """
                [{"kind": "Node", "metadata": {"name": "n1"}},
                 {"kind": "Namespace", "metadata": {"name": "shop"}},
                 {"kind": "Pod", "metadata": {"name": "p1", "namespace": "shop"}, "spec": {"nodeName": "n1",
                  "containers": [{"name": "c"}]}}]
                """.utf8))
        var state = ClusterState(clusterName: "t")
        for object in cluster { state.upsert(object) }
        let (sources, holder) = Self.sources(topology: TopologyBuilder.build(state))
        let app = Application(router: ExpositionServer.router(sources))
        try await app.test(.live) { client in
            let early = try await client.execute(uri: "/api/v1/topology", method: .get)
            #expect(early.status == .serviceUnavailable)
            #expect(String(buffer: early.body).contains("not every watched resource has listed once"))
            holder.markAvailable()
            let whole = try await client.execute(uri: "/api/v1/topology", method: .get)
            #expect(whole.status == .ok)
            #expect(String(buffer: whole.body).contains("urn:kubernetes:/t:shop:pod/p1"))
            let pod = "urn:kubernetes:/t:shop:pod/p1".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let around = try await client.execute(uri: "/api/v1/topology?component=\(pod)&depth=1", method: .get)
            #expect(around.status == .ok)
            #expect(String(buffer: around.body).contains("urn:kubernetes:/t:node/n1"))
            let missing = try await client.execute(uri: "/api/v1/topology?component=urn%3Anope", method: .get)
            #expect(missing.status == .notFound)
            let badAction = try await client.execute(
                uri: "/api/v1/topology?component=\(pod)&action=explode", method: .get)
            #expect(badAction.status == .badRequest)
            #expect(String(buffer: badAction.body).contains("action: invalid value \"explode\""))
            let badView = try await client.execute(uri: "/api/v1/topology?view=everything", method: .get)
            #expect(badView.status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/topology?view=infrastructure", method: .get).status == .ok)
        }
    }
}

@Suite struct BasicAuthenticationTests {
    @Test func credentialsAreCheckedAndProbesStayOpen() async throws {
        let (sources, _) = ExpositionServerTests.sources()
        let router = ExpositionServer.router(
            sources, users: ["admin": "$2b$12$hNf2lSsxfm0.i4a.1kVpSOVyBCfIB51VRjgBUyv6kdnyTlgWj81Ay"])
        let app = Application(router: router)
        @Sendable func basic(_ credentials: String) -> String {
            "Basic " + Data(credentials.utf8).base64EncodedString()
        }
        try await app.test(.live) { client in
            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Basic realm=\"stackbridge\"")
            let wrong = try await client.execute(
                uri: "/metrics", method: .get, headers: [.authorization: basic("admin:wrong")])
            #expect(wrong.status == .unauthorized)
            let unknown = try await client.execute(
                uri: "/metrics", method: .get, headers: [.authorization: basic("root:test")])
            #expect(unknown.status == .unauthorized)
            for _ in 0..<2 {  // the second is answered from the verified cache
                let right = try await client.execute(
                    uri: "/metrics", method: .get, headers: [.authorization: basic("admin:test")])
                #expect(right.status == .ok)
            }
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/telemetry", method: .get).status == .unauthorized)
        }
    }
}
