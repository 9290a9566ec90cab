/// A configuration value that cannot be used: where it is, what it was and what was expected.
///
/// The message names the key path (`metric_relabel_configs[2].action`), the value as written and
/// what would have been accepted, so an operator can fix the file without reading the source.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the value came from, when the loader knows it.
    public var file: String?
    /// The key path, dotted, with list indices in brackets.
    public var path: String
    /// The offending value as written (empty when the key was missing).
    public var value: String
    /// What would have been accepted.
    public var expected: String

    /// Creates an error.
    public init(file: String? = nil, path: String, value: String, expected: String) {
        self.file = file
        self.path = path
        self.value = value
        self.expected = expected
    }

    /// `file: path: invalid value "v" (expected …)`.
    public var description: String {
        let location = (file.map { "\($0): " } ?? "") + (path.isEmpty ? "<root>" : path)
        return "\(location): invalid value \(value.debugDescription) (expected \(expected))"
    }

    /// The same error, attributed to `file`.
    public func inFile(_ file: String) -> ConfigurationError {
        var copy = self
        copy.file = file
        return copy
    }

    /// Renders a `Decoder` coding path as `a.b[2].c`.
    public static func render(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}

extension ConfigurationError {
    /// The configuration error inside `error`, as a YAML decoder reports it.
    ///
    /// Decoders wrap errors thrown by `init(from:)` (Yams reports them as `dataCorrupted` with the
    /// original as underlying error), and report type mismatches and missing keys as `DecodingError`;
    /// both become a ``ConfigurationError`` naming the key path. Other errors give nil.
    public static func from(_ error: any Error) -> ConfigurationError? {
        if let error = error as? ConfigurationError { return error }
        guard let decoding = error as? DecodingError else { return nil }
        switch decoding {
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError, let found = from(underlying) { return found }
            return ConfigurationError(path: render(context.codingPath), value: "", expected: context.debugDescription)
        case .typeMismatch(let type, let context):
            return ConfigurationError(path: render(context.codingPath), value: "", expected: "a value of type \(type)")
        case .valueNotFound(let type, let context):
            return ConfigurationError(path: render(context.codingPath), value: "", expected: "a value of type \(type)")
        case .keyNotFound(let key, let context):
            return ConfigurationError(
                path: render(context.codingPath + [key]),
                value: "",
                expected: "the key to be present"
            )
        @unknown default:
            return nil
        }
    }
}
