/// One rejected line of an exposition: where it was and why.
public struct ParseIssue: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number in the body.
    public var line: Int
    /// What was wrong, in words an operator can act on.
    public var reason: String

    /// Creates an issue.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line N: reason`.
    public var description: String { "line \(line): \(reason)" }
}

/// The rejected lines of one parse: a total count and the first few issues in full.
///
/// Bounded on purpose: a body of a million bad lines costs a counter, not a million strings.
public struct ParseIssues: Sendable, Hashable {
    /// How many issues are kept in full; later ones are only counted.
    public static let keptLimit = 16

    /// Every issue seen, kept or not.
    public private(set) var count = 0
    /// The first ``keptLimit`` issues.
    public private(set) var kept: [ParseIssue] = []

    /// An empty log.
    public init() {}

    /// Whether no line was rejected.
    public var isEmpty: Bool { count == 0 }

    /// Records an issue; `reason` is only evaluated while fewer than ``keptLimit`` are kept.
    public mutating func record(line: Int, _ reason: @autoclosure () -> String) {
        count += 1
        if kept.count < Self.keptLimit { kept.append(ParseIssue(line: line, reason: reason())) }
    }
}
