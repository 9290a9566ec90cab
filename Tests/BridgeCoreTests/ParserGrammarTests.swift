import BridgeCore
import Testing

/// One grammar case: an exposition and the families it must parse to, without any issue.
struct GrammarCase: CustomTestStringConvertible, Sendable {
    let name: String
    let format: ExpositionFormat
    let input: String
    let expected: [MetricFamilyValue]
    var testDescription: String { name }
}

private func family(
    _ name: String,
    _ type: MetricType?,
    help: String? = nil,
    unit: String? = nil,
    _ samples: [MetricSampleValue]
) -> MetricFamilyValue {
    MetricFamilyValue(name: name, type: type, help: help, unit: unit, samples: samples)
}

private func family(_ name: String, help: String? = nil, _ samples: [MetricSampleValue]) -> MetricFamilyValue {
    MetricFamilyValue(name: name, help: help, samples: samples)
}

let textGrammarCases: [GrammarCase] = [
    GrammarCase(name: "bare sample", format: .text, input: "m 1\n", expected: [family("m", [sample("m", [], 1)])]),
    GrammarCase(
        name: "no trailing newline and CRLF endings",
        format: .text,
        input: "a 1\r\nb 2",
        expected: [family("a", [sample("a", [], 1)]), family("b", [sample("b", [], 2)])]
    ),
    GrammarCase(
        name: "help escapes backslash and newline only",
        format: .text,
        input: "# HELP m a\\\\b\\nc \\\"q\\\" \\t\n# TYPE m gauge\nm 1\n",
        expected: [family("m", .gauge, help: "a\\b\nc \\\"q\\\" \\t", [sample("m", [], 1)])]
    ),
    GrammarCase(
        name: "label value escapes; unknown escapes kept",
        format: .text,
        input: "m{a=\"x\\\\y\\\"z\\nw\",b=\"\\t\"} 1\n",
        expected: [family("m", [sample("m", [("a", "x\\y\"z\nw"), ("b", "\\t")], 1)])]
    ),
    GrammarCase(
        name: "trailing comma and empty braces",
        format: .text,
        input: "m{a=\"1\",} 1\nn{} 2\n",
        expected: [family("m", [sample("m", [("a", "1")], 1)]), family("n", [sample("n", [], 2)])]
    ),
    GrammarCase(
        name: "blanks and tabs between tokens",
        format: .text,
        input: "  m { a = \"1\" ,\tb=\"2\" }  \t 1 \t 123  \n",
        expected: [family("m", [sample("m", [("a", "1"), ("b", "2")], 1, timestamp: 123)])]
    ),
    GrammarCase(
        name: "negative and extreme millisecond timestamps",
        format: .text,
        input: "m 1 -1500\nm 2 9223372036854775807\n",
        expected: [family("m", [sample("m", [], 1, timestamp: -1500), sample("m", [], 2, timestamp: .max)])]
    ),
    GrammarCase(
        name: "float spellings of Go's ParseFloat",
        format: .text,
        input: "v 1.7560473e+07\nv 0x1p-2\nv 1_000\nv .5\nv 5.\nv Infinity\nv -inf\nv +Inf\nv 1E3\nv -0\n",
        expected: [
            family(
                "v",
                [1.7560473e+07, 0.25, 1000, 0.5, 5, .infinity, -.infinity, .infinity, 1000, -0.0].map {
                    sample("v", [], $0)
                }
            )
        ]
    ),
    GrammarCase(
        name: "NaN",
        format: .text,
        input: "v NaN\nv nan\n",
        expected: [family("v", [sample("v", [], .nan), sample("v", [], .nan)])]
    ),
    GrammarCase(
        name: "histogram groups buckets, sum and count",
        format: .text,
        input: """
            # HELP h Latency.
            # TYPE h histogram
            h_bucket{le="0.1"} 1
            h_bucket{le="+Inf"} 3
            h_sum 2.5
            h_count 3
            after 1

            """,
        expected: [
            family(
                "h",
                .histogram,
                help: "Latency.",
                [
                    sample("h_bucket", [("le", "0.1")], 1), sample("h_bucket", [("le", "+Inf")], 3),
                    sample("h_sum", [], 2.5), sample("h_count", [], 3),
                ]
            ),
            family("after", [sample("after", [], 1)]),
        ]
    ),
    GrammarCase(
        name: "summary groups quantiles, sum and count",
        format: .text,
        input: "# TYPE s summary\ns{quantile=\"0.5\"} 4\ns_sum 10\ns_count 2\n",
        expected: [
            family(
                "s",
                .summary,
                [sample("s", [("quantile", "0.5")], 4), sample("s_sum", [], 10), sample("s_count", [], 2)]
            )
        ]
    ),
    GrammarCase(
        name: "counter with _total, untyped, comments and empty lines",
        format: .text,
        input: "# a comment\n\n# TYPE c_total counter\nc_total 3\n# TYPE u untyped\nu 1\n",
        expected: [
            family("c_total", .counter, [sample("c_total", [], 3)]), family("u", .unknown, [sample("u", [], 1)]),
        ]
    ),
    GrammarCase(
        name: "UTF-8 label values",
        format: .text,
        input: "m{a=\"ümlaut ✓ 日本\"} 1\n",
        expected: [family("m", [sample("m", [("a", "ümlaut ✓ 日本")], 1)])]
    ),
]

let openMetricsGrammarCases: [GrammarCase] = [
    GrammarCase(
        name: "counter with unit, help, _total and _created",
        format: .openMetrics,
        input: """
            # TYPE foo_seconds counter
            # UNIT foo_seconds seconds
            # HELP foo_seconds Time \\"spent\\".
            foo_seconds_total 1
            foo_seconds_created 1605281325.5
            # EOF

            """,
        expected: [
            family(
                "foo_seconds",
                .counter,
                help: "Time \"spent\".",
                unit: "seconds",
                [sample("foo_seconds_total", [], 1), sample("foo_seconds_created", [], 1_605_281_325.5)]
            )
        ]
    ),
    GrammarCase(
        name: "timestamps are seconds",
        format: .openMetrics,
        input: "m 1 1605281325.123\nm 2 -1.5\n# EOF\n",
        expected: [
            family("m", [sample("m", [], 1, timestamp: 1_605_281_325_123), sample("m", [], 2, timestamp: -1500)])
        ]
    ),
    GrammarCase(
        name: "exemplars on buckets",
        format: .openMetrics,
        input: """
            # TYPE h histogram
            h_bucket{le="1.0"} 2 # {trace_id="abc"} 0.5 1605281325.0
            h_bucket{le="+Inf"} 3 # {} 7
            h_count 3
            h_sum 2
            # EOF

            """,
        expected: [
            family(
                "h",
                .histogram,
                [
                    sample(
                        "h_bucket",
                        [("le", "1.0")],
                        2,
                        exemplar: ExemplarValue(
                            labels: [LabelPair("trace_id", "abc")], value: 0.5, timestamp: 1_605_281_325_000)
                    ),
                    sample("h_bucket", [("le", "+Inf")], 3, exemplar: ExemplarValue(labels: [], value: 7)),
                    sample("h_count", [], 3), sample("h_sum", [], 2),
                ]
            )
        ]
    ),
    GrammarCase(
        name: "info, stateset, gaugehistogram and unknown",
        format: .openMetrics,
        input: """
            # TYPE build info
            build_info{version="1.2"} 1
            # TYPE st stateset
            st{st="a"} 1
            st{st="b"} 0
            # TYPE g gaugehistogram
            g_bucket{le="+Inf"} 4
            g_gcount 4
            g_gsum 9
            # TYPE x unknown
            x 5
            # EOF

            """,
        expected: [
            family("build", .info, [sample("build_info", [("version", "1.2")], 1)]),
            family("st", .stateset, [sample("st", [("st", "a")], 1), sample("st", [("st", "b")], 0)]),
            family(
                "g",
                .gaugeHistogram,
                [sample("g_bucket", [("le", "+Inf")], 4), sample("g_gcount", [], 4), sample("g_gsum", [], 9)]
            ),
            family("x", .unknown, [sample("x", [], 5)]),
        ]
    ),
    GrammarCase(
        name: "help keeps leading blanks after the single separator",
        format: .openMetrics,
        input: "# HELP m   indented\nm 1\n# EOF\n",
        expected: [family("m", help: "  indented", [sample("m", [], 1)])]
    ),
]

@Suite struct ParserGrammarTests {
    @Test(arguments: textGrammarCases + openMetricsGrammarCases)
    func parsesValidExpositions(_ testCase: GrammarCase) {
        let (families, issues) = parse(testCase.input, testCase.format)
        #expect(issues.kept == [])
        #expect(families == testCase.expected)
    }
}
