import BridgeCore

/// Durations as Prometheus writes them: `30s`, `1m30s`, `500ms`, `2h`, units y w d h m s ms in
/// descending order, each at most once (Prometheus `model.ParseDuration`).
public enum PrometheusDuration {
    private static let units: [(String, Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
        ("s", 1000), ("ms", 1),
    ]

    /// The duration `text` spells, or nil.
    public static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var rest = Substring(text)
        var milliseconds: Int64 = 0
        var lastUnit = -1
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix { $0.isASCII && $0.isLetter }
            // "ms" must win over "m" followed by "s".
            guard let index = units.firstIndex(where: { $0.0 == String(unitText) }), index > lastUnit else {
                return nil
            }
            lastUnit = index
            rest = rest.dropFirst(unitText.count)
            let (product, overflow) = value.multipliedReportingOverflow(by: units[index].1)
            guard !overflow else { return nil }
            milliseconds += product
        }
        return text.isEmpty ? nil : .milliseconds(milliseconds)
    }

    /// `duration` as Prometheus would print it (`1m30s`).
    static func format(_ duration: Duration) -> String {
        var milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        var text = ""
        for (unit, size) in units where milliseconds >= size {
            text += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return text
    }
}
