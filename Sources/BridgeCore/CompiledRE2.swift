import CRE2

/// Why RE2 refused a pattern, in RE2's (Go's) words, e.g. "missing closing ): `(a`".
public struct RelabelRegexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reason as the engine gives it.
    public let reason: String

    /// "error parsing regexp: " and the reason, as Go's `regexp.Compile` words it.
    public var description: String { "error parsing regexp: \(reason)" }
}

/// One RE2 program compiled from `^(?:` + pattern + `)$`, owned by this object and freed with it.
///
/// RE2 objects are thread-safe for matching (re2.h: "RE2 objects are thread-safe"), so one
/// instance is shared by every scrape that applies the rule.
final class CompiledRE2: Sendable {
    private nonisolated(unsafe) let handle: OpaquePointer
    /// Group number by name, for `$name` in templates.
    let names: [String: Int]
    private let groupCount: Int

    init(_ pattern: String) throws(RelabelRegexError) {
        var utf8 = Array(pattern.utf8)
        var reason = [CChar](repeating: 0, count: 512)
        let compiled = utf8.withUnsafeMutableBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                sb_re2_compile(chars.baseAddress, chars.count, &reason, reason.count)
            }
        }
        guard let compiled else {
            let text = reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw RelabelRegexError(reason: text)
        }
        handle = compiled
        groupCount = Int(sb_re2_group_count(compiled))
        var names: [String: Int] = [:]
        for group in 0...groupCount {
            if let name = sb_re2_group_name(compiled, Int32(group)) { names[String(cString: name)] = group }
        }
        self.names = names
    }

    deinit { sb_re2_free(handle) }

    /// Whether the whole of `value` matches.
    func matches(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { sb_re2_full_match(handle, $0.baseAddress, $0.count) }
        }
    }

    /// Group 0 (the whole value) and every capturing group of a whole match, or nil.
    func groups(of value: String) -> [Substring?]? {
        let slots = groupCount + 1
        var offsets = [Int](repeating: -1, count: 2 * slots)
        var value = value
        let matched = value.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                sb_re2_full_match_groups(handle, chars.baseAddress, chars.count, &offsets, Int32(slots))
            }
        }
        guard matched else { return nil }
        let utf8 = value.utf8
        return (0..<slots).map { group in
            let start = offsets[2 * group]
            let end = offsets[2 * group + 1]
            guard start >= 0, end >= start else { return nil }
            // RE2 reports byte offsets on UTF-8 boundaries, which are valid String indices.
            let lower = utf8.index(utf8.startIndex, offsetBy: start)
            let upper = utf8.index(lower, offsetBy: end - start)
            return value[lower..<upper]
        }
    }
}
