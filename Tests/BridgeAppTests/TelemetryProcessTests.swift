import BridgeCore
import BridgeTestPeers
import Foundation
import Synchronization
import Testing

@testable import BridgeApp

/// `/telemetry` has the standard process metrics and counts the series `/metrics` serves now.
@Suite struct TelemetryProcessTests {
    static func values(_ batch: MetricBatch) -> [String: Double] {
        Dictionary(
            batch.familyValues.flatMap { family in family.samples.map { ($0.name, $0.value) } },
            uniquingKeysWith: { first, _ in first })
    }

    @Test func theProcessMetricsAreThereWithPlausibleValues() throws {
        let batch = Telemetry(version: "t").batch()
        let values = Self.values(batch)
        for name in ProcessMetrics.familyNames { #expect(values[name] != nil, "\(name) missing") }
        #expect((values["process_resident_memory_bytes"] ?? 0) > Double(1 << 20))
        #expect((values["process_virtual_memory_bytes"] ?? 0) >= (values["process_resident_memory_bytes"] ?? 0))
        #expect((values["process_open_fds"] ?? 0) > 0)
        #expect((values["process_max_fds"] ?? 0) >= (values["process_open_fds"] ?? 0))
        #expect((values["process_cpu_seconds_total"] ?? 0) > 0)
        let started = values["process_start_time_seconds"] ?? 0
        let now = Date().timeIntervalSince1970
        #expect(started > now - 6 * 3600 && started <= now + 1, "started at \(started), now \(now)")
        // The whole of /telemetry, process metrics included, is what promtool accepts.
        let text = ExpositionWriter(format: .text).string(batch)
        let (status, output) = try PeerProcess.run("/usr/bin/promtool", ["check", "metrics"], input: Data(text.utf8))
        #expect(status == 0, "\(output)")
    }

    @Test func theExposedSeriesAreCountedAtEachRender() {
        let telemetry = Telemetry(version: "t")
        let series = Mutex(714)
        telemetry.add(exposedSeries: { series.withLock { $0 } })
        #expect(Self.values(telemetry.batch())["stackbridge_exposition_series"] == 714)
        series.withLock { $0 = 1_000_875 }
        #expect(Self.values(telemetry.batch())["stackbridge_exposition_series"] == 1_000_875)
    }
}
