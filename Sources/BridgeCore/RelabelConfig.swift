/// One `relabel_config` entry, read from the YAML Prometheus users already have.
///
/// Omitted fields take Prometheus' defaults (separator `;`, regex `(.*)`, replacement `$1`, action
/// `replace`), action names are case-insensitive, unknown keys are errors (Prometheus reads its
/// config strictly), and the checks of Prometheus' `relabel.Config.UnmarshalYAML` apply: which
/// actions need `target_label` or `modulus`, which forbid other fields, which names must be valid.
public struct RelabelConfig: Sendable, Hashable {
    /// Labels whose values are joined with ``separator`` to form the input value.
    public var sourceLabels: [String]
    /// Joins the source values.
    public var separator: String
    /// The label to write (may contain `$1`-style references for `replace`).
    public var targetLabel: String
    /// The fully anchored regex.
    public var regex: RelabelRegex
    /// The modulus for `hashmod`.
    public var modulus: UInt64
    /// The template written to the target for `replace` and `labelmap`.
    public var replacement: String
    /// What to do.
    public var action: RelabelAction

    /// Creates a rule, with Prometheus' defaults for what is not given; call ``validate(path:)`` after.
    public init(
        sourceLabels: [String] = [],
        separator: String = ";",
        targetLabel: String = "",
        regex: RelabelRegex = .matchAll,
        modulus: UInt64 = 0,
        replacement: String = "$1",
        action: RelabelAction = .replace
    ) {
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.targetLabel = targetLabel
        self.regex = regex
        self.modulus = modulus
        self.replacement = replacement
        self.action = action
    }

    /// Applies Prometheus' consistency checks; `path` prefixes the key in the error.
    public func validate(path: String) throws(ConfigurationError) {
        func fail(_ key: String, _ value: String, _ expected: String) -> ConfigurationError {
            ConfigurationError(path: path.isEmpty ? key : "\(path).\(key)", value: value, expected: expected)
        }
        let needsTarget: Set<RelabelAction> = [.replace, .hashMod, .lowercase, .uppercase, .keepEqual, .dropEqual]
        if needsTarget.contains(action) && targetLabel.isEmpty {
            throw fail("target_label", "", "a label name: the \(action.rawValue) action needs target_label")
        }
        if action == .replace && !Self.isTemplate(targetLabel) {
            throw fail("target_label", targetLabel, "a label name, optionally with $1 or ${name} references")
        }
        let plainTarget: Set<RelabelAction> = [.hashMod, .lowercase, .uppercase, .keepEqual, .dropEqual]
        if plainTarget.contains(action) && !TextEscaping.isLabelName(targetLabel) {
            throw fail("target_label", targetLabel, "a label name matching [a-zA-Z_][a-zA-Z0-9_]*")
        }
        if action == .hashMod && modulus == 0 {
            throw fail("modulus", "0", "a positive integer: the hashmod action needs modulus")
        }
        if action == .labelMap && !Self.isTemplate(replacement) {
            throw fail("replacement", replacement, "a label name, optionally with $1 or ${name} references")
        }
        let defaults = RelabelConfig()
        if action == .labelDrop || action == .labelKeep {
            let extra: [(String, Bool, String)] = [
                ("source_labels", !sourceLabels.isEmpty, sourceLabels.joined(separator: ",")),
                ("target_label", targetLabel != defaults.targetLabel, targetLabel),
                ("modulus", modulus != defaults.modulus, String(modulus)),
                ("separator", separator != defaults.separator, separator),
                ("replacement", replacement != defaults.replacement, replacement),
            ]
            if let (key, _, value) = extra.first(where: { $0.1 }) {
                throw fail(key, value, "nothing: the \(action.rawValue) action takes only regex")
            }
        }
        if action == .keepEqual || action == .dropEqual {
            let extra: [(String, Bool, String)] = [
                ("regex", regex != defaults.regex, regex.pattern),
                ("modulus", modulus != defaults.modulus, String(modulus)),
                ("separator", separator != defaults.separator, separator),
                ("replacement", replacement != defaults.replacement, replacement),
            ]
            if let (key, _, value) = extra.first(where: { $0.1 }) {
                throw fail(
                    key, value, "nothing: the \(action.rawValue) action takes only source_labels and target_label")
            }
        }
    }

    /// Prometheus' `relabelTarget`: `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`.
    static func isTemplate(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { return false }
        func isWord(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
        }
        var index = 0
        var sawStart = false
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "$" {
                index += 1
                if index < scalars.count && scalars[index] == "{" {
                    let close = scalars[index...].firstIndex(of: "}")
                    guard let close, close > index + 1, scalars[(index + 1)..<close].allSatisfy(isWord) else {
                        return false
                    }
                    index = close + 1
                } else {
                    let start = index
                    while index < scalars.count && isWord(scalars[index]) { index += 1 }
                    guard index > start else { return false }
                }
                sawStart = true
            } else if isWord(scalar) {
                // Digits may not start the name, but may follow a letter, underscore or reference.
                guard sawStart || !("0"..."9").contains(scalar) else { return false }
                sawStart = true
                index += 1
            } else {
                return false
            }
        }
        return true
    }
}
