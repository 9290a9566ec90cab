import CRE2

/// A relabel `regex`, compiled and matched as Prometheus 2.42 does it: RE2 syntax (Go's
/// `regexp`), fully anchored as `^(?:` + regex + `)$`, with Go's `Regexp.Expand` rules for `$1`,
/// `${1}`, `$name` and `${name}` in templates.
///
/// The engine is RE2 (through the `CRE2` shim), so matching takes time linear in the value
/// whatever the pattern: `(a+)+b` cannot stall a scrape. `.` does not match a newline, as in
/// Prometheus 2.x. The default `(.*)` and plain literals skip the engine for values without a
/// newline.
public struct RelabelRegex: Sendable, Hashable {
    /// The regex as configured, without the anchors.
    public let pattern: String
    private let kind: Kind
    private let compiled: CompiledRE2

    private enum Kind: Sendable {
        case matchAll(capturesWholeValue: Bool)
        case literal(String)
        case general
    }

    /// A successful match: the captured groups (0 is the whole value) and the group names.
    public struct Match: Sendable {
        /// Captured text by group number; nil for a group that did not participate.
        public var groups: [Substring?]
        /// Group number by name.
        public var names: [String: Int]
    }

    /// The default relabel regex, `(.*)`.
    public static let matchAll = try! RelabelRegex("(.*)")

    /// Compiles `pattern`; throws `RelabelRegexError` with RE2's (Go's) description of the error.
    public init(_ pattern: String) throws {
        self.pattern = pattern
        compiled = try CompiledRE2(pattern)
        if pattern == "(.*)" || pattern == ".*" {
            kind = .matchAll(capturesWholeValue: pattern == "(.*)")
        } else if !pattern.isEmpty && pattern.unicodeScalars.allSatisfy(Self.isLiteral) {
            kind = .literal(pattern)
        } else {
            kind = .general
        }
    }

    /// Whether the whole of `value` matches.
    public func matches(_ value: String) -> Bool {
        switch kind {
        case .matchAll where !Self.hasNewline(value): true
        case .literal(let literal): value == literal
        default: compiled.matches(value)
        }
    }

    /// The groups of a whole match of `value`, or nil.
    public func match(_ value: String) -> Match? {
        switch kind {
        case .matchAll(let captures) where !Self.hasNewline(value):
            let whole = Substring(value)
            return Match(groups: captures ? [whole, whole] : [whole], names: [:])
        case .literal(let literal):
            return value == literal ? Match(groups: [Substring(value)], names: [:]) : nil
        default:
            guard let groups = compiled.groups(of: value) else { return nil }
            return Match(groups: groups, names: compiled.names)
        }
    }

    private static func hasNewline(_ value: String) -> Bool { value.utf8.contains(UInt8(ascii: "\n")) }

    /// Expands `template` against `match` following Go's `Regexp.Expand`: `$$` is a dollar; `$name`
    /// takes the longest run of letters, digits and underscores; `${name}` is explicit; a name of
    /// digits is a group number; an unknown group or one that did not match gives "". A `$` that
    /// starts no valid reference is copied as it is.
    public static func expand(_ template: String, with match: Match) -> String {
        guard template.contains("$") else { return template }
        let scalars = Array(template.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "$", index + 1 < scalars.count else {
                output.append(scalar)
                index += 1
                continue
            }
            if scalars[index + 1] == "$" {
                output.append("$")
                index += 2
                continue
            }
            var nameStart = index + 1
            var nameEnd = nameStart
            var next: Int
            if scalars[nameStart] == "{" {
                nameStart += 1
                nameEnd = nameStart
                while nameEnd < scalars.count && isNameScalar(scalars[nameEnd]) { nameEnd += 1 }
                guard nameEnd < scalars.count, scalars[nameEnd] == "}", nameEnd > nameStart else {
                    output.append(scalar)
                    index += 1
                    continue
                }
                next = nameEnd + 1
            } else {
                while nameEnd < scalars.count && isNameScalar(scalars[nameEnd]) { nameEnd += 1 }
                guard nameEnd > nameStart else {
                    output.append(scalar)
                    index += 1
                    continue
                }
                next = nameEnd
            }
            let name = String(String.UnicodeScalarView(scalars[nameStart..<nameEnd]))
            if let text = group(named: name, in: match) { output.append(contentsOf: text.unicodeScalars) }
            index = next
        }
        return String(output)
    }

    private static func group(named name: String, in match: Match) -> Substring? {
        let number: Int? =
            name.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal && $0.isASCII }
            ? Int(name) : nil
        let index = number ?? match.names[name]
        guard let index, index < match.groups.count else { return nil }
        return match.groups[index]
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
    }

    /// Characters that mean themselves in RE2 syntax (a newline is left to the engine).
    private static func isLiteral(_ scalar: Unicode.Scalar) -> Bool {
        !"\\.+*?()|[]{}^$\n".unicodeScalars.contains(scalar)
    }

    /// Regexes are equal when their patterns are.
    public static func == (lhs: RelabelRegex, rhs: RelabelRegex) -> Bool { lhs.pattern == rhs.pattern }

    /// Hashes the pattern.
    public func hash(into hasher: inout Hasher) { hasher.combine(pattern) }
}
