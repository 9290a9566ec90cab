import BridgeTestPeers
import Foundation
import Testing

@testable import BridgeCore

/// Parsing with the last scrape's series shape takes a repeated line's series without lexing its
/// labels, and gives exactly the batch (and the issues) a plain parse gives, whatever changed.
@Suite struct KnownSeriesParsingTests {
    static let body = """
        # HELP a The a.
        # TYPE a gauge
        a{pod="p1",ns="x"} 1
        a{pod="p2",ns="x"} 2 1700000000000
        # TYPE b counter
        b_total 3
        b 4
        c{path="a\\\\b"} 5
        d{} 6
        e{x="1"} 7

        """

    /// The plain parse and the one guided by `shape`, both over a copy of `table`, with how many
    /// lines the guided one recognised.
    static func parseBoth(
        _ text: String, _ format: ExpositionFormat = .text, table: SymbolTable, shape: MetricBatch.SeriesShape
    )
        -> (plain: MetricBatch, plainIssues: ParseIssues, guided: MetricBatch, guidedIssues: ParseIssues, known: Int)
    {
        let bytes = Array(text.utf8)
        var plainIssues = ParseIssues()
        let plain = MetricBatch.parse(bytes, format: format, symbols: table, issues: &plainIssues)
        var guidedIssues = ParseIssues()
        var known = 0
        let guided = bytes.withUnsafeBufferPointer {
            MetricBatch.parse(
                $0, format: format, symbols: table, expected: shape, issues: &guidedIssues, knownLines: &known)
        }
        return (plain, plainIssues, guided, guidedIssues, known)
    }

    @Test func everyChangeGivesThePlainParseAndOnlyWriterSpelledRepeatsAreKnown() throws {
        var issues = ParseIssues()
        let first = MetricBatch.parse(Array(Self.body.utf8), format: .text, issues: &issues)
        #expect(issues.isEmpty)
        let shape = try #require(MetricBatch.SeriesShape(first))
        // (changed body, lines expected to be recognised). `c` needs escaping and `d{}` is not spelled
        // as a writer spells it, so neither is ever known.
        let cases: [(String, Int)] = [
            (Self.body, 5),
            (
                Self.body.replacingOccurrences(of: "} 2 1700000000000", with: "} NaN").replacingOccurrences(
                    of: "b 4", with: "b\t+Inf 17"), 5
            ),
            (Self.body.replacingOccurrences(of: "p2", with: "p3"), 4),  // a label value
            (Self.body.replacingOccurrences(of: "pod=\"p1\",ns", with: "ns=\"x\",pod=\"p1\",ns2"), 4),
            (Self.body.replacingOccurrences(of: "a{pod=\"p1\",ns=\"x\"} 1\n", with: ""), 0),  // one fewer: out of step
            (Self.body.replacingOccurrences(of: "e{x=\"1\"} 7\n", with: ""), 4),
            (Self.body + "f 8\n", 5),
            (Self.body.replacingOccurrences(of: "pod=\"p1\",ns=\"x\"", with: "pod=\"p1\", ns=\"x\","), 4),  // spelling
            (Self.body.replacingOccurrences(of: "a{pod=\"p1\"", with: "a {pod=\"p1\""), 4),
            (Self.body.replacingOccurrences(of: "b_total 3", with: "b_totalx 3"), 4),  // the name runs on
            // No blank before the value: an issue, and the lines after it out of step.
            (Self.body.replacingOccurrences(of: "b_total 3", with: "b_total3"), 2),
            (Self.body.replacingOccurrences(of: "b 4", with: "b 4 x"), 3),  // text after the value: an issue
            (Self.body.replacingOccurrences(of: "b 4", with: "b four"), 3),  // a bad value: an issue
            (Self.body.replacingOccurrences(of: "b 4", with: "b 4 1.5"), 3),  // a bad timestamp: an issue
            (Self.body.replacingOccurrences(of: "e{x=\"1\"} 7", with: "e{x=\"1\",x=\"2\"} 7"), 4),  // duplicate label
            (Self.body.replacingOccurrences(of: "ns=\"x\"} 1", with: "ns=\"x\\\"\"} 1"), 4),  // an escape added
        ]
        for (text, known) in cases {
            let result = Self.parseBoth(text, table: first.symbols, shape: shape)
            #expect(result.guided.isIdentical(to: result.plain), "\(text)")
            #expect(result.plainIssues == result.guidedIssues, "\(text)")
            #expect(result.known == known, "\(text)")
        }
    }

    /// Whether two label arrays are one storage.
    static func shareStorage(_ a: [Label], _ b: [Label]) -> Bool {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
    }

    @Test func aRepeatedBodyHoldsTheShapesLabelsAndAnyChangeItsOwn() throws {
        var issues = ParseIssues()
        let first = MetricBatch.parse(Array(Self.body.utf8), format: .text, issues: &issues)
        let shape = try #require(MetricBatch.SeriesShape(first))
        let repeated = Self.parseBoth(
            Self.body.replacingOccurrences(of: "} 1\n", with: "} 11\n"), table: first.symbols, shape: shape)
        #expect(repeated.guided.isIdentical(to: repeated.plain))
        // `c` and `d{}` are never known, so only a body without them shares its labels whole.
        let known = Self.body.replacingOccurrences(of: "c{path=\"a\\\\b\"} 5\nd{} 6\n", with: "")
        let knownFirst = MetricBatch.parse(Array(known.utf8), format: .text, issues: &issues)
        let knownShape = try #require(MetricBatch.SeriesShape(knownFirst))
        let again = Self.parseBoth(known, table: knownFirst.symbols, shape: knownShape)
        #expect(again.known == knownFirst.samples.count)
        #expect(again.guided.isIdentical(to: again.plain))
        #expect(Self.shareStorage(again.guided.labels, knownShape.labelArray))
        #expect(knownShape.describes(again.guided))
        // Changes at the start, in the middle and at the end: equal to the plain parse, own labels.
        let changes = [
            known.replacingOccurrences(of: "p1", with: "p0"),
            known.replacingOccurrences(of: "b 4", with: "b{x=\"y\"} 4"),
            known.replacingOccurrences(of: "e{x=\"1\"} 7\n", with: ""),
            known + "f{a=\"b\"} 8\n",
            known.replacingOccurrences(of: "b_total 3", with: "b_total 3 # {t=\"1\"} 1"),
        ]
        for text in changes {
            let result = Self.parseBoth(text, table: knownFirst.symbols, shape: knownShape)
            #expect(result.guided.isIdentical(to: result.plain), "\(text)")
            #expect(!Self.shareStorage(result.guided.labels, knownShape.labelArray), "\(text)")
        }
    }

    @Test func openMetricsExemplarsAndTimestampsTakeTheFullParse() throws {
        let body = "# TYPE a counter\na_total{x=\"1\"} 1 1700000000.5\na_total{x=\"2\"} 2\n# EOF\n"
        var issues = ParseIssues()
        let first = MetricBatch.parse(Array(body.utf8), format: .openMetrics, issues: &issues)
        let shape = try #require(MetricBatch.SeriesShape(first))
        let withExemplar = body.replacingOccurrences(of: "} 2\n", with: "} 2 # {trace_id=\"t\"} 1\n")
        for (text, known) in [(body, 2), (withExemplar, 1)] {
            let result = Self.parseBoth(text, .openMetrics, table: first.symbols, shape: shape)
            #expect(result.guided.isIdentical(to: result.plain), "\(text)")
            #expect(result.plainIssues == result.guidedIssues)
            #expect(result.known == known, "\(text)")
        }
    }

    /// Two scrapes of a real node_exporter: its lines repeat, and the guided parse of the second
    /// recognises nearly all of them and still equals the plain parse.
    @Test func aRealExportersSecondScrapeIsKnownLineForLine() async throws {
        let port = try PeerProcess.freePort()
        let peer = try PeerProcess("/usr/bin/prometheus-node-exporter", ["--web.listen-address=127.0.0.1:\(port)"])
        defer { peer.stop() }
        let url = "http://127.0.0.1:\(port)/metrics"
        let (firstBody, _) = try await PeerProcess.fetch(url, accept: "text/plain;version=0.0.4")
        var issues = ParseIssues()
        let first = MetricBatch.parse(Array(firstBody), format: .text, issues: &issues)
        let shape = try #require(MetricBatch.SeriesShape(first))
        let (secondBody, _) = try await PeerProcess.fetch(url, accept: "text/plain;version=0.0.4")
        let result = Self.parseBoth(String(decoding: secondBody, as: UTF8.self), table: first.symbols, shape: shape)
        #expect(result.guided.isIdentical(to: result.plain))
        #expect(result.plainIssues == result.guidedIssues)
        #expect(result.guided.samples.count > 100)
        #expect(Double(result.known) > 0.9 * Double(result.guided.samples.count), "\(result.known) known")
    }
}
