/// A readable difference between two expositions, compared as sorted lines (order-insensitive, as
/// kube-state-metrics' tests compare them).
public enum ExpositionDiff {
    /// Lines only in `expected` prefixed `- `, lines only in `actual` prefixed `+ `; empty when equal.
    public static func diff(expected: String, actual: String) -> String {
        var remaining: [Substring: Int] = [:]
        for line in expected.split(separator: "\n") { remaining[line, default: 0] += 1 }
        var extra: [Substring] = []
        for line in actual.split(separator: "\n") {
            if let count = remaining[line], count > 0 {
                remaining[line] = count - 1
            } else {
                extra.append(line)
            }
        }
        let missing = remaining.flatMap { line, count in Array(repeating: line, count: count) }.sorted()
        return (missing.map { "- \($0)" } + extra.sorted().map { "+ \($0)" }).joined(separator: "\n")
    }
}
