import BridgeCore
import BridgeTopology
import Synchronization
import Testing

@testable import BridgeScrape

/// A scrape with the same series as the last one takes the last result's labels with the new
/// values instead of joining and relabeling again; what it hands on must be exactly what working
/// everything out afresh gives.
@Suite struct ScrapeReuseTests {
    /// Pod placements the test changes by hand, counting lookups, with a join version it moves.
    final class Placements: Sendable {
        private let state = Mutex((workload: "web", version: UInt64(1), lookups: 0))

        var lookups: Int { state.withLock { $0.lookups } }

        func move(to workload: String, bumpingVersion: Bool) {
            state.withLock {
                $0.workload = workload
                if bumpingVersion { $0.version += 1 }
            }
        }

        func enricher() -> Enricher {
            Enricher(
                options: EnrichmentOptions(), clusterName: "c",
                pods: { [self] key in
                    state.withLock { state -> PodPlacement? in
                        state.lookups += 1
                        guard key.name.hasPrefix("p") else { return nil }
                        return PodPlacement(
                            node: "n1", workloadKind: "Deployment", workloadName: state.workload, owner: nil,
                            nodePlacement: nil, labels: [:])
                    }
                },
                nodes: { _ in nil },
                version: { [self] in state.withLock { $0.version } })
        }
    }

    static func body(_ values: [Double], timestamps: Bool = false) -> [UInt8] {
        let lines = [
            "# TYPE a gauge", "a{namespace=\"ns\",pod=\"p1\"} %", "a{namespace=\"ns\",pod=\"p2\"} %",
            "a{namespace=\"ns\",pod=\"gone\"} %", "# TYPE b counter", "b_total{namespace=\"ns\",pod=\"p1\"} %",
            "b_total{pod=\"p1\",namespace=\"ns\"} %", "c{x=\"drop-me\"} %", "c{x=\"keep\"} %",
        ]
        var index = 0
        var text = ""
        for line in lines {
            if line.contains("%") {
                let stamp = timestamps ? " \(1_700_000_000_000 + Int(values[index % values.count]))" : ""
                text += line.replacingOccurrences(of: "%", with: "\(values[index % values.count])") + stamp + "\n"
                index += 1
            } else {
                text += line + "\n"
            }
        }
        return Array(text.utf8)
    }

    static func target(relabel: [RelabelConfig] = [], honorTimestamps: Bool = false) -> ScrapeTarget {
        var target = ScrapeProcessorTests.kubelet(relabel: relabel)
        target.honorTimestamps = honorTimestamps
        return target
    }

    /// What a processor with no history makes of `body`.
    static func fresh(_ target: ScrapeTarget, _ placements: Placements, _ body: [UInt8]) -> ScrapeResult {
        var processor = ScrapeProcessor(target: target, enricher: placements.enricher())
        return processor.process(body: body, contentType: nil, timestamp: 5, duration: { 0 })
    }

    @Test func theSameSeriesAreNotJoinedAgainAndCarryTheNewValues() {
        let placements = Placements()
        var processor = ScrapeProcessor(target: Self.target(), enricher: placements.enricher())
        let first = processor.process(body: Self.body([1]), contentType: nil, timestamp: 1, duration: { 0 })
        let lookups = placements.lookups
        #expect(lookups == 3, "p1, p2 and gone, once each")
        for round in 2...4 {
            let values = [Double(round), Double(round) + 0.5, -Double(round)]
            let before = placements.lookups
            let result = processor.process(
                body: Self.body(values), contentType: nil, timestamp: Int64(round), duration: { 0 })
            #expect(placements.lookups == before, "round \(round) joined again")
            let expected = Self.fresh(Self.target(), placements, Self.body(values))
            #expect(ScrapeProcessorTests.text(result.series) == ScrapeProcessorTests.text(expected.series))
            #expect(ScrapeProcessorTests.text(result.series) != ScrapeProcessorTests.text(first.series))
            #expect(result.duplicates == 1)
            #expect(result.enrichment == expected.enrichment)
            #expect(result.stale.samples.isEmpty)
            #expect(ScrapeProcessorTests.value("scrape_series_added", in: result.scrapeMetrics) == 0)
            #expect(ScrapeProcessorTests.value("scrape_samples_scraped", in: result.scrapeMetrics) == 7)
            #expect(ScrapeProcessorTests.value("scrape_samples_post_metric_relabeling", in: result.scrapeMetrics) == 6)
        }
    }

    @Test func aMovedJoinVersionOrChangedSeriesAreJoinedAfresh() {
        let placements = Placements()
        var processor = ScrapeProcessor(target: Self.target(), enricher: placements.enricher())
        _ = processor.process(body: Self.body([1]), contentType: nil, timestamp: 1, duration: { 0 })
        placements.move(to: "api", bumpingVersion: true)
        let moved = processor.process(body: Self.body([2]), contentType: nil, timestamp: 2, duration: { 0 })
        #expect(ScrapeProcessorTests.text(moved.series).contains("workload=\"api\""))
        #expect(!ScrapeProcessorTests.text(moved.series).contains("workload=\"web\""))
        // One series fewer: a different shape, worked out afresh, with its staleness marker.
        var shorter = String(decoding: Self.body([3]), as: UTF8.self)
        shorter = shorter.replacingOccurrences(of: "c{x=\"keep\"} 3.0\n", with: "")
        let changed = processor.process(body: Array(shorter.utf8), contentType: nil, timestamp: 3, duration: { 0 })
        #expect(changed.stale.samples.count == 1)
        #expect(
            ScrapeProcessorTests.text(changed.series)
                == ScrapeProcessorTests.text(Self.fresh(Self.target(), placements, Array(shorter.utf8)).series))
    }

    @Test func reusedResultsEqualFreshOnesThroughRelabelingThatDropsAndRenames() throws {
        let rules = [
            RelabelConfig(sourceLabels: ["x"], regex: try RelabelRegex("drop-me"), action: .drop),
            // Renames a into a family of its own after b: samples move between families.
            RelabelConfig(
                sourceLabels: ["__name__"], targetLabel: "__name__", regex: try RelabelRegex("a"),
                replacement: "z_renamed"),
        ]
        let target = Self.target(relabel: rules, honorTimestamps: true)
        let placements = Placements()
        var processor = ScrapeProcessor(target: target, enricher: placements.enricher())
        for round in 1...4 {
            let values = (0..<7).map { Double(round * 10 + $0) }
            let body = Self.body(values, timestamps: true)
            let before = placements.lookups
            let result = processor.process(body: body, contentType: nil, timestamp: Int64(round), duration: { 0 })
            #expect(placements.lookups == before + (round == 1 ? 3 : 0), "round \(round)")
            let expected = Self.fresh(target, placements, body)
            #expect(ScrapeProcessorTests.text(result.series) == ScrapeProcessorTests.text(expected.series))
            #expect(ScrapeProcessorTests.text(result.series).contains("z_renamed"))
            #expect(!ScrapeProcessorTests.text(result.series).contains("drop-me"))
            #expect(result.series.samples.compactMap(\.timestamp).contains(Int64(1_700_000_000_000 + round * 10 + 1)))
        }
    }
}
