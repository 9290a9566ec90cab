import BridgeCore
import BridgeHTTP
import BridgeTestPeers
import Foundation
import Testing

@testable import BridgeScrape

/// Prometheus 2.42's rules for a scrape that cannot be taken whole: a truncated or corrupt body,
/// a parse error, OpenMetrics without `# EOF`, or a limit exceeded fails the scrape (`up` 0, the
/// last series marked stale) with the reason named; duplicates are dropped and counted. Bodies
/// come from the fixture server's `/raw` route over real sockets.
@Suite struct ScrapeFailureRuleTests {
    let client = HTTPClient(userAgent: "stackbridge-test")
    static let good = "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"2\"} 2\n" + (0..<300).map { "b\($0) \($0)\n" }.joined()

    /// The fixture URL serving `body` as given.
    static func raw(
        _ server: FixtureServer, _ body: [UInt8], type: String? = nil, gzip: Bool = false, cut: Int? = nil,
        noLength: Bool = false
    ) -> String {
        var url =
            server.baseURL + "/raw?body="
            + Data(body).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "%3D")
        if let type { url += "&type=" + type.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        if gzip { url += "&gzip=1" }
        if let cut { url += "&cut=\(cut)" }
        if noLength { url += "&nolength=1" }
        return url
    }

    /// Scrapes `url` once after a good scrape of the same target (so staleness can be seen).
    func scrapeAfterGood(
        _ server: FixtureServer, _ url: String, good goodBody: String = Self.good,
        configure: (inout ScrapeTarget) -> Void = { _ in }
    ) async throws -> (good: ScrapeResult, result: ScrapeResult) {
        var target = ScrapeTarget(job: "j", url: Self.raw(server, Array(goodBody.utf8)))
        configure(&target)
        var processor = ScrapeProcessor(target: target)
        let loop = ScrapeLoop(
            target: target, client: client, sink: LatestScrapes(), logger: LogCapture().logger(),
            clock: ContinuousClock())
        let good = try #require(await loop.scrape(&processor))
        #expect(good.up, "\(String(describing: good.failure))")
        var failing = target
        failing.url = url
        let second = ScrapeLoop(
            target: failing, client: client, sink: LatestScrapes(), logger: LogCapture().logger(),
            clock: ContinuousClock())
        return (good, try #require(await second.scrape(&processor)))
    }

    func expectFailed(_ result: ScrapeResult, _ reason: String, message: String, staleAfter good: ScrapeResult) {
        #expect(!result.up)
        #expect(result.failure?.reason == reason, "\(String(describing: result.failure))")
        #expect(result.failure?.message.contains(message) == true, "\(String(describing: result.failure?.message))")
        #expect(ScrapeProcessorTests.value("up", in: result.scrapeMetrics) == 0)
        #expect(result.series.samples.isEmpty)
        // Every series of the last good scrape is marked stale, as Prometheus marks them.
        #expect(result.stale.samples.count == good.series.samples.count)
        #expect(result.stale.samples.allSatisfy { $0.value.isStaleMarker })
    }

    @Test func aGzipBodyCutShortFailsTheScrape() async throws {
        let server = try FixtureServer()
        let whole = Self.raw(server, Array(Self.good.utf8), gzip: true)
        let complete = try await scrapeAfterGood(server, whole)
        #expect(complete.result.up && complete.result.series.samples.count == 302)
        let compressed = Gzip.compress(Array(Self.good.utf8))
        let cut = Self.raw(server, Array(Self.good.utf8), gzip: true, cut: compressed.count / 2)
        let (good, result) = try await scrapeAfterGood(server, cut)
        expectFailed(result, "decode", message: "truncated", staleAfter: good)
        let corrupt = Self.raw(server, Array(Self.good.utf8), type: nil, gzip: true, cut: 12)
        expectFailed(try await scrapeAfterGood(server, corrupt).result, "decode", message: "gzip", staleAfter: good)
    }

    @Test func aParseErrorAnywhereFailsTheScrape() async throws {
        let server = try FixtureServer()
        let cases: [(body: String, message: String)] = [
            ("a 1\nb{ 2\nc 3\n", "line 2"),
            ("a 1\nb{l=\"\u{FFFD}\"} 2\n".replacingOccurrences(of: "\u{FFFD}", with: "\\xff"), "line 2"),
            ("a 1\nb 1e999\n", "b"),
            ("a 1\nb abc\n", "invalid value"),
        ]
        for (body, message) in cases {
            var bytes = Array(body.utf8)
            if let escape = body.range(of: "\\xff") {
                bytes = Array(body[..<escape.lowerBound].utf8) + [0xFF] + Array(body[escape.upperBound...].utf8)
            }
            let (good, result) = try await scrapeAfterGood(server, Self.raw(server, bytes))
            expectFailed(result, "parse", message: message, staleAfter: good)
            #expect(ScrapeProcessorTests.value("scrape_samples_scraped", in: result.scrapeMetrics) ?? 0 >= 1)
        }
    }

    @Test func openMetricsWithoutEOFFailsTheScrape() async throws {
        let server = try FixtureServer()
        let type = "application/openmetrics-text; version=1.0.0; charset=utf-8"
        let body = Array("# TYPE a gauge\na 1\n".utf8)
        let complete = try await scrapeAfterGood(server, Self.raw(server, body + Array("# EOF\n".utf8), type: type))
        #expect(complete.result.up)
        let (good, result) = try await scrapeAfterGood(server, Self.raw(server, body, type: type))
        expectFailed(result, "parse", message: "missing # EOF", staleAfter: good)
    }

    @Test func bodiesOverTheLimitFailWithOrWithoutContentLength() async throws {
        let server = try FixtureServer()
        // /metrics?series=20000 is 1.3 MB with a Content-Length; /huge sends none and ends by
        // closing; /gzip is 30 KB of text compressed to a fraction of the limit.
        for (path, label) in [
            ("/metrics?series=20000", "with Content-Length"),
            ("/huge?bytes=50000000", "without Content-Length"),
            ("/gzip", "gzip, limit on the decoded size"),
        ] {
            let (good, result) = try await scrapeAfterGood(server, server.baseURL + path) { $0.bodyLimit = 16 << 10 }
            #expect(result.failure?.reason == "body_size_limit", "\(label): \(String(describing: result.failure))")
            expectFailed(result, "body_size_limit", message: "16384", staleAfter: good)
        }
    }

    @Test(arguments: [
        ("label_limit", "label_limit exceeded (metric: a, number of labels: 3, limit: 2)"),
        (
            "label_name_length_limit",
            "label_name_length_limit exceeded (metric: a, label name: long_name, length: 9, limit: 8)"
        ),
        (
            "label_value_length_limit",
            "label_value_length_limit exceeded (metric: a, label name: long_name, value: abcdefghij, length: 10, limit: 9)"
        ),
        ("sample_limit", "sample_limit exceeded: 3 samples after relabeling, limit 2"),
    ])
    func limitsFailTheScrapeWithPrometheusWording(_ limit: String, _ message: String) async throws {
        let server = try FixtureServer()
        let body = Array("a{x=\"1\",long_name=\"abcdefghij\"} 1\nb 2\nc 3\n".utf8)
        let (good, result) = try await scrapeAfterGood(server, Self.raw(server, body), good: "a{x=\"1\"} 1\n") {
            target in
            switch limit {
            case "label_limit": target.labelLimit = 2
            case "label_name_length_limit": target.labelNameLengthLimit = 8
            case "label_value_length_limit": target.labelValueLengthLimit = 9
            default: target.sampleLimit = 2
            }
        }
        expectFailed(result, limit, message: message, staleAfter: good)
        // At the limit exactly, the scrape passes.
        let (_, atLimit) = try await scrapeAfterGood(server, Self.raw(server, body), good: "a 1\n") { target in
            switch limit {
            case "label_limit": target.labelLimit = 3
            case "label_name_length_limit": target.labelNameLengthLimit = 9
            case "label_value_length_limit": target.labelValueLengthLimit = 10
            default: target.sampleLimit = 3
            }
        }
        #expect(atLimit.up, "\(String(describing: atLimit.failure))")
    }

    @Test func duplicateSeriesAreDroppedCountedAndWarnedOnce() async throws {
        let server = try FixtureServer()
        var target = ScrapeTarget(job: "dup", url: Self.raw(server, Array("a 1\na 2\nb 3\n".utf8)))
        target.interval = .milliseconds(50)
        let logs = LogCapture()
        let sink = LatestScrapes(keepHistory: true)
        let loop = ScrapeLoop(
            target: target, client: client, sink: sink, logger: logs.logger(), clock: ContinuousClock())
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            #expect(await sink.wait { $0.history.count >= 4 })
            group.cancelAll()
        }
        let results = await sink.history
        #expect(results.allSatisfy { $0.up && $0.duplicates == 1 && $0.series.samples.count == 2 })
        let warnings = logs.records.filter { $0.message == "scrape dropped duplicate series" }
        #expect(warnings.count == 1)
        #expect(warnings.first?.level == .warning)
        #expect(warnings.first?.metadata["scrape.duplicates"] == "1")
    }
}
