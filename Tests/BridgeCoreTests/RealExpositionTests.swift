import BridgeCore
import BridgeTestPeers
import Foundation
import Testing

/// Expositions captured at test time from real programs (Debian's Prometheus 2.42 and node_exporter)
/// survive parse → write → parse unchanged, and the writer's text passes `promtool check metrics`
/// with no complaint the original did not already have.
@Suite(.serialized) struct RealExpositionTests {
    static let acceptText = "text/plain;version=0.0.4"
    static let acceptOpenMetrics = "application/openmetrics-text;version=1.0.0"

    @Test func prometheusOwnMetrics() async throws {
        let prometheus = try PrometheusServer(configuration: "global:\n  scrape_interval: 1s\n")
        defer { prometheus.stop() }
        try await checkBothFormats(prometheus.url + "/metrics")
    }

    @Test func nodeExporterMetrics() async throws {
        let port = try PeerProcess.freePort()
        let peer = try PeerProcess("/usr/bin/prometheus-node-exporter", ["--web.listen-address=127.0.0.1:\(port)"])
        defer { peer.stop() }
        try await checkBothFormats("http://127.0.0.1:\(port)/metrics")
    }

    private func checkBothFormats(_ url: String) async throws {
        let (text, textType) = try await PeerProcess.fetch(url, accept: Self.acceptText)
        #expect(ExpositionFormat(contentType: textType) == .text)
        let rewritten = try roundTrip(text, .text)
        let before = try promtoolComplaints(text)
        let after = try promtoolComplaints(rewritten)
        #expect(after.subtracting(before).isEmpty, "new promtool complaints: \(after.subtracting(before))")

        // Debian's Prometheus 2.42 and node_exporter 1.5 do not enable OpenMetrics on /metrics and
        // answer text; whatever the Content-Type says is what must parse cleanly.
        let (negotiated, negotiatedType) = try await PeerProcess.fetch(url, accept: Self.acceptOpenMetrics)
        _ = try roundTrip(negotiated, ExpositionFormat(contentType: negotiatedType))
    }

    /// Parses `body`, writes it, parses the output and compares; returns the written text.
    private func roundTrip(_ body: Data, _ format: ExpositionFormat) throws -> Data {
        var issues = ParseIssues()
        let batch = MetricBatch.parse(Array(body), format: format, issues: &issues)
        #expect(issues.kept == [], "\(format): \(issues.kept)")
        #expect(batch.samples.count > 50, "\(format): only \(batch.samples.count) samples")
        var written: [UInt8] = []
        ExpositionWriter(format: format, includeTimestamps: true).emit(batch, into: &written)
        var reparsedIssues = ParseIssues()
        let reparsed = MetricBatch.parse(written, format: format, issues: &reparsedIssues)
        #expect(reparsedIssues.kept == [])
        let mismatch = zip(reparsed.familyValues, batch.familyValues).first { $0 != $1 }
        #expect(
            reparsed.familyValues == batch.familyValues, "\(format): first mismatch \(String(describing: mismatch))")
        return Data(written)
    }

    /// The lint findings of `promtool check metrics` on `body`, one per line.
    private func promtoolComplaints(_ body: Data) throws -> Set<String> {
        let output = try PeerProcess.run("/usr/bin/promtool", ["check", "metrics"], input: body).output
        #expect(!output.contains("error while linting"), "promtool could not parse: \(output)")
        return Set(output.split(separator: "\n").map(String.init))
    }
}
