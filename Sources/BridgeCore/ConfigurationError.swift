#if canImport(Glibc)
    import Glibc
#endif

/// A configuration value that cannot be used: where it is, what was wrong and what would be accepted.
///
/// The message names the key path (`metric_relabel_configs[2].action`) and either the value as
/// written with what would have been accepted, a key the section does not have with the keys it
/// does have, a key that is missing, a key the bridge knows but cannot honour with the reason, or
/// two keys that say the same thing. An operator can fix the file without reading the source.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake the error reports; private so that kinds can be added.
    private enum Code: Sendable, Hashable {
        case invalidValue
        case unknownKey(allowed: [String])
        case missingKey(String)
        case unsupported
        case conflict(String)
        case unreadable(reason: String)
    }

    /// The file the value came from, when the loader knows it.
    public var file: String?
    /// The key path, dotted, with list indices in brackets.
    public var path: String
    /// The offending value as written (empty when there is none).
    public var value: String
    /// What would have been accepted, or why a key cannot be honoured.
    public var expected: String
    private var code = Code.invalidValue

    /// An invalid value at `path`: `value` as written, and what was `expected`.
    public init(file: String? = nil, path: String, value: String, expected: String) {
        self.file = file
        self.path = path
        self.value = value
        self.expected = expected
    }

    /// A key at `path` that its section does not have; `allowed` are the keys it has.
    public static func unknownKey(path: String, allowed: [String]) -> ConfigurationError {
        var error = ConfigurationError(path: path, value: "", expected: "")
        error.code = .unknownKey(allowed: allowed)
        return error
    }

    /// The section at `path` lacks `key`, which it needs; `expected` says what the key holds.
    public static func missingKey(path: String, key: String, expected: String) -> ConfigurationError {
        var error = ConfigurationError(path: path, value: "", expected: expected)
        error.code = .missingKey(key)
        return error
    }

    /// A key at `path` that Prometheus has and the bridge cannot honour, and why.
    public static func unsupported(path: String, reason: String) -> ConfigurationError {
        var error = ConfigurationError(path: path, value: "", expected: reason)
        error.code = .unsupported
        return error
    }

    /// The key at `path` says what `other` says too; only one of them may be set.
    public static func conflict(path: String, with other: String) -> ConfigurationError {
        var error = ConfigurationError(path: path, value: "", expected: "")
        error.code = .conflict(other)
        return error
    }

    /// One line: `file: path: …`, the rest depending on the kind of mistake.
    public var description: String {
        let location = (file.map { "\($0): " } ?? "") + (path.isEmpty ? "<root>" : path)
        switch code {
        case .invalidValue:
            return "\(location): invalid value \(value.debugDescription) (expected \(expected))"
        case .unknownKey(let allowed):
            let key = Self.lastKey(of: path)
            let hint = Self.closest(to: key, in: allowed).map { " (did you mean \($0)?)" } ?? ""
            let keys = allowed.isEmpty ? "this section has no keys" : "keys here are " + allowed.joined(separator: ", ")
            return "\(location): unknown key \(key.debugDescription)\(hint); \(keys)"
        case .missingKey(let key):
            return "\(location): missing key \(key.debugDescription) (expected \(expected))"
        case .unsupported:
            return "\(location): not supported: \(expected)"
        case .conflict(let other):
            return "\(location): set either \(Self.lastKey(of: path)) or \(other), not both"
        case .unreadable(let reason):
            let name = file ?? value
            return (path.isEmpty ? "" : "\(path): ") + "\(name) cannot be read: \(reason) (expected \(expected))"
        }
    }

    /// `file` cannot be opened for reading, with the operating system's reason (`No such file or
    /// directory`, `Permission denied`, `Is a directory`); `path` is the key that named the file,
    /// empty for the configuration file itself.
    public static func unreadable(file: String, path: String = "", expected: String) -> ConfigurationError {
        var error = ConfigurationError(path: path, value: file, expected: expected)
        error.code = .unreadable(reason: Self.osReason(reading: file))
        return error
    }

    /// Why `file` cannot be read, as `strerror` words it.
    static func osReason(reading file: String) -> String {
        var status = stat()
        if stat(file, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            return String(cString: strerror(EISDIR))
        }
        let descriptor = open(file, O_RDONLY)
        if descriptor >= 0 {
            close(descriptor)
            return "it opens, but reading it failed"
        }
        return String(cString: strerror(errno))
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

    private static func lastKey(of path: String) -> String {
        String(path.split(separator: ".").last ?? Substring(path))
    }

    /// The allowed key within two edits of `key` (a typo), if exactly one is nearest.
    private static func closest(to key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return scored.filter { $0.1 == best.1 }.count == 1 ? best.0 : nil
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
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
            return .missingKey(
                path: render(context.codingPath), key: key.stringValue, expected: "the key to be present")
        @unknown default:
            return nil
        }
    }
}
