import BridgeCore
import BridgeHTTP
import Foundation
import Yams

/// A YAML node with its key path, for messages.
struct Section {
    let node: Yams.Node
    let path: String

    init(_ node: Yams.Node, path: String) {
        self.node = node
        self.path = path
    }

    func error(_ value: String, _ expected: String) -> ConfigurationError {
        ConfigurationError(path: path, value: value, expected: expected)
    }

    private var text: String { node.scalar?.string ?? "" }

    /// The mapping's entries, checked against the key set: a key it does not have is an unknown
    /// key naming those it has, a key it refuses is refused with the reason.
    func keys(_ set: KeySet) throws(ConfigurationError) -> Mapping {
        let entries = try children()
        for (name, child) in entries.sorted(by: { $0.key < $1.key }) {
            guard let key = set.key(name) else {
                throw ConfigurationError.unknownKey(path: child.path, allowed: set.acceptedNames)
            }
            if case .refused(let reason) = key.use {
                throw ConfigurationError.unsupported(path: child.path, reason: reason)
            }
        }
        return Mapping(path: path, entries: entries, declared: Set(set.all.map(\.name)))
    }

    /// The mapping's entries; a key outside `allowed` is an unknown key naming the allowed ones.
    /// For files that are not the bridge's own (the exporter-toolkit web configuration).
    func keys(_ allowed: [String]) throws(ConfigurationError) -> Mapping {
        let entries = try children()
        for (name, child) in entries.sorted(by: { $0.key < $1.key }) where !allowed.contains(name) {
            throw ConfigurationError.unknownKey(path: child.path, allowed: allowed)
        }
        return Mapping(path: path, entries: entries, declared: Set(allowed))
    }

    private func children() throws(ConfigurationError) -> [String: Section] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" {
            // `key:` with nothing after it: an empty section, as YAML and Prometheus read it.
            return [:]
        }
        guard case .mapping(let mapping) = node else { throw error(text, "a mapping") }
        var entries: [String: Section] = [:]
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            entries[name] = Section(value, path: path.isEmpty ? name : "\(path).\(name)")
        }
        return entries
    }

    /// Each element of a list, transformed.
    func list<T>(_ transform: (Section) throws(ConfigurationError) -> T) throws(ConfigurationError) -> [T] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" { return [] }
        guard case .sequence(let sequence) = node else { throw error(text, "a list") }
        var result: [T] = []
        for (index, element) in sequence.enumerated() {
            result.append(try transform(Section(element, path: "\(path)[\(index)]")))
        }
        return result
    }

    /// A mapping of strings to strings (`headers`, `labels`), in key order.
    func stringMapping(_ expected: String) throws(ConfigurationError) -> [(key: String, value: String, path: String)] {
        guard case .mapping(let mapping) = node else { throw error(text, expected) }
        var result: [(key: String, value: String, path: String)] = []
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            let child = Section(value, path: "\(path).\(name)")
            result.append((name, try child.string(), child.path))
        }
        return result.sorted { $0.key < $1.key }
    }

    func string() throws(ConfigurationError) -> String {
        guard let scalar = node.scalar else { throw error("", "a string") }
        return scalar.string
    }

    func bool() throws(ConfigurationError) -> Bool {
        switch text {
        case "true": return true
        case "false": return false
        default: throw error(text, "true or false")
        }
    }

    func duration() throws(ConfigurationError) -> Duration {
        guard let duration = PrometheusDuration.parse(try string()), duration > .zero else {
            throw error(text, "a positive duration such as 30s, 1m or 1m30s")
        }
        return duration
    }

    func positiveInt() throws(ConfigurationError) -> Int {
        guard let value = Int(try string()), value > 0 else { throw error(text, "a positive whole number") }
        return value
    }

    func nonNegativeInt() throws(ConfigurationError) -> Int {
        guard let value = Int(try string()), value >= 0 else { throw error(text, "a whole number, 0 or more") }
        return value
    }

    /// A size such as `1GiB`, `512MiB`, `100MB` or a plain number of bytes. With `base2`, `KB`,
    /// `MB`, … mean powers of 1024 too, as Prometheus reads `body_size_limit`.
    func bytes(base2: Bool = false) throws(ConfigurationError) -> Int {
        let value = try string()
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("KB", base2 ? 1 << 10 : 1000), ("MB", base2 ? 1 << 20 : 1_000_000),
            ("GB", base2 ? 1 << 30 : 1_000_000_000), ("TB", base2 ? 1 << 40 : 1_000_000_000_000), ("B", 1),
        ]
        for (unit, size) in units where value.hasSuffix(unit) {
            if let number = Int(value.dropLast(unit.count)), number > 0 { return number * size }
        }
        if let number = Int(value), number > 0 { return number }
        throw error(value, "a size such as 1GiB, 512MiB or 100MB")
    }

    func url() throws(ConfigurationError) -> String {
        let value = try string()
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw error(RedactedURL.string(value), "an http:// or https:// URL")
        }
        return value
    }

    func labelName() throws(ConfigurationError) -> String {
        let value = try string()
        guard TextEscaping.isLabelName(value) else {
            throw error(value, "a label name matching [a-zA-Z_][a-zA-Z0-9_]*")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(ConfigurationError) -> T
    where T.RawValue == String {
        let value = try string()
        guard let choice = T(rawValue: value) else {
            throw error(value, "one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }

    func relabelConfigs() throws(ConfigurationError) -> [RelabelConfig] {
        do {
            return try YAMLDecoder().decode([RelabelConfig].self, from: node)
        } catch {
            guard var found = ConfigurationError.from(error) else {
                throw self.error("", "a list of relabel_config rules (\(error))")
            }
            found.path = found.path.isEmpty ? path : "\(path)\(found.path.hasPrefix("[") ? "" : ".")\(found.path)"
            throw found
        }
    }

    /// A mapping's entries by key.
    struct Mapping {
        /// Where the mapping is.
        let path: String
        let entries: [String: Section]
        /// The keys the mapping's key set declares: reading any other is a mistake in the parser.
        let declared: Set<String>

        subscript(_ key: String) -> Section? {
            assert(declared.contains(key), "\(key) is read at \(path) but not declared in ConfigurationSchema")
            return entries[key]
        }

        /// The value of `key`, or of `alias` (an older name for it); both set is a conflict.
        func either(_ key: String, or alias: String) throws(ConfigurationError) -> Section? {
            if let first = self[key], let second = self[alias] {
                throw ConfigurationError.conflict(path: second.path, with: first.path)
            }
            return self[key] ?? self[alias]
        }

        /// The path of `key` in this mapping, for a key that is missing.
        func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        /// Checks `lower × factor < upper` (or `≤` when not `strictly`). The error names a key the
        /// file set: `lower` when it did, else `upper`, and shows the other value with ", the
        /// default" when the file did not set that one either.
        func ordered(
            _ lower: String, _ lowerValue: Duration, below upper: String, _ upperValue: Duration, factor: Double = 1,
            strictly: Bool = true
        ) throws(ConfigurationError) {
            let scaled = lowerValue * factor
            guard strictly ? scaled >= upperValue : scaled > upperValue else { return }
            func shown(_ key: String, _ value: Duration) -> String {
                PrometheusDuration.format(value) + (entries[key] == nil ? ", the default" : "")
            }
            let times = factor == 1 ? "" : "\(factor) × "
            if let written = entries[lower] {
                let relation = strictly ? "less than" : "at most"
                let divided = factor == 1 ? "" : " / \(factor)"
                throw written.error(
                    PrometheusDuration.format(lowerValue),
                    "\(relation) \(path(of: upper))\(divided) (\(shown(upper, upperValue)))")
            }
            let relation = strictly ? "more than" : "at least"
            throw (entries[upper] ?? Section(.scalar(.init("")), path: path(of: upper))).error(
                PrometheusDuration.format(upperValue),
                "\(relation) \(times)\(path(of: lower)) (\(shown(lower, lowerValue)))")
        }
    }
}
