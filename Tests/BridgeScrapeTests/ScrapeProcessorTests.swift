import BridgeCore
import BridgeHTTP
import Testing

@testable import BridgeScrape

#if canImport(Glibc)
    import Glibc
#endif

/// The pure part of a scrape: body in, result out, staleness across scrapes.
@Suite struct ScrapeProcessorTests {
    static func kubelet(_ node: String = "n1", relabel: [RelabelConfig] = [], sampleLimit: Int = 0) -> ScrapeTarget {
        var target = KubeletTargets.make(
            nodes: [NodeAddress(name: node, internalIP: "10.0.0.1")],
            access: .direct(port: 10250, security: EndpointSecurity(insecureSkipVerify: true)),
            endpoints: [.cadvisor]
        )[0]
        target.metricRelabelConfigs = relabel
        target.sampleLimit = sampleLimit
        return target
    }

    static func text(_ batch: MetricBatch) -> String {
        ExpositionWriter(format: .text, includeTimestamps: true).string(batch)
    }

    static func value(_ name: String, in batch: MetricBatch) -> Double? {
        batch.familyValues.first { $0.name == name }?.samples.first?.value
    }

    @Test func seriesGetTargetLabelsAndLoseExplicitTimestamps() {
        var processor = ScrapeProcessor(target: Self.kubelet())
        let body = "# TYPE machine_cpu_cores gauge\nmachine_cpu_cores 4 1700000000000\nx{node=\"elsewhere\"} 1\nx 2\n"
        let result = processor.process(body: Array(body.utf8), contentType: nil, timestamp: 1000, duration: { 0.25 })
        #expect(result.up)
        #expect(
            Self.text(result.series) == """
                # TYPE machine_cpu_cores gauge
                machine_cpu_cores{node="n1",metrics_path="/metrics/cadvisor"} 4
                x{exported_node="elsewhere",node="n1",metrics_path="/metrics/cadvisor"} 1
                x{node="n1",metrics_path="/metrics/cadvisor"} 2

                """
        )
        #expect(Self.value("up", in: result.scrapeMetrics) == 1)
        #expect(Self.value("scrape_duration_seconds", in: result.scrapeMetrics) == 0.25)
        #expect(Self.value("scrape_samples_scraped", in: result.scrapeMetrics) == 3)
        #expect(Self.value("scrape_samples_post_metric_relabeling", in: result.scrapeMetrics) == 3)
        #expect(Self.value("scrape_series_added", in: result.scrapeMetrics) == 3)
        let upLabels = result.scrapeMetrics.familyValues[0].samples[0].labels
        #expect(
            upLabels == [
                LabelPair("job", "kubelet"), LabelPair("instance", "n1"), LabelPair("node", "n1"),
                LabelPair("metrics_path", "/metrics/cadvisor"),
            ]
        )
    }

    @Test func exportedLabelsNeverCollapseSeries() {
        var processor = ScrapeProcessor(target: Self.kubelet())
        let body = "x{exported_node=\"a\",node=\"b\"} 1\nx{exported_node=\"b\"} 2\nx{node=\"a\"} 3\nx 4\n"
        let result = processor.process(body: Array(body.utf8), contentType: nil, timestamp: 0, duration: { 0 })
        #expect(result.series.samples.count == 4)
        #expect(result.duplicates == 0)
        let identities = Set(result.series.samples.map { result.series.seriesIdentity(of: $0) })
        #expect(identities.count == 4)
    }

    @Test func duplicateSeriesInOneScrapeAreDroppedAndCounted() {
        var processor = ScrapeProcessor(target: Self.kubelet())
        let body = "a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\nb 3\n"
        let result = processor.process(body: Array(body.utf8), contentType: nil, timestamp: 0, duration: { 0 })
        #expect(result.duplicates == 1)
        #expect(result.series.familyValues.flatMap(\.samples).map(\.value) == [1, 3])
    }

    @Test func vanishedSeriesGetStalenessMarkers() {
        var processor = ScrapeProcessor(target: Self.kubelet())
        _ = processor.process(body: Array("a 1\nb 2\nc 3\n".utf8), contentType: nil, timestamp: 0, duration: { 0 })
        let second = processor.process(
            body: Array("a 1\nc 3\nd 4\n".utf8), contentType: nil, timestamp: 1, duration: { 0 })
        #expect(Self.value("scrape_series_added", in: second.scrapeMetrics) == 1)
        let stale = second.stale.familyValues.flatMap(\.samples)
        #expect(stale.map(\.name) == ["b"])
        #expect(stale.allSatisfy { $0.value.isStaleMarker })
        #expect(stale.first?.labels == [LabelPair("node", "n1"), LabelPair("metrics_path", "/metrics/cadvisor")])
    }

    @Test func failedScrapeMakesEverySeriesStale() {
        var processor = ScrapeProcessor(target: Self.kubelet())
        _ = processor.process(body: Array("a 1\nb 2\n".utf8), contentType: nil, timestamp: 0, duration: { 0 })
        let failed = processor.fail(ScrapeFailure(reason: "timeout", message: "slow"), timestamp: 1, duration: 10)
        #expect(!failed.up)
        #expect(Self.value("up", in: failed.scrapeMetrics) == 0)
        #expect(failed.stale.samples.count == 2)
        #expect(failed.series.samples.isEmpty)
        let recovered = processor.process(
            body: Array("a 1\nb 2\n".utf8), contentType: nil, timestamp: 2, duration: { 0 })
        #expect(Self.value("scrape_series_added", in: recovered.scrapeMetrics) == 2)
        #expect(recovered.stale.samples.isEmpty)
    }

    @Test func sampleLimitFailsTheScrape() {
        var processor = ScrapeProcessor(target: Self.kubelet(sampleLimit: 2))
        _ = processor.process(body: Array("a 1\n".utf8), contentType: nil, timestamp: 0, duration: { 0 })
        let result = processor.process(
            body: Array("a 1\nb 2\nc 3\n".utf8), contentType: nil, timestamp: 1, duration: { 0 })
        #expect(result.failure?.reason == "sample_limit")
        #expect(result.failure?.message == "sample_limit exceeded: 3 samples after relabeling, limit 2")
        #expect(Self.value("up", in: result.scrapeMetrics) == 0)
        #expect(Self.value("scrape_samples_post_metric_relabeling", in: result.scrapeMetrics) == 3)
        #expect(result.stale.samples.count == 1)
    }

    @Test func metricRelabelingSeesTargetLabels() throws {
        let keepOnlyN2 = RelabelConfig(sourceLabels: ["node"], regex: try RelabelRegex("n2"), action: .keep)
        var processor = ScrapeProcessor(target: Self.kubelet("n1", relabel: [keepOnlyN2]))
        let result = processor.process(body: Array("a 1\n".utf8), contentType: nil, timestamp: 0, duration: { 0 })
        #expect(result.series.samples.isEmpty)
        #expect(Self.value("scrape_samples_scraped", in: result.scrapeMetrics) == 1)
        #expect(Self.value("scrape_samples_post_metric_relabeling", in: result.scrapeMetrics) == 0)
    }

    @Test func oneBadLineFailsTheScrapeAsGarbageDoes() {
        var processor = ScrapeProcessor(target: Self.kubelet())
        let good = processor.process(body: Array("a 1\nb 2\n".utf8), contentType: nil, timestamp: 0, duration: { 0 })
        #expect(good.up)
        let partial = processor.process(
            body: Array("a 1\nbroken{\nb 2\n".utf8), contentType: nil, timestamp: 1, duration: { 0 })
        #expect(!partial.up)
        #expect(partial.failure?.reason == "parse")
        #expect(partial.failure?.message.hasPrefix("1 bad lines (2 samples parsed); first: line 2:") == true)
        #expect(partial.parseIssues.count == 1)
        #expect(partial.series.samples.isEmpty)
        #expect(partial.stale.samples.count == 2)
        #expect(Self.value("scrape_samples_scraped", in: partial.scrapeMetrics) == 2)
        _ = processor.process(body: Array("a 1\nb 2\n".utf8), contentType: nil, timestamp: 2, duration: { 0 })
        let garbage = processor.process(
            body: Array("<html>oops</html>\n".utf8), contentType: nil, timestamp: 3, duration: { 0 })
        #expect(garbage.failure?.reason == "parse")
        #expect(garbage.failure?.message.hasPrefix("no sample could be parsed from 1 lines; first: line 1:") == true)
        #expect(garbage.stale.samples.count == 2)
    }

    @Test func steadyScrapesReuseTheSymbolTable() {
        var processor = ScrapeProcessor(target: Self.kubelet())
        let body = Array("a{pod=\"p1\"} 1\na{pod=\"p2\"} 2\n".utf8)
        let first = processor.process(body: body, contentType: nil, timestamp: 0, duration: { 0 })
        let count = first.series.symbols.count
        for index in 1...20 {
            let result = processor.process(body: body, contentType: nil, timestamp: Int64(index), duration: { 0 })
            #expect(result.series.symbols.count == count)
            #expect(Self.text(result.series) == Self.text(first.series))
            #expect(result.stale.samples.isEmpty)
        }
    }

    @Test func openMetricsBodiesAreReadAsSuch() {
        var processor = ScrapeProcessor(target: Self.kubelet())
        let body = "# TYPE c counter\nc_total 1 # {trace_id=\"x\"} 1\n# EOF\n"
        let result = processor.process(
            body: Array(body.utf8),
            contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8",
            timestamp: 0,
            duration: { 0 }
        )
        #expect(result.parseIssues.isEmpty)
        #expect(result.series.familyValues.first?.type == .counter)
    }

    /// Whether every page of the `length` bytes at `address` is mapped (mincore fails with ENOMEM
    /// for an unmapped page).
    static func isMapped(_ address: UnsafeRawPointer, length: Int) -> Bool {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: address) & ~(page - 1)
        var vector = [UInt8](repeating: 0, count: (length + page) / page + 1)
        return mincore(UnsafeMutableRawPointer(bitPattern: start), length, &vector) == 0
    }

    @Test func theBodyIsFreedOnceParsedBeforeTheRestOfTheWork() throws {
        // Room for 64 MiB: above glibc's largest mmap threshold, so the body is a mapping of its
        // own that freeing unmaps, which mincore sees.
        var body: [UInt8] = []
        body.reserveCapacity(64 << 20)
        body.append(contentsOf: "# TYPE a gauge\na 1\n".utf8)
        let address = try #require(body.withUnsafeBytes { $0.baseAddress })
        #expect(Self.isMapped(address, length: 64 << 20))
        var mappedAtTheEnd = true
        var processor = ScrapeProcessor(target: Self.kubelet())
        let result = processor.process(
            body: consume body, contentType: nil, timestamp: 1000,
            duration: {
                // Read when processing is done, with the result not yet returned.
                mappedAtTheEnd = Self.isMapped(address, length: 64 << 20)
                return 0.1
            })
        #expect(result.up && result.series.samples.count == 1)
        #expect(!mappedAtTheEnd, "the body was still held when processing ended")
    }
}
