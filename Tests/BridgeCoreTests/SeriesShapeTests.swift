import Testing

@testable import BridgeCore

/// A scrape's series shape says whether a new scrape exposes the same series in the same order.
@Suite struct SeriesShapeTests {
    static let body =
        "# TYPE a gauge\na{pod=\"p1\",ns=\"x\"} 1\na{pod=\"p2\",ns=\"x\"} 2\n# TYPE b counter\nb_total 3\n"

    /// `text` parsed into the table of `last`, as the scrape processor reuses it.
    static func parse(_ text: String, after last: MetricBatch) -> MetricBatch {
        var issues = ParseIssues()
        return MetricBatch.parse(Array(text.utf8), format: .text, symbols: last.symbols, issues: &issues)
    }

    @Test func theSameSeriesWithOtherValuesHaveTheShapeAndAnyOtherChangeHasNot() throws {
        var issues = ParseIssues()
        let first = MetricBatch.parse(Array(Self.body.utf8), format: .text, issues: &issues)
        let shape = try #require(MetricBatch.SeriesShape(first))
        #expect(shape.describes(first))
        let revalued = Self.body.replacingOccurrences(of: "} 2", with: "} 7").replacingOccurrences(
            of: "b_total 3", with: "b_total 4 1700000000000")
        #expect(shape.describes(Self.parse(revalued, after: first)))
        let changes = [
            Self.body.replacingOccurrences(of: "p2", with: "p3"),  // a label value
            Self.body.replacingOccurrences(of: "pod=\"p2\",ns=\"x\"", with: "ns=\"x\",pod=\"p2\""),  // label order
            Self.body.replacingOccurrences(of: "a{pod=\"p2\",ns=\"x\"} 2\n", with: ""),  // a series fewer
            Self.body + "b_total{x=\"1\"} 5\n",  // a series more
            Self.body.replacingOccurrences(of: "# TYPE b counter", with: "# TYPE b gauge"),  // metadata
            "# HELP a the a.\n" + Self.body,  // help text
        ]
        for change in changes {
            #expect(!shape.describes(Self.parse(change, after: first)), "\(change)")
        }
    }

    @Test func batchesWithExemplarsHaveNoShape() {
        var issues = ParseIssues()
        let body = "# TYPE c counter\nc_total 1 # {trace_id=\"x\"} 1\n# EOF\n"
        let batch = MetricBatch.parse(Array(body.utf8), format: .openMetrics, issues: &issues)
        #expect(batch.exemplars.count == 1)
        #expect(MetricBatch.SeriesShape(batch) == nil)
    }
}
