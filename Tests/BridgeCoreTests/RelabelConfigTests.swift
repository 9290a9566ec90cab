import BridgeCore
import Foundation
import Testing
import Yams

/// The part of a scrape config that holds relabel rules, as a loader would decode it.
private struct ScrapeSection: Decodable {
    let metric_relabel_configs: [RelabelConfig]
}

private func decode(_ yaml: String) throws -> [RelabelConfig] {
    try YAMLDecoder().decode(ScrapeSection.self, from: yaml).metric_relabel_configs
}

/// A bad rule and the exact message start-up must fail with.
let badRelabelConfigs: [(String, String)] = [
    (
        "- action: replce",
        #"metric_relabel_configs[0].action: invalid value "replce" (expected one of replace, keep, drop, keepequal, "#
            + "dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase)"
    ),
    (
        "- {source_labels: [a], action: hashmod, target_label: s}",
        #"metric_relabel_configs[0].modulus: invalid value "0" (expected a positive integer: the hashmod action needs modulus)"#
    ),
    (
        "- {source_labels: [a], target_label: 1abc}",
        #"metric_relabel_configs[0].target_label: invalid value "1abc" (expected a label name, optionally with $1 or ${name} references)"#
    ),
    (
        "- {source_labels: [a], action: labeldrop, regex: x}",
        #"metric_relabel_configs[0].source_labels: invalid value "a" (expected nothing: the labeldrop action takes only regex)"#
    ),
    (
        "- {regex: x, action: keep}\n- {sourcelabels: [a]}",
        #"metric_relabel_configs[1].sourcelabels: unknown key "sourcelabels" (did you mean source_labels?); keys "#
            + "here are source_labels, separator, target_label, regex, modulus, replacement, action"
    ),
    (
        "- {source_labels: [ok, bad-name]}",
        #"metric_relabel_configs[0].source_labels[1]: invalid value "bad-name" (expected a label name matching [a-zA-Z_][a-zA-Z0-9_]*)"#
    ),
    (
        "- {source_labels: [a], target_label: s, action: hashmod, modulus: abc}",
        #"metric_relabel_configs[0].modulus: invalid value "abc" (expected a non-negative integer)"#
    ),
    (
        "- {source_labels: [a], target_label: b, action: keepequal, regex: x}",
        #"metric_relabel_configs[0].regex: invalid value "x" (expected nothing: the keepequal action takes only source_labels and target_label)"#
    ),
    (
        "- {source_labels: [a], action: lowercase}",
        #"metric_relabel_configs[0].target_label: invalid value "" (expected a label name: the lowercase action needs target_label)"#
    ),
    (
        "- {source_labels: [a], action: labelmap, regex: x, replacement: 'a-b'}",
        #"metric_relabel_configs[0].replacement: invalid value "a-b" (expected a label name, optionally with $1 or ${name} references)"#
    ),
    ("- just a string", #"metric_relabel_configs[0]: invalid value "" (expected a mapping with relabel_config keys)"#),
    (
        "- {source_labels: a}",
        #"metric_relabel_configs[0].source_labels: invalid value "" (expected a list of label names)"#
    ),
]

@Suite struct RelabelConfigTests {
    @Test func omittedFieldsTakePrometheusDefaults() throws {
        let rules = try decode("metric_relabel_configs:\n  - source_labels: [a]\n    target_label: b\n")
        #expect(rules == [RelabelConfig(sourceLabels: ["a"], targetLabel: "b")])
        #expect(rules[0].separator == ";")
        #expect(rules[0].regex.pattern == "(.*)")
        #expect(rules[0].replacement == "$1")
        #expect(rules[0].action == .replace)
    }

    @Test func realisticFileDecodesUnchanged() throws {
        let url = try #require(
            Bundle.module.url(forResource: "Fixtures/relabel/kubelet-cadvisor", withExtension: "yml"))
        let rules = try decode(String(contentsOf: url, encoding: .utf8))
        #expect(rules.map(\.action) == [.drop, .drop, .labelDrop, .replace, .hashMod, .labelMap, .uppercase, .keep])
        #expect(rules[4].modulus == 4)
        #expect(rules[7].regex.pattern == "200")
        #expect(rules[1].regex.matches("container_last_seen;;"))
        let relabeled = Relabeler(rules).apply(to: [
            LabelPair("__name__", "container_cpu_usage_seconds_total"), LabelPair("id", "/kubepods/x"),
            LabelPair("image", "nginx@sha256:abc"), LabelPair("namespace", "200"), LabelPair("pod", "p"),
            LabelPair("container", "web"),
        ])
        #expect(
            relabeled == [
                LabelPair("__name__", "container_cpu_usage_seconds_total"), LabelPair("image", "nginx"),
                LabelPair("namespace", "200"), LabelPair("pod", "p"), LabelPair("container", "web"),
                LabelPair("shard", "1"), LabelPair("container_upper", "WEB"),
            ]
        )
    }

    @Test(arguments: badRelabelConfigs)
    func badRuleFailsWithPathValueAndExpectation(_ yaml: String, _ message: String) {
        let indented = yaml.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
        #expect {
            _ = try decode("metric_relabel_configs:\n" + indented + "\n")
        } throws: { error in
            ConfigurationError.from(error)?.description == message
        }
    }

    @Test func invalidRegexNamesTheRegex() {
        #expect {
            _ = try decode("metric_relabel_configs:\n  - {source_labels: [a], regex: '(unclosed', action: keep}\n")
        } throws: { error in
            let text = ConfigurationError.from(error)?.description ?? ""
            return text.hasPrefix(#"metric_relabel_configs[0].regex: invalid value "(unclosed" (expected a valid RE2"#)
        }
    }

    @Test func errorNamesTheFileWhenTheLoaderKnowsIt() {
        let error = ConfigurationError(path: "scrape.interval", value: "soon", expected: "a duration like 30s")
        #expect(
            error.inFile("/etc/stackbridge/config.yml").description
                == #"/etc/stackbridge/config.yml: scrape.interval: invalid value "soon" (expected a duration like 30s)"#
        )
    }
}
