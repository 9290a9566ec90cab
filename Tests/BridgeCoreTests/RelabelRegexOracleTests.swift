import BridgeCore
import BridgeTestPeers
import Foundation
import Testing

/// The relabel regex engine accepts and refuses what Prometheus 2.42 does and matches as it
/// does. The expected answers are not written down here: each case is put to Debian's Prometheus
/// 2.42 in the test as a PromQL `label_replace`, which compiles the regex exactly as a relabel
/// rule does (`regexp.Compile("^(?:" + regex + ")$")`) and expands the replacement with Go's
/// `Regexp.Expand`, as the `replace` action does.
@Suite(.serialized) struct RelabelRegexOracleTests {
    /// A pattern, values to match it against, and the replacement template to expand.
    struct OracleCase: Sendable, CustomTestStringConvertible {
        let pattern: String
        let values: [String]
        let template: String
        var testDescription: String { pattern }
        init(_ pattern: String, _ values: [String] = [], template: String = "$0|$1") {
            self.pattern = pattern
            self.values = values
            self.template = template
        }
    }

    static let cases: [OracleCase] = [
        // Backtracking-only syntax that RE2 (Go) refuses.
        OracleCase("(?=a)a"), OracleCase("(?!a)b"), OracleCase("(?<=a)b"), OracleCase(#"(a)\1"#),
        OracleCase("a*+"), OracleCase("a++"), OracleCase("a**"), OracleCase("a?*"), OracleCase("a*??"),
        OracleCase("a{2}{3}"), OracleCase("a{2}*"), OracleCase(#"\C"#), OracleCase(#"\Z"#), OracleCase("(?<n>a)"),
        OracleCase("(?>a)"), OracleCase(#"\8"#), OracleCase("[a-\\d]"), OracleCase("(a"), OracleCase("a)"),
        OracleCase("*a"), OracleCase("[z-a]"), OracleCase("(?P<1>a)"), OracleCase("(?x) a"),
        // Repetition counts: Go's limit is 1000, for nested repeats too.
        OracleCase("a{1001}"), OracleCase("a{1000}", [String(repeating: "a", count: 1000), "a"]),
        OracleCase("(a{1000}){1000}"), OracleCase("((a{10}){10}){10}", ["a"]), OracleCase("a{2,1}"),
        OracleCase("a{,3}", ["a{,3}", "aa"]), OracleCase("a{1", ["a{1"]),
        // Syntax Go accepts and Swift's engine did not, or treats differently.
        OracleCase(#"\pL+"#, ["abc", "ä", "1", "Ωmega"]), OracleCase(#"\p{Greek}+"#, ["αβγ", "abc"]),
        OracleCase(#"\PL"#, ["1", "a"]), OracleCase(#"\p{^Greek}"#, ["a", "α"]),
        OracleCase(#"\d+"#, ["123", "٣", "１２"]), OracleCase(#"\w+"#, ["abc_1", "é", "ab-c"]),
        OracleCase(#"\s"#, [" ", "\t", "\u{a0}", "\u{0b}"]), OracleCase(#"\S+"#, ["é", " "]),
        OracleCase("(?i)ß", ["ß", "ẞ", "SS", "ss"]), OracleCase("(?i)straße", ["STRASSE", "STRAẞE", "straße"]),
        OracleCase("(?i)k", ["K", "\u{212a}", "k"]), OracleCase("(?i)σ", ["Σ", "ς", "σ"]),
        OracleCase(".", ["\n", "é", "a", "😀"]), OracleCase(".*", ["a\nb", "abc", ""]),
        OracleCase("(.*)", ["a\nb", "abc"]), OracleCase("(?s).*", ["a\nb"]), OracleCase("(?m)^a$", ["a", "a\n"]),
        OracleCase("a$", ["a", "a\n"]), OracleCase(#"a\z"#, ["a"]), OracleCase(#"\Aa"#, ["a"]),
        OracleCase(#"\Q.*+\E"#, [".*+", "abc"]), OracleCase(#"\Q.*"#, [".*", ".*)$"]),
        OracleCase(#"\x41\x{42}\101"#, ["ABA"]), OracleCase(#"\0"#, ["\u{0}"]),
        OracleCase(#"[[:alpha:]]+"#, ["abc", "é"]),
        OracleCase(#"[[:word:]]+"#, ["a_1"]), OracleCase(#"[^a]"#, ["\n", "b", "a"]), OracleCase(#"\b"#, [""]),
        OracleCase("", ["", "a"]), OracleCase("a|", ["", "a", "b"]), OracleCase("a)|(b", ["a", "b", "ab"]),
        OracleCase("^abc$", ["abc"]), OracleCase("x*", ["", "xxx"]), OracleCase("(?U)(a+)(a*)", ["aaa"]),
        OracleCase("a*?", ["aa"]), OracleCase("(a+?)(a*)", ["aaa"]),
        // Captures: leftmost-first, groups that did not take part, names.
        OracleCase("(a|ab)(c|bcd)(d*)", ["abcd"], template: "$1-$2-$3"),
        OracleCase("(a)|(b)", ["b", "a"], template: "[$1][$2]"),
        OracleCase("(?P<host>[^:]+):(?P<port>\\d+)", ["example:80"], template: "${host}/$port/$3/${9}/$$"),
        OracleCase("(.*):(\\d+)", ["a:b:80"], template: "$1x$2"), OracleCase("(a*)*", ["b", ""], template: "<$1>"),
        OracleCase("(a*)+", ["aa"], template: "<$1>"), OracleCase("(a|b)*", ["abab"], template: "<$1>"),
        OracleCase("(a+)+b", [String(repeating: "a", count: 40) + "c", "aab"], template: "<$1>"),
    ]

    @Test func acceptsAndMatchesAsPrometheus242() async throws {
        let prometheus = try PrometheusServer(configuration: "global: {}\n")
        defer { prometheus.stop() }
        try await prometheus.waitUntilReady()
        var checkedMatches = 0
        for oracleCase in Self.cases {
            let probe = #"label_replace(vector(1), "m", "x", "v", \#(Self.quoted(oracleCase.pattern)))"#
            let answer = try await PromQL.evaluate(prometheus.url, probe)
            let prometheusAccepts = answer.status == "success"
            let ours = Result { try RelabelRegex(oracleCase.pattern) }
            switch (prometheusAccepts, ours) {
            case (true, .failure(let error)):
                Issue.record("\(Self.quoted(oracleCase.pattern)): Prometheus accepts it, we refuse: \(error)")
                continue
            case (false, .success):
                Issue.record(
                    "\(Self.quoted(oracleCase.pattern)): Prometheus refuses it (\(answer.error ?? "")), we accept")
                continue
            case (false, .failure): continue
            case (true, .success(let regex)):
                for value in oracleCase.values {
                    let expected = try await Self.prometheusReplacement(
                        prometheus.url, pattern: oracleCase.pattern, value: value, template: oracleCase.template)
                    let actual = regex.match(value).map { "M:" + RelabelRegex.expand(oracleCase.template, with: $0) }
                    #expect(
                        actual == expected,
                        "\(Self.quoted(oracleCase.pattern)) on \(Self.quoted(value)): Prometheus \(String(describing: expected)), we \(String(describing: actual))"
                    )
                    #expect(
                        regex.matches(value) == (expected != nil),
                        "\(Self.quoted(oracleCase.pattern)) on \(Self.quoted(value))")
                    checkedMatches += 1
                }
            }
        }
        #expect(checkedMatches > 80)
    }

    /// `(a+)+b` takes exponential time in a backtracking engine (2^30 steps at 30 characters);
    /// RE2 takes linear time, so a megabyte value finishes. The time limit fails the test rather
    /// than letting it hang should a backtracking engine come back.
    @Test(.timeLimit(.minutes(1))) func catastrophicPatternsRunInLinearTime() throws {
        let regex = try RelabelRegex("(a+)+b")
        let value = String(repeating: "a", count: 1 << 20) + "c"
        #expect(!regex.matches(value))
        #expect(regex.match(value) == nil)
        let nested = try RelabelRegex("(x+x+)+y")
        #expect(!nested.matches(String(repeating: "x", count: 1 << 18)))
        var rules = [RelabelConfig(sourceLabels: ["v"], regex: regex, action: .drop)]
        rules.append(RelabelConfig(sourceLabels: ["v"], targetLabel: "w", regex: nested, replacement: "$1"))
        let relabeler = Relabeler(rules)
        let labels = relabeler.apply(to: [LabelPair("__name__", "r"), LabelPair("v", value)])
        #expect(labels?.contains { $0.name == "v" } == true)
    }

    /// The `m` label `label_replace` gives, `M:` + the expansion, or nil when the regex does not
    /// match (the series comes back unchanged).
    static func prometheusReplacement(_ base: String, pattern: String, value: String, template: String)
        async throws -> String?
    {
        // The inner label_replace sets v to the value: regex "" matches the absent source label,
        // and `$` is doubled so the value is taken literally.
        let setValue =
            #"label_replace(vector(1), "v", \#(quoted(value.replacingOccurrences(of: "$", with: "$$"))), "", "")"#
        let query = #"label_replace(\#(setValue), "m", \#(quoted("M:" + template)), "v", \#(quoted(pattern)))"#
        let result = try await PromQL.query(base, query)
        try #require(result.count == 1, "\(query): \(result)")
        return result[0].labels["m"]
    }

    /// A PromQL double-quoted string (Go escapes).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
