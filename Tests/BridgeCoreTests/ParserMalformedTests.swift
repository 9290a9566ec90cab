import BridgeCore
import Testing

/// A malformed line: the exposition, the one issue it must produce, and proof that the next line survives.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    let input: String
    let format: ExpositionFormat
    let issue: String
    var testDescription: String { issue }

    init(_ input: String, _ issue: String, format: ExpositionFormat = .text) {
        self.input = input
        self.issue = issue
        self.format = format
    }
}

let malformedTextLines: [MalformedCase] = [
    MalformedCase(#"m{a="1" 1"#, #"line 2: expected "," or "}" after the value of label "a""#),
    MalformedCase(#"m{a=1} 1"#, #"line 2: expected a quoted value for label "a""#),
    MalformedCase(#"m{1a="x"} 1"#, #"line 2: invalid label name at "1a="x"} 1""#),
    MalformedCase(#"m{a"x"} 1"#, #"line 2: expected "=" after label name "a""#),
    MalformedCase(#"m{a="unterminated} 1"#, #"line 2: unterminated value of label "a""#),
    MalformedCase(#"m{a="1""#, #"line 2: unterminated label set of "m""#),
    MalformedCase(#"m{a="1",a="2"} 1"#, #"line 2: duplicate label "a" in "m""#),
    MalformedCase(#"m{__name__="x"} 1"#, #"line 2: label "__name__" repeats the metric name "m""#),
    MalformedCase("m abc", #"line 2: invalid value "abc" for "m""#),
    MalformedCase("m", #"line 2: missing value for "m""#),
    MalformedCase("m +NaN", #"line 2: invalid value "+NaN" for "m""#),
    MalformedCase("m 1e400", #"line 2: invalid value "1e400" for "m""#),
    MalformedCase("m 0x1.8", #"line 2: invalid value "0x1.8" for "m""#),
    MalformedCase("m 1__0", #"line 2: invalid value "1__0" for "m""#),
    MalformedCase("m 1 1.5", #"line 2: invalid timestamp "1.5" (expected integer milliseconds)"#),
    MalformedCase("m 1 2 3", #"line 2: unexpected text "3" after the value of "m""#),
    MalformedCase(##"m 1 # {a="b"} 1"##, ##"line 2: unexpected text "# {a="b"} 1" after the value of "m""##),
    MalformedCase("1m 1", #"line 2: invalid metric name "1m""#),
    MalformedCase(
        #"{__name__="m"} 1"#, #"line 2: metric name missing before "{" (quoted UTF-8 names are not supported)"#),
    MalformedCase("# TYPE m gaugee", #"line 2: unknown metric type "gaugee" for "m""#),
    MalformedCase("# TYPE m info", #"line 2: unknown metric type "info" for "m""#),
    MalformedCase("# TYPE m", #"line 2: unknown metric type "" for "m""#),
    MalformedCase("# HELP 1m text", #"line 2: invalid metric name "1m" in # HELP"#),
    MalformedCase("# HELP", "line 2: missing metric name after # HELP"),
]

let malformedOpenMetricsLines: [MalformedCase] = [
    MalformedCase("", "line 2: empty line (not allowed in OpenMetrics)", format: .openMetrics),
    MalformedCase(
        "# a comment", "line 2: unexpected comment line (OpenMetrics allows only HELP, TYPE, UNIT and EOF)",
        format: .openMetrics),
    MalformedCase("# TYPE m untyped", #"line 2: unknown metric type "untyped" for "m""#, format: .openMetrics),
    MalformedCase(
        "# UNIT foo seconds", #"line 2: unit "seconds" is not a suffix of the family name "foo""#, format: .openMetrics),
    MalformedCase("m 1 12:00", #"line 2: invalid timestamp "12:00" (expected seconds)"#, format: .openMetrics),
    MalformedCase("m 1 # trace", #"line 2: expected "{" to start the exemplar of "m""#, format: .openMetrics),
    MalformedCase(
        "m_total 1 # {trace_id=\"" + String(repeating: "x", count: 121) + "\"} 1",
        #"line 2: exemplar labels of "m_total" exceed 128 UTF-8 code points"#,
        format: .openMetrics
    ),
    MalformedCase(#"m 1 # {a="b"} x"#, #"line 2: invalid exemplar value after "{a="b"} x""#, format: .openMetrics),
]

@Suite struct ParserMalformedTests {
    @Test(arguments: malformedTextLines + malformedOpenMetricsLines)
    func badLineIsNamedCountedAndSkipped(_ testCase: MalformedCase) {
        let eof = testCase.format == .openMetrics ? "# EOF\n" : ""
        let (families, issues) = parse("before 1\n\(testCase.input)\nafter 2\n\(eof)", testCase.format)
        #expect(issues.count == 1)
        #expect(issues.kept.map(\.description) == [testCase.issue])
        #expect(families.flatMap(\.samples).map(\.name) == ["before", "after"])
    }

    @Test func invalidUTF8InLabelValueIsRejected() {
        var body = Array("before 1\nm{a=\"".utf8)
        body += [0xFF, 0xFE]
        body += Array("\"} 1\nafter 2\n".utf8)
        var issues = ParseIssues()
        let batch = MetricBatch.parse(body, format: .text, issues: &issues)
        #expect(issues.kept.map(\.description) == [#"line 2: value of label "a" is not valid UTF-8"#])
        #expect(batch.samples.count == 2)
    }

    @Test func missingEOFIsReportedButSamplesKept() {
        let (families, issues) = parse("m 1\nn 2\n", .openMetrics)
        #expect(issues.kept.map(\.description) == ["line 3: missing # EOF at the end of the OpenMetrics exposition"])
        #expect(families.count == 2)
    }

    @Test func contentAfterEOFStopsParsing() {
        let (families, issues) = parse("m 1\n# EOF\nn 2\n", .openMetrics)
        #expect(issues.kept.map(\.description) == ["line 3: content after # EOF"])
        #expect(families.map(\.name) == ["m"])
    }

    @Test func issuesAreCountedBeyondTheKeptLimit() {
        let body = (0..<100).map { "bad line \($0)\n" }.joined() + "good 1\n"
        let (families, issues) = parse(body)
        #expect(issues.count == 100)
        #expect(issues.kept.count == ParseIssues.keptLimit)
        #expect(issues.kept.first?.description == #"line 1: invalid value "line" for "bad""#)
        #expect(issues.kept.first?.line == 1)
        #expect(families.map(\.name) == ["good"])
    }

    @Test func longTokensAreCutInMessages() {
        let (_, issues) = parse("m " + String(repeating: "9x", count: 100) + "\n")
        let reason = issues.kept.first?.reason ?? ""
        #expect(reason.count < 100)
        #expect(reason.contains("…"))
    }

    @Test func metadataAfterSamplesStartsANewFamily() {
        let (families, issues) = parse("# TYPE m gauge\nm 1\n# HELP m late\nm 2\n")
        #expect(issues.isEmpty)
        #expect(families.map(\.help) == [nil, "late"])
        #expect(families.map(\.type) == [.gauge, nil])
    }
}
