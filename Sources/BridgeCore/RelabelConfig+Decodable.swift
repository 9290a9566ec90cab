extension RelabelConfig: Decodable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let knownKeys = [
        "source_labels", "separator", "target_label", "regex", "modulus", "replacement", "action",
    ]

    /// Decodes one rule over Prometheus' defaults and validates it; errors are ``ConfigurationError``s
    /// naming the key path, the value and what was expected.
    public init(from decoder: any Decoder) throws {
        let path = ConfigurationError.render(decoder.codingPath)
        func fail(_ key: String, _ value: String, _ expected: String) -> ConfigurationError {
            ConfigurationError(path: path.isEmpty ? key : "\(path).\(key)", value: value, expected: expected)
        }
        let container: KeyedDecodingContainer<Key>
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            throw ConfigurationError(path: path, value: "", expected: "a mapping with relabel_config keys")
        }
        for key in container.allKeys where !Self.knownKeys.contains(key.stringValue) {
            throw ConfigurationError.unknownKey(
                path: path.isEmpty ? key.stringValue : "\(path).\(key.stringValue)", allowed: Self.knownKeys)
        }
        func string(_ key: String) throws -> String? {
            guard container.contains(Key(stringValue: key)) else { return nil }
            do {
                return try container.decode(String.self, forKey: Key(stringValue: key))
            } catch {
                throw fail(key, "", "a string")
            }
        }
        self.init()
        if container.contains(Key(stringValue: "source_labels")) {
            let labels: [String]
            do {
                labels = try container.decode([String].self, forKey: Key(stringValue: "source_labels"))
            } catch {
                throw fail("source_labels", "", "a list of label names")
            }
            for (index, label) in labels.enumerated() where !TextEscaping.isLabelName(label) {
                throw fail("source_labels[\(index)]", label, "a label name matching [a-zA-Z_][a-zA-Z0-9_]*")
            }
            sourceLabels = labels
        }
        if let separator = try string("separator") { self.separator = separator }
        if let target = try string("target_label") { targetLabel = target }
        if let replacement = try string("replacement") { self.replacement = replacement }
        if let pattern = try string("regex") {
            do {
                regex = try RelabelRegex(pattern)
            } catch {
                throw fail("regex", pattern, "a valid RE2 regular expression (\(error))")
            }
        }
        if let modulus = try string("modulus") {
            guard let parsed = UInt64(modulus) else { throw fail("modulus", modulus, "a non-negative integer") }
            self.modulus = parsed
        }
        if let actionName = try string("action") {
            guard let parsed = RelabelAction(rawValue: actionName.lowercased()) else {
                let names = RelabelAction.allCases.map(\.rawValue).joined(separator: ", ")
                throw fail("action", actionName, "one of \(names)")
            }
            action = parsed
        }
        try validate(path: path)
    }
}
