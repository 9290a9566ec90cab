/// Escaping and unescaping of label values and help texts in both exposition formats, plus the name
/// grammars they share.
///
/// Label values escape `\\`, `\"` and `\n` in both formats. Help text escapes `\\` and `\n` in text
/// 0.0.4 and additionally `\"` in OpenMetrics. On input, an unknown escape such as `\t` is kept as
/// the two bytes it is, which is what Prometheus' `lvalReplacer` does.
public enum TextEscaping {
    /// Appends `bytes` with escapes removed; `quotes` says whether `\"` is an escape in this context.
    public static func unescape(_ bytes: UnsafeBufferPointer<UInt8>, quotes: Bool, into output: inout [UInt8]) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                let next = bytes[index + 1]
                switch next {
                case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "n"): output.append(0x0A)
                case UInt8(ascii: "\"") where quotes: output.append(UInt8(ascii: "\""))
                default:
                    output.append(byte)
                    output.append(next)
                }
                index += 2
            } else {
                output.append(byte)
                index += 1
            }
        }
    }

    /// Appends `bytes` escaped; `quotes` says whether `"` must be escaped (label values, OpenMetrics help).
    public static func escape(_ bytes: UnsafeRawBufferPointer, quotes: Bool, into output: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\"") where quotes: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            default: output.append(byte)
            }
        }
    }

    /// Whether `bytes` is a legacy metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isMetricName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, isNameStart(first) || first == UInt8(ascii: ":") else { return false }
        for byte in bytes.dropFirst() where !(isNameByte(byte) || byte == UInt8(ascii: ":")) { return false }
        return true
    }

    /// Whether `bytes` is a legacy label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isLabelName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, isNameStart(first) else { return false }
        for byte in bytes.dropFirst() where !isNameByte(byte) { return false }
        return true
    }

    /// Whether `string` is a legacy label name.
    public static func isLabelName(_ string: String) -> Bool {
        var copy = string
        return copy.withUTF8 { isLabelName($0) }
    }

    /// Whether `string` is a legacy metric name.
    public static func isMetricName(_ string: String) -> Bool {
        var copy = string
        return copy.withUTF8 { isMetricName($0) }
    }

    /// `[a-zA-Z_]`.
    public static func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte == UInt8(ascii: "_")
    }

    /// `[a-zA-Z0-9_]`.
    public static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || byte &- UInt8(ascii: "0") < 10
    }

    /// Whether `bytes` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
    public static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else { return false }
            for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
