/// Writes sample values and timestamps as exposition text.
///
/// Integral values up to 2^53 (where every integer is exact) are written as plain integers without going through a string; other
/// values use Swift's shortest round-tripping representation (`Double.description`), which Go's
/// `ParseFloat` reads back to the same bits. Special values use the spellings of both formats:
/// `NaN`, `+Inf`, `-Inf`.
public enum NumberFormatting {
    /// Appends `value` to `output`.
    public static func appendValue(_ value: Double, to output: inout [UInt8]) {
        if value.isNaN {
            output.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "a"), UInt8(ascii: "N")])
        } else if value.isInfinite {
            output.append(value < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            output.append(contentsOf: [UInt8(ascii: "I"), UInt8(ascii: "n"), UInt8(ascii: "f")])
        } else if value.magnitude <= 9_007_199_254_740_992 && value == value.rounded(.towardZero) {
            if value == 0 && value.sign == .minus { output.append(UInt8(ascii: "-")) }
            appendInteger(Int64(value), to: &output)
        } else {
            var text = value.description
            text.withUTF8 { output.append(contentsOf: $0) }
        }
    }

    /// Appends a decimal integer.
    public static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            output.append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while magnitude > 0 {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    /// Appends a millisecond timestamp in `format`: milliseconds for text 0.0.4, seconds for OpenMetrics.
    public static func appendTimestamp(_ milliseconds: Int64, format: ExpositionFormat, to output: inout [UInt8]) {
        switch format {
        case .text:
            appendInteger(milliseconds, to: &output)
        case .openMetrics:
            if milliseconds < 0 { output.append(UInt8(ascii: "-")) }
            let magnitude = milliseconds.magnitude
            appendInteger(Int64(magnitude / 1000), to: &output)
            let fraction = magnitude % 1000
            if fraction != 0 {
                output.append(UInt8(ascii: "."))
                output.append(UInt8(ascii: "0") + UInt8(fraction / 100))
                if fraction % 100 != 0 {
                    output.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
                    if fraction % 10 != 0 { output.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
                }
            }
        }
    }
}
