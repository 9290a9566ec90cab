import Testing

@testable import BridgeCore

/// A relabel case: rules, the input labels, and the outcome Prometheus' documented semantics give
/// (configuration.md `<relabel_config>`, Go `regexp.Expand`); nil means the series is dropped.
struct RelabelCase: CustomTestStringConvertible, Sendable {
    let name: String
    let rules: [RelabelConfig]
    let input: [(String, String)]
    let expected: [(String, String)]?
    var testDescription: String { name }
}

private func regex(_ pattern: String) -> RelabelRegex {
    try! RelabelRegex(pattern)
}

let relabelCases: [RelabelCase] = [
    RelabelCase(
        name: "replace with defaults copies the source",
        rules: [RelabelConfig(sourceLabels: ["a"], targetLabel: "b")],
        input: [("a", "x")],
        expected: [("a", "x"), ("b", "x")]
    ),
    RelabelCase(
        name: "replace with numbered and braced groups",
        rules: [
            RelabelConfig(
                sourceLabels: ["__address__"],
                targetLabel: "host",
                regex: regex(#"(.*):(\d+)"#),
                replacement: "${1}-$2"
            )
        ],
        input: [("__address__", "example:80")],
        expected: [("__address__", "example:80"), ("host", "example-80")]
    ),
    RelabelCase(
        name: "replace with named groups",
        rules: [
            RelabelConfig(
                sourceLabels: ["__address__"],
                targetLabel: "where",
                regex: regex(#"(?P<host>[^:]+):(?P<port>\d+)"#),
                replacement: "$host/${port}"
            )
        ],
        input: [("__address__", "example:80")],
        expected: [("__address__", "example:80"), ("where", "example/80")]
    ),
    RelabelCase(
        name: "replace without a match changes nothing",
        rules: [RelabelConfig(sourceLabels: ["a"], targetLabel: "b", regex: regex("y"), replacement: "z")],
        input: [("a", "x"), ("b", "keep")],
        expected: [("a", "x"), ("b", "keep")]
    ),
    RelabelCase(
        name: "replace with an empty result deletes the target",
        rules: [RelabelConfig(sourceLabels: ["missing"], targetLabel: "a")],
        input: [("a", "x"), ("b", "y")],
        expected: [("b", "y")]
    ),
    RelabelCase(
        name: "sources joined by the separator; missing sources are empty",
        rules: [
            RelabelConfig(
                sourceLabels: ["a", "gone", "b"],
                separator: "/",
                targetLabel: "c",
                regex: regex("x//(.*)"),
                replacement: "got $1"
            )
        ],
        input: [("a", "x"), ("b", "y")],
        expected: [("a", "x"), ("b", "y"), ("c", "got y")]
    ),
    RelabelCase(
        name: "target label built from a group",
        rules: [RelabelConfig(sourceLabels: ["a"], targetLabel: "label_$1", replacement: "v")],
        input: [("a", "foo")],
        expected: [("a", "foo"), ("label_foo", "v")]
    ),
    RelabelCase(
        name: "$1x names group 1x, which does not exist, so the target is deleted",
        rules: [RelabelConfig(sourceLabels: ["a"], targetLabel: "t", replacement: "$1x")],
        input: [("a", "f"), ("t", "old")],
        expected: [("a", "f")]
    ),
    RelabelCase(
        name: "${1}x, $$ and a dangling $",
        rules: [RelabelConfig(sourceLabels: ["a"], targetLabel: "t", replacement: "${1}x $$ $ ${")],
        input: [("a", "f")],
        expected: [("a", "f"), ("t", "fx $ $ ${")]
    ),
    RelabelCase(
        name: "regex is anchored at both ends",
        rules: [RelabelConfig(sourceLabels: ["a"], regex: regex("foo|b"), action: .keep)],
        input: [("a", "foobar")],
        expected: nil
    ),
    RelabelCase(
        name: "keep on a match",
        rules: [RelabelConfig(sourceLabels: ["__name__"], regex: regex("container_.*"), action: .keep)],
        input: [("__name__", "container_cpu")],
        expected: [("__name__", "container_cpu")]
    ),
    RelabelCase(
        name: "keep drops a missing label against .+",
        rules: [RelabelConfig(sourceLabels: ["pod"], regex: regex(".+"), action: .keep)],
        input: [("__name__", "m")],
        expected: nil
    ),
    RelabelCase(
        name: "keep with the default regex keeps a missing label (empty matches)",
        rules: [RelabelConfig(sourceLabels: ["pod"], action: .keep)],
        input: [("__name__", "m")],
        expected: [("__name__", "m")]
    ),
    RelabelCase(
        name: "drop on a match",
        rules: [RelabelConfig(sourceLabels: ["namespace"], regex: regex("kube-.*"), action: .drop)],
        input: [("namespace", "kube-system")],
        expected: nil
    ),
    RelabelCase(
        name: "drop keeps what does not match",
        rules: [RelabelConfig(sourceLabels: ["namespace"], regex: regex("kube-.*"), action: .drop)],
        input: [("namespace", "default")],
        expected: [("namespace", "default")]
    ),
    RelabelCase(
        name: "keepequal keeps equal values",
        rules: [RelabelConfig(sourceLabels: ["a"], targetLabel: "b", action: .keepEqual)],
        input: [("a", "1"), ("b", "1")],
        expected: [("a", "1"), ("b", "1")]
    ),
    RelabelCase(
        name: "keepequal drops different values",
        rules: [RelabelConfig(sourceLabels: ["a"], targetLabel: "b", action: .keepEqual)],
        input: [("a", "1"), ("b", "2")],
        expected: nil
    ),
    RelabelCase(
        name: "dropequal drops equal joined values",
        rules: [RelabelConfig(sourceLabels: ["a", "b"], targetLabel: "c", action: .dropEqual)],
        input: [("a", "x"), ("b", "y"), ("c", "x;y")],
        expected: nil
    ),
    RelabelCase(
        name: "hashmod: last 8 bytes of MD5, big-endian, modulo",
        rules: [
            RelabelConfig(sourceLabels: ["a"], targetLabel: "shard", modulus: 10, action: .hashMod),
            RelabelConfig(sourceLabels: ["b"], targetLabel: "shard_b", modulus: 8, action: .hashMod),
            RelabelConfig(sourceLabels: ["pod", "ns"], targetLabel: "shard_c", modulus: 1000, action: .hashMod),
            RelabelConfig(sourceLabels: ["missing"], targetLabel: "shard_d", modulus: 5, action: .hashMod),
        ],
        input: [("a", "foo"), ("b", "10.0.0.1:9100"), ("pod", "pod-a"), ("ns", "default")],
        expected: [
            ("a", "foo"), ("b", "10.0.0.1:9100"), ("pod", "pod-a"), ("ns", "default"), ("shard", "6"), ("shard_b", "5"),
            ("shard_c", "295"), ("shard_d", "3"),
        ]
    ),
    RelabelCase(
        name: "labelmap copies matching names and keeps the originals",
        rules: [RelabelConfig(regex: regex("__meta_pod_label_(.+)"), replacement: "$1", action: .labelMap)],
        input: [("__meta_pod_label_app", "api"), ("__meta_pod_label_tier", "web"), ("other", "x")],
        expected: [
            ("__meta_pod_label_app", "api"), ("__meta_pod_label_tier", "web"), ("other", "x"), ("app", "api"),
            ("tier", "web"),
        ]
    ),
    RelabelCase(
        name: "labeldrop removes matching names",
        rules: [RelabelConfig(regex: regex("id|name"), action: .labelDrop)],
        input: [("id", "/kubepods"), ("name", "abc"), ("pod", "p"), ("ident", "kept")],
        expected: [("pod", "p"), ("ident", "kept")]
    ),
    RelabelCase(
        name: "labelkeep keeps only matching names",
        rules: [RelabelConfig(regex: regex("__name__|namespace|pod"), action: .labelKeep)],
        input: [("__name__", "m"), ("id", "x"), ("namespace", "n"), ("pod", "p")],
        expected: [("__name__", "m"), ("namespace", "n"), ("pod", "p")]
    ),
    RelabelCase(
        name: "lowercase and uppercase write the target",
        rules: [
            RelabelConfig(sourceLabels: ["a"], targetLabel: "lower", action: .lowercase),
            RelabelConfig(sourceLabels: ["a", "b"], targetLabel: "upper", action: .uppercase),
        ],
        input: [("a", "MiXeD Ä"), ("b", "x")],
        expected: [("a", "MiXeD Ä"), ("b", "x"), ("lower", "mixed ä"), ("upper", "MIXED Ä;X")]
    ),
    RelabelCase(
        name: "regex matches Unicode scalars, as RE2 does",
        rules: [RelabelConfig(sourceLabels: ["a"], targetLabel: "n", regex: regex("e(.)"), replacement: "[$1]")],
        input: [("a", "e\u{301}")],
        expected: [("a", "e\u{301}"), ("n", "[\u{301}]")]
    ),
    RelabelCase(
        name: "rules apply in order, each seeing the previous result",
        rules: [
            RelabelConfig(sourceLabels: ["a"], targetLabel: "b", regex: regex("(.)(.)"), replacement: "$2$1"),
            RelabelConfig(sourceLabels: ["b"], regex: regex("yx"), action: .keep),
            RelabelConfig(regex: regex("a"), action: .labelDrop),
        ],
        input: [("a", "xy")],
        expected: [("b", "yx")]
    ),
]

@Suite struct RelabelTests {
    @Test(arguments: relabelCases)
    func actionOutcome(_ testCase: RelabelCase) throws {
        for (index, rule) in testCase.rules.enumerated() { try rule.validate(path: "rules[\(index)]") }
        let result = Relabeler(testCase.rules).apply(to: testCase.input.map { LabelPair($0.0, $0.1) })
        #expect(result == testCase.expected.map { $0.map { LabelPair($0.0, $0.1) } })
    }

    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"), ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func md5MatchesRFC1321(_ message: String, _ digest: String) {
        let hex = MD5.digest(Array(message.utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(hex == digest)
    }

    @Test func batchRelabelRenamesMovesAndDrops() {
        let input = """
            # HELP a_total A.
            # TYPE a_total counter
            a_total{pod="p1",id="x"} 1
            a_total{pod="p2",id="y"} 2
            # TYPE gone gauge
            gone{pod="p1"} 3
            # TYPE b gauge
            b{pod="p1"} 4

            """
        var issues = ParseIssues()
        var batch = MetricBatch.parse(Array(input.utf8), format: .text, issues: &issues)
        let relabeler = Relabeler([
            RelabelConfig(sourceLabels: ["__name__"], regex: regex("gone"), action: .drop),
            RelabelConfig(
                sourceLabels: ["__name__", "pod"],
                targetLabel: "__name__",
                regex: regex("a_total;p2"),
                replacement: "renamed_total"
            ),
            RelabelConfig(regex: regex("id"), action: .labelDrop),
        ])
        #expect(relabeler.apply(to: &batch) == 1)
        let expected = """
            # HELP a_total A.
            # TYPE a_total counter
            a_total{pod="p1"} 1
            # TYPE b gauge
            b{pod="p1"} 4
            renamed_total{pod="p2"} 2

            """
        #expect(ExpositionWriter(format: .text).string(batch) == expected)
    }

    @Test func batchRelabelKeepsExemplars() {
        let input = "# TYPE c counter\nc_total{a=\"1\"} 1 # {trace=\"t\"} 2\n# EOF\n"
        var issues = ParseIssues()
        var batch = MetricBatch.parse(Array(input.utf8), format: .openMetrics, issues: &issues)
        Relabeler([RelabelConfig(sourceLabels: ["a"], targetLabel: "b")]).apply(to: &batch)
        #expect(
            ExpositionWriter(format: .openMetrics).string(batch)
                == "# TYPE c counter\nc_total{a=\"1\",b=\"1\"} 1 # {trace=\"t\"} 2\n# EOF\n"
        )
    }

    @Test func renamingToAnInvalidMetricNameDropsTheSample() {
        var issues = ParseIssues()
        var batch = MetricBatch.parse(Array("m{a=\"x-y\"} 1\nn{a=\"ok\"} 2\n".utf8), format: .text, issues: &issues)
        let rule = RelabelConfig(sourceLabels: ["a"], targetLabel: "__name__")
        #expect(Relabeler([rule]).apply(to: &batch) == 1)
        #expect(ExpositionWriter(format: .text).string(batch) == "ok{a=\"ok\"} 2\n")
    }

    @Test func removingTheNameDropsTheSample() {
        var issues = ParseIssues()
        var batch = MetricBatch.parse(Array("m{a=\"1\"} 1\nn 2\n".utf8), format: .text, issues: &issues)
        let dropped = Relabeler([RelabelConfig(regex: regex("__name__|a"), action: .labelDrop)]).apply(to: &batch)
        #expect(dropped == 2)
        #expect(batch.samples.isEmpty)
    }
}
