import BridgeHTTP
import BridgeTestPeers
import Foundation
import Testing

@testable import BridgeRemoteWrite

/// Real receivers decode what the bridge sends: Prometheus 2.42 with its remote-write receiver and
/// VictoriaMetrics single-node, each checked through its own query API.
@Suite struct RemoteWriteReceiverTests {
    let client = HTTPClient(userAgent: "stackbridge-test")

    /// 50 series, one sample each, 10 s ago, with a label that needs escaping in PromQL output.
    func batch(now: Int64) -> RemoteWriteBatch {
        var batch = RemoteWriteBatch()
        for index in 0..<50 {
            batch.append(
                labels: [
                    ("__name__", "rw_test_value"), ("i", "\(index)"), ("pod", "web-\(index % 5)"),
                    ("note", "quote \" and é"), ("job", "kubelet"), ("instance", "node-1"), ("empty", ""),
                ], value: Double(index), timestamp: now - 10_000)
        }
        return batch
    }

    func checkReceived(_ api: String, at time: Double) async throws {
        let count = try await PromQL.query(api, "count(rw_test_value)", time: time)
        #expect(count.first?.value == 50)
        let sum = try await PromQL.query(api, "sum(rw_test_value)", time: time)
        #expect(sum.first?.value == Double((0..<50).reduce(0, +)))
        let one = try await PromQL.query(api, #"rw_test_value{i="7"}"#, time: time)
        let labels = try #require(one.first?.labels)
        #expect(labels["pod"] == "web-2")
        #expect(labels["job"] == "kubelet")
        #expect(labels["instance"] == "node-1")
        #expect(labels["note"] == "quote \" and é")
        #expect(labels["empty"] == nil)
    }

    @Test func prometheusReceivesEverySeriesWithItsLabels() async throws {
        let receiver = try await PrometheusReceiver()
        defer { receiver.stop() }
        let api = receiver.url
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let sender = RemoteWriteClient(
            endpoint: RemoteWriteEndpoint(url: api + "/api/v1/write"), client: client, userAgent: "stackbridge/test")
        #expect(await sender.send(batch(now: now).encoded()) == .sent)
        try await checkReceived(api, at: Double(now) / 1000)
    }

    @Test func victoriaMetricsReceivesEverySeriesWithItsLabels() async throws {
        let port = try PeerProcess.freePort()
        let victoria = try PeerProcess(
            "/usr/bin/victoria-metrics",
            [
                "-httpListenAddr=127.0.0.1:\(port)", "-storageDataPath=data", "-search.latencyOffset=0s",
                "-loggerLevel=ERROR",
            ])
        defer { victoria.stop() }
        let api = "http://127.0.0.1:\(port)"
        _ = try await PeerProcess.fetch(api + "/health", accept: "*/*")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let sender = RemoteWriteClient(
            endpoint: RemoteWriteEndpoint(url: api + "/api/v1/write"), client: client, userAgent: "stackbridge/test")
        #expect(await sender.send(batch(now: now).encoded()) == .sent)
        // VictoriaMetrics buffers recent rows; force_flush makes them searchable at once.
        _ = try await PeerProcess.fetch(api + "/internal/force_flush", accept: "*/*")
        try await checkReceived(api, at: Double(now) / 1000)
    }
}
