import BridgeCore
import BridgeTestSupport
import Testing

@Suite struct WriterTests {
    @Test func textRoundTripDropsTimestampsByDefault() {
        let input = """
            # HELP http_requests_total Requests "served".\\nSecond line \\\\ done.
            # TYPE http_requests_total counter
            http_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 1027 1395066363000
            http_requests_total{code="500",path="/"} 3 1395066363000
            # TYPE latency histogram
            latency_bucket{le="0.05"} 24054
            latency_bucket{le="+Inf"} 144320
            latency_sum 53423
            latency_count 144320
            plain NaN
            inf_value -Inf

            """
        let expected = """
            # HELP http_requests_total Requests "served".\\nSecond line \\\\ done.
            # TYPE http_requests_total counter
            http_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 1027
            http_requests_total{code="500",path="/"} 3
            # TYPE latency histogram
            latency_bucket{le="0.05"} 24054
            latency_bucket{le="+Inf"} 144320
            latency_sum 53423
            latency_count 144320
            plain NaN
            inf_value -Inf

            """
        #expect(rewrite(input) == expected)
    }

    @Test func timestampsOnlyWhenAsked() {
        var issues = ParseIssues()
        let batch = MetricBatch.parse(Array("m 1 1395066363000\n".utf8), format: .text, issues: &issues)
        #expect(ExpositionWriter(format: .text, includeTimestamps: true).string(batch) == "m 1 1395066363000\n")
        #expect(
            ExpositionWriter(format: .openMetrics, includeTimestamps: true).string(batch) == "m 1 1395066363\n# EOF\n"
        )
        #expect(ExpositionWriter(format: .text).string(batch) == "m 1\n")
    }

    @Test func textToOpenMetricsKeepsSeriesNamesAndAdaptsMetadata() {
        let input = """
            # HELP c_total Total \\ things "quoted".
            # TYPE c_total counter
            c_total 3
            # TYPE requests counter
            requests 5
            # TYPE u untyped
            u 1

            """
        let expected = """
            # HELP c Total \\\\ things \\"quoted\\".
            # TYPE c counter
            c_total 3
            # TYPE requests unknown
            requests 5
            # TYPE u unknown
            u 1
            # EOF

            """
        #expect(rewrite(input, .text, as: .openMetrics) == expected)
    }

    @Test func openMetricsToTextAdaptsTypesAndDropsWhatTextCannotCarry() {
        let input = """
            # TYPE foo_seconds counter
            # UNIT foo_seconds seconds
            # HELP foo_seconds Time spent.
            foo_seconds_total 1 # {trace_id="a"} 1
            foo_seconds_created 1605281325.5
            # TYPE build info
            build_info{version="1"} 1
            # TYPE st stateset
            st{st="a"} 1
            # TYPE g gaugehistogram
            g_bucket{le="+Inf"} 4
            g_gcount 4
            g_gsum 9
            # EOF

            """
        let expected = """
            # HELP foo_seconds_total Time spent.
            # TYPE foo_seconds_total counter
            foo_seconds_total 1
            foo_seconds_created 1605281325.5
            # TYPE build_info untyped
            build_info{version="1"} 1
            # TYPE st untyped
            st{st="a"} 1
            g_bucket{le="+Inf"} 4
            g_gcount 4
            g_gsum 9

            """
        #expect(rewrite(input, .openMetrics, as: .text) == expected)
    }

    @Test func openMetricsRoundTripKeepsExemplarsAndUnits() {
        let input = """
            # TYPE foo_seconds counter
            # UNIT foo_seconds seconds
            foo_seconds_total 1 # {trace_id="a"} 0.5 1605281325.25
            # TYPE h histogram
            h_bucket{le="1.0"} 2 # {} 7
            h_bucket{le="+Inf"} 3
            h_count 3
            h_sum 2
            # EOF

            """
        #expect(rewrite(input, .openMetrics) == input)
    }

    @Test(arguments: [
        (1.0, "1"), (-0.0, "-0"), (0.1, "0.1"), (123_456.789, "123456.789"), (1e15, "1000000000000000"),
        (9_007_199_254_740_992, "9007199254740992"), (1e16, "1e+16"), (-42, "-42"),
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (1e-7, "1e-07"),
        (999_999_999_999_999, "999999999999999"), (0.30000000000000004, "0.30000000000000004"),
    ])
    func valueSpelling(_ value: Double, _ expected: String) {
        var output: [UInt8] = []
        NumberFormatting.appendValue(value, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == expected)
        #expect(
            GoFloatParser.parse(expected).map { $0.bitPattern == value.bitPattern || $0.isNaN && value.isNaN } == true)
    }

    @Test(arguments: [
        (Int64(1_605_281_325_123), "1605281325.123"), (1500, "1.5"), (-1500, "-1.5"), (1000, "1"), (1, "0.001"),
        (10, "0.01"), (0, "0"),
    ])
    func openMetricsTimestampSpelling(_ milliseconds: Int64, _ expected: String) {
        var output: [UInt8] = []
        NumberFormatting.appendTimestamp(milliseconds, format: .openMetrics, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }

    @Test func generatedKubeletBodySurvivesUnchangedApartFromTimestamps() {
        let body = CadvisorBodyGenerator(pods: 20).body()
        var issues = ParseIssues()
        let batch = MetricBatch.parse(body, format: .text, issues: &issues)
        #expect(issues.isEmpty)
        #expect(batch.samples.count == 20 * 2 * 14)
        let written = ExpositionWriter(format: .text, includeTimestamps: true).string(batch)
        let original = String(decoding: body, as: UTF8.self)
        #expect(ExpositionDiff.diff(expected: original, actual: written) == "")
    }
}

@Suite struct MergingWriterTests {
    @Test func familiesSharedByTargetsAreWrittenOnce() {
        var issues = ParseIssues()
        let nodeA = MetricBatch.parse(
            Array("# HELP up Up.\n# TYPE up gauge\nup{node=\"a\"} 1\nonly_a 1\n".utf8), format: .text, issues: &issues)
        let nodeB = MetricBatch.parse(
            Array("# HELP up Up.\n# TYPE up gauge\nup{node=\"b\"} 0\n# TYPE only_b counter\nonly_b 2\n".utf8),
            format: .text,
            issues: &issues)
        let expected = """
            # HELP up Up.
            # TYPE up gauge
            up{node="a"} 1
            up{node="b"} 0
            only_a 1
            # TYPE only_b counter
            only_b 2

            """
        var output: [UInt8] = []
        ExpositionWriter(format: .text).emit(merging: [nodeA, nodeB], into: &output)
        #expect(String(decoding: output, as: UTF8.self) == expected)
        var openMetrics: [UInt8] = []
        ExpositionWriter(format: .openMetrics).emit(merging: [nodeA, nodeB], into: &openMetrics)
        var reparsedIssues = ParseIssues()
        let reparsed = MetricBatch.parse(openMetrics, format: .openMetrics, issues: &reparsedIssues)
        #expect(reparsedIssues.isEmpty)
        #expect(reparsed.samples.count == 4)
    }
}
